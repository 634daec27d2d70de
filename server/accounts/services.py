"""Writes on accounts."""

from __future__ import annotations

import secrets

from django.db import transaction

from server.accounts.models import User


@transaction.atomic
def instructor_ensure(*, username: str, email: str = "") -> tuple[User, str | None]:
    """Create the instructor account if missing. Returns the user and, when it
    was created now, its new random password (shown once, never stored)."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, None
    password = secrets.token_urlsafe(12)
    user = User.objects.create_user(
        username=username, email=email, password=password, is_instructor=True, is_staff=True
    )
    return user, password

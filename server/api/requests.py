"""The caller of an endpoint that only signed-in users reach."""

from __future__ import annotations

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from server.accounts.models import User


def signed_in(request: Request) -> User:
    """The caller, on an endpoint that ``IsAuthenticated`` guards (the default)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user

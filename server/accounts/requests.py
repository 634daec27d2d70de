"""The request a view sees once a guard (``login_required``, ``instructor_required``)
has let it through: its user is signed in, so typed as our ``User``."""

from __future__ import annotations

from django.http import HttpRequest

from server.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User

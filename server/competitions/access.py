"""Who reaches a challenge from a request: 404 for what the user may not see,
403 for what they see but may not manage. Every view that takes a slug asks here."""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.http import Http404

from server.accounts.roles import can_manage
from server.competitions.models import Challenge
from server.competitions.selectors import challenge_visible


class HasUser(Protocol):
    """A request of the site or of the API: both carry the signed-in user."""

    @property
    def user(self) -> Any: ...


def visible_or_404(request: HasUser, slug: str) -> Challenge:
    try:
        return challenge_visible(slug=slug, user=request.user)
    except Challenge.DoesNotExist as exc:
        raise Http404("No such challenge") from exc


def managed_or_403(request: HasUser, slug: str) -> Challenge:
    """404 for what this user cannot see, 403 for what they see but do not manage."""
    challenge = visible_or_404(request, slug)
    if not can_manage(request.user, challenge):
        raise PermissionDenied("Only the challenge's instructor and staff manage it.")
    return challenge

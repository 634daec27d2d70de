"""Personal API tokens: created on the profile page, sent by the command-line
client and notebooks as ``Authorization: Token …``. Writes and reads in one
module, since the two are a handful of lines each."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from server.accounts.models import ApiToken, User

# The lifetimes a participant picks from, in days (the form offers these only).
LIFETIMES_DAYS = (7, 30, 90, 365)
DEFAULT_LIFETIME_DAYS = 90
MAX_TOKENS_PER_USER = 20


class TokenRefused(Exception):
    """A token that cannot be created; ``str(exc)`` says why."""


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that have not expired, newest first."""
    return ApiToken.objects.filter(user=user).exclude(expiry__lte=timezone.now())


def token_create(*, user: User, name: str, lifetime_days: int) -> tuple[ApiToken, str]:
    """A new token; returns the row and the token itself, which is never stored
    (only its digest) and so can be shown this once only."""
    name = name.strip()
    if not name:
        raise TokenRefused("Name the token (say, the machine it is for).")
    if lifetime_days not in LIFETIMES_DAYS:
        raise TokenRefused(f"A token lives {', '.join(map(str, LIFETIMES_DAYS))} days.")
    if tokens_of(user=user).count() >= MAX_TOKENS_PER_USER:
        raise TokenRefused(f"You hold {MAX_TOKENS_PER_USER} tokens; revoke one first.")
    row, token = ApiToken.objects.create(
        user=user, expiry=dt.timedelta(days=lifetime_days), name=name[:100]
    )
    return row, token


def token_revoke(*, user: User, token_key: str) -> bool:
    """Delete one of the user's tokens (by its public key): it stops working at once."""
    deleted, _ = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted > 0

"""Reads on submissions: the daily allowance, lists, and who may see what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from server import clock
from server.accounts.models import User
from server.accounts.roles import can_manage
from server.competitions.models import Challenge
from server.submissions.models import Submission

# The platform's failures and cancellations are never charged to the student.
UNCHARGED_STATES = (Submission.State.ERROR, Submission.State.CANCELLED)
WINDOW = dt.timedelta(hours=24)


def _charged(*, user: User, challenge: Challenge, since: dt.datetime) -> QuerySet[Submission]:
    return Submission.objects.filter(user=user, challenge=challenge, created_at__gte=since).exclude(
        state__in=UNCHARGED_STATES
    )


@dataclass(frozen=True)
class Allowance:
    """The daily limit as a participant sees it: a rolling 24 hours."""

    limit: int
    used: int
    next_free_at: dt.datetime | None  # when the oldest charged one leaves the window

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def allowance_of(*, user: User, challenge: Challenge) -> Allowance:
    charged = _charged(user=user, challenge=challenge, since=clock.now() - WINDOW)
    oldest = charged.order_by("created_at").values_list("created_at", flat=True).first()
    return Allowance(
        limit=challenge.submissions_per_day,
        used=charged.count(),
        next_free_at=oldest + WINDOW if oldest is not None else None,
    )


def submissions_of(*, user: User, challenge: Challenge | None = None) -> QuerySet[Submission]:
    rows = Submission.objects.filter(user=user).select_related("challenge")
    return rows.filter(challenge=challenge) if challenge is not None else rows


def submissions_of_challenge(
    *, challenge: Challenge, username: str = "", state: str = ""
) -> QuerySet[Submission]:
    """Every submission of a challenge (the instructor's view), newest first."""
    rows = Submission.objects.filter(challenge=challenge).select_related("user")
    if username:
        rows = rows.filter(user__username=username)
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at", "-id")


def submission_visible_to(*, user: Any, submission_id: int) -> Submission | None:
    """A participant sees their own submissions; those who manage the challenge
    (its owner, staff) see all of its submissions; nobody else sees any."""
    if not user.is_authenticated:
        return None
    submission = (
        Submission.objects.select_related("challenge", "challenge__owner", "user")
        .prefetch_related("challenge__phases")
        .filter(id=submission_id)
        .first()
    )
    if submission is None:
        return None
    if submission.user_id == user.id or can_manage(user, submission.challenge):
        return submission
    return None


def queue_position(*, submission: Submission) -> int | None:
    """How many submissions wait ahead of this pending or queued one."""
    if submission.state not in (Submission.State.PENDING, Submission.State.QUEUED):
        return None
    ahead = Submission.objects.filter(
        state__in=(Submission.State.PENDING, Submission.State.QUEUED),
        created_at__lt=submission.created_at,
    )
    return ahead.count()


def state_counts(*, challenge: Challenge) -> dict[str, int]:
    """How many of the challenge's submissions are in each state."""
    rows = Submission.objects.filter(challenge=challenge).values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}

"""Reads on submissions."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from server.accounts.models import User
from server.competitions.models import Challenge
from server.submissions.models import Submission

# The platform's failures and cancellations are never charged to the student.
UNCHARGED_STATES = (Submission.State.ERROR, Submission.State.CANCELLED)


def submissions_used_today(*, user: User, challenge: Challenge) -> int:
    """Submissions charged in the rolling 24 hours before now."""
    since = timezone.now() - dt.timedelta(hours=24)
    return (
        Submission.objects.filter(user=user, challenge=challenge, created_at__gte=since)
        .exclude(state__in=UNCHARGED_STATES)
        .count()
    )


def submissions_of(*, user: User, challenge: Challenge | None = None) -> QuerySet[Submission]:
    rows = Submission.objects.filter(user=user).select_related("challenge")
    return rows.filter(challenge=challenge) if challenge is not None else rows


def submission_visible_to(*, user: User, submission_id: int) -> Submission | None:
    """A participant sees their own submissions; instructors and staff see all."""
    rows = Submission.objects.select_related("challenge", "user")
    if not (user.is_staff or user.is_instructor):
        rows = rows.filter(user=user)
    return rows.filter(id=submission_id).first()

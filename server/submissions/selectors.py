"""Reads on submissions: lists, counts, queue positions, and who may see what.
The daily allowance is ``allowance.py``."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, When

from server.accounts.models import User
from server.accounts.roles import can_manage, is_entrant
from server.competitions.models import Challenge
from server.submissions import queueing
from server.submissions.models import RegradeRequest, Submission
from server.teams.models import Membership
from worker import api as worker_api


def submissions_of(*, user: User, challenge: Challenge | None = None) -> QuerySet[Submission]:
    """The participant's submissions and their teams'."""
    teams = Membership.objects.filter(user=user).values("team_id")
    rows = Submission.objects.filter(Q(user=user) | Q(team_id__in=teams)).select_related(
        "challenge", "user"
    )
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
    """A participant sees their own submissions and their team's; those who manage
    the challenge (its owner, staff) see all of its submissions; nobody else sees any."""
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
    if is_entrant(user, submission) or can_manage(user, submission.challenge):
        return submission
    return None


@dataclass(frozen=True)
class QueueStatus:
    """Where a waiting submission stands: how many wait ahead of it in its lane,
    whether a worker takes that lane now, and when it should start."""

    ahead: int
    queue: str  # "" while pending: not sent to a lane yet
    served: bool  # some live worker takes jobs from its queue
    starts_in_seconds: float | None  # estimated from the lane's recent runs; None: unknown

    @property
    def gpu(self) -> bool:
        return self.queue.startswith("gpu")


def queue_status(*, submission: Submission) -> QueueStatus | None:
    """None once it runs or has ended."""
    State = Submission.State
    if submission.state == State.PENDING:
        ahead = Submission.objects.filter(
            state__in=(State.PENDING, State.QUEUED), created_at__lt=submission.created_at
        ).count()
        return QueueStatus(ahead=ahead, queue="", served=True, starts_in_seconds=None)
    if submission.state != State.QUEUED:
        return None
    queue = submission.queue
    others = Submission.objects.filter(state=State.QUEUED, queue=queue)
    at = submission.queued_at
    ahead = others.filter(queued_at__lt=at).count() if at is not None else 0
    slots = sum(w.concurrency for w in worker_api.workers_alive() or [] if queue in w.queues)
    run = queueing.median_run_seconds(queue=queue)
    # Everyone ahead, then the runs now going, share the lane's slots.
    waiting = ahead + Submission.objects.filter(state=State.RUNNING, queue=queue).count()
    eta = math.ceil((waiting + 1) / slots - 1) * run if slots and run is not None else None
    return QueueStatus(ahead=ahead, queue=queue, served=slots > 0, starts_in_seconds=eta)


def state_counts(*, challenge: Challenge) -> dict[str, int]:
    """How many of the challenge's submissions are in each state."""
    rows = Submission.objects.filter(challenge=challenge).values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def participant_counts(*, challenges: Iterable[Challenge]) -> dict[int, int]:
    """How many people have submitted to each challenge (for the landing cards)."""
    rows = (
        Submission.objects.filter(challenge_id__in=[c.id for c in challenges])
        .values("challenge_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    return {row["challenge_id"]: row["n"] for row in rows}


def regrades_of_challenge(*, challenge: Challenge) -> QuerySet[RegradeRequest]:
    """Its regrade requests, open ones first."""
    return (
        RegradeRequest.objects.filter(submission__challenge=challenge)
        .select_related("submission", "user", "answered_by")
        .order_by(Case(When(state=RegradeRequest.State.OPEN, then=0), default=1), "-created_at")
    )

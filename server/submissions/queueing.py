"""What the dispatcher and the queue's pages read about submissions: the pending
ones each participant may send next, who holds how many jobs and how much compute
(fair share), how long a challenge's runs take (its lane), what is queued where.
Reads only: every change of state is ``server.submissions.lifecycle``'s."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from server.competitions.models import Challenge
from server.submissions import compute
from server.submissions.entrants import Entrant
from server.submissions.models import Submission

State = Submission.State
ACTIVE = (State.QUEUED, State.RUNNING)
# The runs whose times say how long a challenge's runs take (its lane).
ENDED_RUNS = (State.SCORED, State.HELD, State.FAILED)
RECENT_RUNS = 20  # how many of a challenge's runs its expected duration is the median of


@dataclass(frozen=True)
class PendingRow:
    submission_id: int
    user_id: int
    team_id: int | None
    challenge_id: int
    gpu_mode: str
    wall_limit: float  # the challenge's wall limit, in seconds
    rank: int  # 1 for the participant's oldest pending submission, 2 for the next...
    created_at: dt.datetime
    budgeted: bool = False  # the challenge sets a compute budget


def pending_rows(*, per_participant: int, batch: int) -> list[PendingRow]:
    """Each participant's oldest ``per_participant`` pending submissions, oldest
    first: one student's thousand uploads cannot hide everyone else's from the batch."""
    ranked = (
        Submission.objects.filter(state=State.PENDING)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("user_id")],
                order_by=[F("created_at").asc(), F("id").asc()],
            )
        )
        .filter(rank__lte=per_participant)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "user_id",
            "team_id",
            "challenge_id",
            "challenge__gpu",
            "challenge__limits",
            "rank",
            "created_at",
            "challenge__cpu_budget_seconds",
            "challenge__gpu_budget_seconds",
        )[:batch]
    )
    return [
        PendingRow(
            sid,
            user,
            team,
            challenge,
            gpu,
            float(limits["wall_seconds"]),
            rank,
            created,
            budgeted=cpu_budget is not None or gpu_budget is not None,
        )
        for sid, user, team, challenge, gpu, limits, rank, created, cpu_budget, gpu_budget in ranked
    ]


def active_counts() -> Counter[int]:
    """Participant id -> how many of their submissions are queued or running."""
    rows = (
        Submission.objects.filter(state__in=ACTIVE)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    return Counter(dict(rows))


def cpu_seconds_since(since: dt.datetime) -> Counter[int]:
    """Participant id -> CPU seconds their runs ended since ``since`` used (the
    compute accounting's, which budgets read too)."""
    return compute.cpu_seconds_by_participant(since=since)


def budget_refusal(row: PendingRow, *, now: dt.datetime) -> str | None:
    """Why this pending run may not start (it would go past its entrant's compute
    budget on the challenge), or None."""
    if not row.budgeted:
        return None
    challenge = Challenge.objects.get(id=row.challenge_id)
    entrant = Entrant(user_id=row.user_id, team_id=row.team_id, name="")
    return compute.dispatch_refusal(entrant=entrant, challenge=challenge, now=now)


def recent_run_seconds(challenge_ids: Iterable[int]) -> dict[int, float]:
    """Challenge id -> the median wall time of its last RECENT_RUNS runs (absent
    for a challenge that has none yet)."""
    ranked = (
        Submission.objects.filter(
            challenge_id__in=set(challenge_ids), state__in=ENDED_RUNS, wall_seconds__isnull=False
        )
        .annotate(
            recent=Window(
                RowNumber(), partition_by=[F("challenge_id")], order_by=F("finished_at").desc()
            )
        )
        .filter(recent__lte=RECENT_RUNS)
        .values_list("challenge_id", "wall_seconds")
    )
    runs: dict[int, list[float]] = defaultdict(list)
    for challenge_id, seconds in ranked:
        if seconds is not None:
            runs[challenge_id].append(float(seconds))
    return {challenge_id: statistics.median(times) for challenge_id, times in runs.items()}


def median_run_seconds(*, queue: str) -> float | None:
    """The median wall time of the last RECENT_RUNS runs taken from ``queue``."""
    rows = Submission.objects.filter(
        queue=queue, state__in=ENDED_RUNS, wall_seconds__isnull=False
    ).order_by("-finished_at")
    times = [float(t) for t in rows.values_list("wall_seconds", flat=True)[:RECENT_RUNS] if t]
    return statistics.median(times) if times else None


def queued_before(moment: dt.datetime) -> list[tuple[int, dt.datetime, str]]:
    """(id, queued_at, queue) of the submissions queued before ``moment``."""
    rows = Submission.objects.filter(state=State.QUEUED, queued_at__lt=moment)
    found = rows.values_list("id", "queued_at", "queue")
    return [(sid, at, queue) for sid, at, queue in found if at is not None]


def still_queued(submission_ids: set[int]) -> set[int]:
    rows = Submission.objects.filter(id__in=submission_ids, state=State.QUEUED)
    return set(rows.values_list("id", flat=True))


def queue_if_queued(submission_id: int) -> str | None:
    """The queue a submission was sent to, while it is queued; else None."""
    row = Submission.objects.filter(id=submission_id, state=State.QUEUED)
    queue: str | None = row.values_list("queue", flat=True).first()
    return queue

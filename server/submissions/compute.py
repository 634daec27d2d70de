"""Compute accounting: the CPU and GPU seconds runs used, per entrant (a
participant or their team) and challenge over a challenge's budget period, and
per participant over the last day for the dispatcher's fair share. One source for
both: the runs that ended, the platform's errors refunded."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from server.competitions.models import Challenge
from server.site import clock
from server.submissions import sealing
from server.submissions.entrants import Entrant
from server.submissions.models import Submission

State = Submission.State
# The runs whose compute is charged: those that ended by the program's doing or
# its author's (a cancelled run used what it used). The platform's errors are not.
CHARGED = (State.SCORED, State.HELD, State.FAILED, State.CANCELLED)
ACTIVE = (State.QUEUED, State.RUNNING)
RECENT_RUNS = 20  # a run's expected use is the median of the challenge's last runs


@dataclass(frozen=True)
class Budget:
    """An entrant's compute on one challenge over its budget period."""

    period: str  # "a rolling 7 days"
    cpu_used: float
    cpu_limit: int | None  # None: no CPU budget
    gpu_used: float
    gpu_limit: int | None
    frees_at: dt.datetime | None  # when the oldest charged run leaves the period

    @property
    def cpu_left(self) -> float | None:
        return None if self.cpu_limit is None else max(self.cpu_limit - self.cpu_used, 0.0)

    @property
    def gpu_left(self) -> float | None:
        return None if self.gpu_limit is None else max(self.gpu_limit - self.gpu_used, 0.0)

    @property
    def spent(self) -> str | None:
        """Which budget is used up, if one is ("CPU", "GPU")."""
        if self.cpu_limit is not None and self.cpu_used >= self.cpu_limit:
            return "CPU"
        if self.gpu_limit is not None and self.gpu_used >= self.gpu_limit:
            return "GPU"
        return None


def _charged_runs(
    entrant: Entrant, challenge: Challenge, since: dt.datetime
) -> QuerySet[Submission]:
    return Submission.objects.filter(
        entrant.rows, challenge=challenge, state__in=CHARGED, finished_at__gte=since
    )


def budget_of(
    *,
    entrant: Entrant,
    challenge: Challenge,
    now: dt.datetime | None = None,
    as_seen: bool = False,
) -> Budget | None:
    """None when the challenge sets no budget. A sealed run counts on the grid of
    its limits (``sealing``); ``as_seen``: the budget as its entrant is shown it,
    without the sealed runs whose end is not shown yet."""
    if not challenge.has_budget:
        return None
    moment = now or clock.now()
    since = moment - challenge.budget_window
    rows = _charged_runs(entrant, challenge, since).values_list(
        "cpu_seconds", "gpu_seconds", "finished_at", "started_at", "sealed"
    )
    wall = float(challenge.limits.get("wall_seconds", 60))
    cpu_limit = float(challenge.limits.get("cpu_seconds", wall))
    cpu = gpu = 0.0
    oldest: dt.datetime | None = None
    for cpu_seconds, gpu_seconds, finished, started, sealed in rows:
        shown_at = sealing.end_shown_at(started=started, ended=finished, wall_limit_seconds=wall)
        if as_seen and sealed and shown_at is not None and moment < shown_at:
            continue
        cpu += sealing.charged_seconds(cpu_seconds, limit_seconds=cpu_limit, sealed=sealed)
        gpu += sealing.charged_seconds(gpu_seconds, limit_seconds=wall, sealed=sealed)
        if finished is not None and (oldest is None or finished < oldest):
            oldest = finished
    return Budget(
        period=challenge.get_budget_period_display(),
        cpu_used=cpu,
        cpu_limit=challenge.cpu_budget_seconds,
        gpu_used=gpu,
        gpu_limit=challenge.gpu_budget_seconds,
        frees_at=oldest + challenge.budget_window if oldest is not None else None,
    )


def _frees(budget: Budget) -> str:
    if budget.frees_at is None:
        return ""
    return f"; it frees up as runs leave {budget.period}, the oldest on {clock.site_time(budget.frees_at)}"


def budget_spent(*, entrant: Entrant, challenge: Challenge, now: dt.datetime) -> str | None:
    """Why nothing more can run for the entrant now (a budget used up), else None."""
    budget = budget_of(entrant=entrant, challenge=challenge, now=now)
    if budget is None or budget.spent is None:
        return None
    limit = budget.cpu_limit if budget.spent == "CPU" else budget.gpu_limit
    used = budget.cpu_used if budget.spent == "CPU" else budget.gpu_used
    return (
        f"The {budget.spent} budget of this challenge is spent: {used:,.0f} of {limit:,} "
        f"{budget.spent} seconds in {budget.period}{_frees(budget)}."
    )


def expected_use(*, challenge: Challenge) -> tuple[float, float]:
    """(CPU seconds, GPU seconds) a run of the challenge is expected to use: the
    medians of its last runs (0 before it has any: nothing is predicted)."""
    rows = (
        Submission.objects.filter(challenge=challenge, state__in=CHARGED, cpu_seconds__isnull=False)
        .exclude(state=State.CANCELLED)
        .order_by("-finished_at")
        .values_list("cpu_seconds", "gpu_seconds")[:RECENT_RUNS]
    )
    cpu = [float(c) for c, _ in rows if c is not None]
    gpu = [float(g) for _, g in rows if g]
    return (statistics.median(cpu) if cpu else 0.0, statistics.median(gpu) if gpu else 0.0)


def dispatch_refusal(*, entrant: Entrant, challenge: Challenge, now: dt.datetime) -> str | None:
    """Why a pending run of the entrant may not start: it would go past a budget,
    counting what was used, the runs of theirs already queued or running and this
    one at the challenge's expected use."""
    budget = budget_of(entrant=entrant, challenge=challenge, now=now)
    if budget is None:
        return None
    if budget.spent is not None:
        return budget_spent(entrant=entrant, challenge=challenge, now=now)
    active = Submission.objects.filter(entrant.rows, challenge=challenge, state__in=ACTIVE).count()
    cpu, gpu = expected_use(challenge=challenge)
    runs = active + 1
    for kind, used, limit, each in (
        ("CPU", budget.cpu_used, budget.cpu_limit, cpu),
        ("GPU", budget.gpu_used, budget.gpu_limit, gpu),
    ):
        if limit is not None and each > 0 and used + runs * each > limit:
            return (
                f"Not run: it would go past the {kind} budget of this challenge "
                f"({used:,.0f} of {limit:,} {kind} seconds used in {budget.period}, "
                f"and a run here takes about {each:,.0f}){_frees(budget)}. "
                "It is not counted against your daily limit."
            )
    return None


def cpu_seconds_by_participant(*, since: dt.datetime) -> Counter[int]:
    """Participant id -> CPU seconds their runs that ended since ``since`` used
    (the dispatcher's fair share)."""
    rows = (
        Submission.objects.filter(state__in=CHARGED, finished_at__gte=since)
        .values("user_id")
        .annotate(used=Sum("cpu_seconds"))
        .values_list("user_id", "used")
    )
    return Counter({user: float(used or 0.0) for user, used in rows})

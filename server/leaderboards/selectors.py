"""Reads for leaderboards. The ranking rules live in graders.ranking; here the
database does the heavy part (one window query per board picks each
participant's best row), so a page costs the same few queries at 50 or 50,000
submissions."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, FloatField, Max, Min, QuerySet, Value, When, Window
from django.db.models.expressions import OrderBy, RowRange
from django.db.models.functions import Coalesce, Least, RowNumber

from graders.ranking import Entry, RankedRow, rank
from server.competitions.models import Challenge, Disqualification, Phase
from server.submissions.models import Submission

DAY = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Scope:
    """Which submissions a board ranks: those made during one phase, or all of
    them when the challenge has no phases. Its private ranking is revealed to
    everyone once the phase has ended (never, without phases)."""

    phase: Phase | None

    @property
    def label(self) -> str:
        return self.phase.name if self.phase is not None else "All submissions"

    @property
    def reveal_at(self) -> dt.datetime | None:
        return self.phase.ends_at if self.phase is not None else None

    def revealed(self, at: dt.datetime) -> bool:
        return self.phase is not None and self.phase.has_ended_at(at)

    def restrict(self, rows: QuerySet[Submission]) -> QuerySet[Submission]:
        if self.phase is None:
            return rows
        return rows.filter(created_at__gte=self.phase.starts_at, created_at__lt=self.phase.ends_at)


def board_scopes(*, challenge: Challenge, at: dt.datetime) -> list[Scope]:
    """The boards a visitor can pick: every phase that has started (or the first
    one, before any has), or one board when the challenge has no phases."""
    phases = sorted(challenge.phases.all(), key=lambda phase: phase.starts_at)
    if not phases:
        return [Scope(None)]
    started = [phase for phase in phases if phase.starts_at <= at]
    return [Scope(phase) for phase in (started or phases[:1])]


def board_scope(*, challenge: Challenge, phase_id: int | None, at: dt.datetime) -> Scope:
    """The chosen phase's board, else the open phase's, else the last one started."""
    scopes = board_scopes(challenge=challenge, at=at)
    chosen = [s for s in scopes if s.phase is not None and s.phase.id == phase_id]
    if chosen:
        return chosen[0]
    current = [s for s in scopes if s.phase is not None and s.phase.is_open_at(at)]
    return current[0] if current else scopes[-1]


@dataclass(frozen=True)
class BoardRow:
    rank: int | None
    participant: str
    score: float
    submitted_at: dt.datetime
    submission_id: int | None
    is_baseline: bool
    label: str
    entries: int
    last_submitted_at: dt.datetime | None
    change: int | None  # places gained since yesterday (negative: lost); None: not ranked then


def _scored(challenge: Challenge, scope: Scope) -> QuerySet[Submission]:
    # order_by(): the model's default ordering would sort every windowed row again.
    rows = (
        Submission.objects.order_by()
        .filter(challenge=challenge, state=Submission.State.SCORED, public_score__isnull=False)
        .exclude(user_id__in=Disqualification.objects.filter(challenge=challenge).values("user_id"))
    )
    return scope.restrict(rows)


def _best_first(direction: str, field: str) -> list[OrderBy]:
    score = F(field).asc() if direction == "lower" else F(field).desc()
    return [score, F("created_at").asc(), F("id").asc()]


def _best_now_and_then(
    challenge: Challenge, scope: Scope, *, then: dt.datetime
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Each participant's best row now, and their best row among those made
    before ``then``, from one pass over the board's submissions: rows of
    (id, username, score, created_at, entries, last_at)."""
    per_user = [F("user_id")]
    best_first = _best_first(challenge.direction, "public_score")
    made_later = Case(When(created_at__lt=then, then=Value(0)), default=Value(1))
    rows = (
        _scored(challenge, scope)
        .annotate(
            now_position=Window(RowNumber(), partition_by=per_user, order_by=best_first),
            # Rows made before ``then`` come first, so position 1 is then's best.
            then_position=Window(
                RowNumber(), partition_by=per_user, order_by=[made_later.asc(), *best_first]
            ),
            entries=Window(Count("id"), partition_by=per_user),
            last_at=Window(Max("created_at"), partition_by=per_user),
        )
        .annotate(first_of_either=Least("now_position", "then_position"))
        .filter(first_of_either=1)
        .values_list(
            "id",
            "user__username",
            "public_score",
            "created_at",
            "entries",
            "last_at",
            "now_position",
            "then_position",
        )
    )
    now, earlier = [], []
    for row in rows:
        if row[6] == 1:
            now.append(row[:6])
        if row[7] == 1 and row[3] < then:
            earlier.append(row[:6])
    return now, earlier


def _baseline_entries(challenge: Challenge) -> list[Entry]:
    return [
        Entry(
            participant="",
            score=baseline.score,
            submitted_at=challenge.created_at,
            is_baseline=True,
            label=baseline.name,
        )
        for baseline in challenge.baselines.all()
    ]


def _ranked(challenge: Challenge, best: Iterable[tuple[Any, ...]]) -> list[RankedRow]:
    entries = [
        Entry(participant=name, score=score, submitted_at=created, submission_id=sid)
        for sid, name, score, created, *_ in best
    ]
    return rank(entries + _baseline_entries(challenge), direction=challenge.direction)


def public_board(*, challenge: Challenge, scope: Scope, at: dt.datetime) -> list[BoardRow]:
    """Public-split ranking: each participant's best, ties to the earlier
    submission, baselines as marked rows at their place, and each participant's
    move since the same board 24 hours earlier."""
    best, best_then = _best_now_and_then(challenge, scope, then=at - DAY)
    stats = {name: (entries, last_at) for _, name, _, _, entries, last_at in best}
    earlier = _ranked(challenge, best_then)
    ranks_then = {row.participant: row.rank for row in earlier if not row.is_baseline}
    return [
        _row(row, stats.get(row.participant), ranks_then.get(row.participant))
        for row in _ranked(challenge, best)
    ]


def private_board(*, challenge: Challenge, scope: Scope) -> list[BoardRow]:
    """Private-split ranking: each participant's best private score among the
    submissions they marked as final or, when they marked none, among their
    ``max_final`` best by public score."""
    base = _scored(challenge, scope).filter(private_score__isnull=False)
    picked = base.filter(selected=True)
    fallback = (
        base.exclude(user_id__in=picked.values("user_id"))
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("user_id")],
                order_by=_best_first(challenge.direction, "public_score"),
            )
        )
        .filter(position__lte=challenge.max_final)
    )
    fields = ("id", "user__username", "private_score", "created_at")
    candidates = list(picked.values_list(*fields)) + list(fallback.values_list(*fields))
    stats = {
        row["user__username"]: (row["n"], row["last"])
        for row in base.values("user__username").annotate(n=Count("id"), last=Max("created_at"))
    }
    return [_row(row, stats.get(row.participant), None) for row in _ranked(challenge, candidates)]


def _row(row: RankedRow, stats: tuple[int, dt.datetime] | None, rank_then: int | None) -> BoardRow:
    entries, last_at = stats if stats is not None else (0, None)
    change = None if row.rank is None or rank_then is None else rank_then - row.rank
    return BoardRow(
        rank=row.rank,
        participant=row.participant,
        score=row.score,
        submitted_at=row.submitted_at,
        submission_id=row.submission_id,
        is_baseline=row.is_baseline,
        label=row.label,
        entries=entries,
        last_submitted_at=last_at,
        change=change,
    )


def record_progression(*, challenge: Challenge, scope: Scope) -> list[tuple[dt.datetime, float]]:
    """The board's best public score over time: each submission that beat every
    earlier one, in order (one query and one sort, whatever the number of rows)."""
    lower = challenge.direction == "lower"
    before = Window(
        (Min if lower else Max)("public_score"),
        order_by=[F("created_at").asc(), F("id").asc()],
        frame=RowRange(start=None, end=-1),
    )
    # No earlier submission: compare against a bound every real score beats.
    bound = Value(math.inf if lower else -math.inf, output_field=FloatField())
    rows = _scored(challenge, scope).annotate(best_before=Coalesce(before, bound))
    beats = {"public_score__lt" if lower else "public_score__gt": F("best_before")}
    return sorted(rows.filter(**beats).values_list("created_at", "public_score"))


def progressions(
    *, challenge: Challenge, scope: Scope, participants: list[str]
) -> dict[str, list[tuple[dt.datetime, float]]]:
    """Each named participant's best-so-far public score at each improvement."""
    rows = (
        _scored(challenge, scope)
        .filter(user__username__in=participants)
        .order_by("created_at", "id")
        .values_list("user__username", "created_at", "public_score")
    )
    lower = challenge.direction == "lower"
    series: dict[str, list[tuple[dt.datetime, float]]] = {name: [] for name in participants}
    for name, created, score in rows:
        points = series[name]
        if not points or (score < points[-1][1] if lower else score > points[-1][1]):
            points.append((created, score))
    return {name: points for name, points in series.items() if points}


def best_scores_of(*, user: Any, challenges: Iterable[Challenge]) -> dict[int, float]:
    """The signed-in participant's best public score per challenge (for the cards)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    ids = [c.id for c in challenges]
    direction = {c.id: c.direction for c in challenges}
    rows = (
        Submission.objects.filter(user=user, challenge_id__in=ids, state=Submission.State.SCORED)
        .values("challenge_id")
        .annotate(high=Max("public_score"), low=Min("public_score"))
    )
    return {
        row["challenge_id"]: row["low"]
        if direction[row["challenge_id"]] == "lower"
        else row["high"]
        for row in rows
    }

"""Leaderboard ranking rules, pure so that the site, an export and a notebook agree.

Rules:
- NaN scores are dropped: they rank nowhere and count as no entry.
- Each participant is represented by their best score in the metric's
  direction; on equal scores the earlier submission stands, since a copy of a
  score should not displace the one who reached it first.
- Rows (participants and baselines) are sorted best-first; equal scores are
  ordered by earlier ``submitted_at``, then by submission id and name so the
  order never depends on the input order.
- Participants get ranks 1..n in that order. Equal scores still get distinct
  ranks (the earlier one ranks higher), so a rank names exactly one
  participant and can decide prizes. Baselines get rank ``None`` and take no
  rank from anyone.
- A participant whose score's 95% interval overlaps the interval of the
  participant ranked just above is marked as statistically tied with them: the
  test set cannot tell the two apart. The mark informs; it never reorders.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graders.metrics import DIRECTIONS

SortKey = tuple[Any, ...]


@dataclass(frozen=True)
class Entry:
    """One scored submission, or a baseline (``is_baseline``, named by ``label``)."""

    participant: str
    score: float
    submitted_at: datetime
    submission_id: int | None = None
    is_baseline: bool = False
    label: str = ""
    interval: tuple[float, float] | None = None  # the score's 95% bootstrap interval


@dataclass(frozen=True)
class RankedRow:
    """A leaderboard line: the participant's best entry, with how many scored
    submissions they have (``entries``; 0 for a baseline)."""

    rank: int | None
    participant: str
    score: float
    submitted_at: datetime
    submission_id: int | None
    is_baseline: bool
    label: str
    entries: int
    interval: tuple[float, float] | None = None
    tied_with_above: bool = False  # its interval overlaps the participant's just above


def rank(entries: Iterable[Entry], *, direction: str) -> list[RankedRow]:
    """Rank ``entries`` by the rules in this module's docstring."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'higher' or 'lower', got {direction!r}")
    scored = [entry for entry in entries if not math.isnan(entry.score)]
    counts = Counter(entry.participant for entry in scored if not entry.is_baseline)
    rows = _best_per_participant(scored, direction) + [e for e in scored if e.is_baseline]
    rows.sort(key=lambda entry: _sort_key(entry, direction))
    return _number(rows, counts)


def _best_per_participant(entries: list[Entry], direction: str) -> list[Entry]:
    best: dict[str, Entry] = {}
    for entry in entries:
        if entry.is_baseline:
            continue
        current = best.get(entry.participant)
        if current is None or _sort_key(entry, direction) < _sort_key(current, direction):
            best[entry.participant] = entry
    return list(best.values())


def best_first(direction: str) -> list[tuple[str, bool]]:
    """Who is ahead, as sort keys: ``(Entry field, descending)``, best first. The
    one statement of the rule: ``rank`` sorts by it here, and a database query that
    picks each participant's best row orders by the same keys."""
    return [("score", direction == "higher"), ("submitted_at", False), ("submission_id", False)]


def _sort_key(entry: Entry, direction: str) -> SortKey:
    """Smaller is better: the keys of ``best_first``, then stable tie-breaks."""
    keys: list[Any] = []
    for name, descending in best_first(direction):
        value = getattr(entry, name)
        if value is None:  # a baseline has no submission: after every real one
            value = math.inf
        keys.append(-value if descending else value)
    return (*keys, entry.participant, entry.label)


def overlap(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    """Whether two intervals share a point (False when either is unknown)."""
    return a is not None and b is not None and a[0] <= b[1] and b[0] <= a[1]


def _number(rows: list[Entry], counts: Counter[str]) -> list[RankedRow]:
    ranked: list[RankedRow] = []
    next_rank = 1
    above: Entry | None = None  # the participant ranked just above
    for entry in rows:
        position = None if entry.is_baseline else next_rank
        next_rank += 0 if entry.is_baseline else 1
        tied = (
            not entry.is_baseline and above is not None and overlap(entry.interval, above.interval)
        )
        above = above if entry.is_baseline else entry
        ranked.append(
            RankedRow(
                rank=position,
                participant=entry.participant,
                score=entry.score,
                submitted_at=entry.submitted_at,
                submission_id=entry.submission_id,
                is_baseline=entry.is_baseline,
                label=entry.label,
                entries=0 if entry.is_baseline else counts[entry.participant],
                interval=entry.interval,
                tied_with_above=tied,
            )
        )
    return ranked

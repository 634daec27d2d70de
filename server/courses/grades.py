"""A course's grading rule for one challenge, pure: 0 points at one score, every
point at another, linear between and capped; each day late costs a share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GradeRule:
    zero_at: float  # this score (or worse) earns no points
    full_at: float  # this score (or better) earns every point
    points: int

    def grade(self, score: float | None, *, late_days: int = 0, penalty_percent: int = 0) -> float:
        """Points for ``score`` (none for no score), less ``penalty_percent`` of them
        per day late; never below 0. The direction is the rule's: ``full_at`` may be
        below ``zero_at`` (a lower-is-better metric)."""
        if score is None or self.full_at == self.zero_at:
            return 0.0
        share = (score - self.zero_at) / (self.full_at - self.zero_at)
        earned = self.points * min(max(share, 0.0), 1.0)
        kept = max(0.0, 1.0 - penalty_percent * late_days / 100)
        return round(earned * kept, 2)

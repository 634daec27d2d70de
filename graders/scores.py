"""What every kind of grading returns: a score per split, how many items each
covers and, where the kind can tell, the 95% interval of each score
(``graders.bootstrap``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from graders.bootstrap import mean_interval
from graders.errors import InvalidOutput

Interval = tuple[float, float]


@dataclass(frozen=True)
class Scores:
    public: float
    private: float
    n_public: int
    n_private: int
    public_interval: Interval | None = None
    private_interval: Interval | None = None

    @classmethod
    def of_items(cls, values: np.ndarray, public: np.ndarray) -> Scores:
        """Each split's mean of per-item ``values`` (``public`` marks the public
        items), with its bootstrap interval."""
        halves = values[public], values[~public]
        return cls(
            public=float(halves[0].mean()),
            private=float(halves[1].mean()),
            n_public=len(halves[0]),
            n_private=len(halves[1]),
            public_interval=mean_interval(halves[0]),
            private_interval=mean_interval(halves[1]),
        )


def check_range(scores: Scores, *, low: float, high: float) -> Scores:
    """``scores`` when both are finite numbers within [low, high]; else the output
    is unusable (``InvalidOutput``), never a score that would top or sink a board."""
    for split, value in (("public", scores.public), ("private", scores.private)):
        if not math.isfinite(value):
            raise InvalidOutput(
                f"Your output gives a {split} score that is not a finite number ({value}); "
                "look for values that overflow (e.g. 1e308) or are not numbers."
            )
        if not low <= value <= high:
            raise InvalidOutput(
                f"Your output gives a {split} score of {value:g}, outside the metric's "
                f"range [{low:g}, {high:g}]."
            )
    return scores

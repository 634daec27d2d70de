"""What a metric is: a name, the direction in which it improves, the range a real
score lies in, and a pure function giving one value per item, whose mean is the
score (so a score's uncertainty can be estimated by resampling its items)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

Direction = Literal["higher", "lower"]
DIRECTIONS: tuple[Direction, ...] = ("higher", "lower")
PerItem = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Metric:
    """``per_item(y_true, y_pred)`` takes two 1-D arrays of equal, non-zero length."""

    name: str
    direction: Direction
    per_item: PerItem
    low: float = 0.0
    high: float = math.inf

    def fn(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        """The score: the mean of the per-item values."""
        return float(np.mean(self.per_item(y_true, y_pred)))


def check_pair(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    """Reject inputs that would make a score meaningless rather than return NaN silently."""
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        shapes = f"{y_true.shape} and {y_pred.shape}"
        raise ValueError(f"expected two 1-D arrays of one shape, got {shapes}")
    if y_true.size == 0:
        raise ValueError("cannot score an empty set of items")

"""What a metric is: a name, the direction in which it improves, and a pure function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

Direction = Literal["higher", "lower"]
DIRECTIONS: tuple[Direction, ...] = ("higher", "lower")


@dataclass(frozen=True)
class Metric:
    """``fn(y_true, y_pred)`` takes two 1-D arrays of equal, non-zero length."""

    name: str
    direction: Direction
    fn: Callable[[np.ndarray, np.ndarray], float]


def check_pair(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    """Reject inputs that would make a score meaningless rather than return NaN silently."""
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        shapes = f"{y_true.shape} and {y_pred.shape}"
        raise ValueError(f"expected two 1-D arrays of one shape, got {shapes}")
    if y_true.size == 0:
        raise ValueError("cannot score an empty set of items")

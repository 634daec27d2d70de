"""Accuracy: the share of items whose predicted label equals the true one."""

from __future__ import annotations

import numpy as np

from graders.metrics.base import Metric, check_pair


def correct(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """1.0 for each item predicted right, 0.0 for the others."""
    check_pair(y_true, y_pred)
    hits: np.ndarray = (y_true == y_pred).astype(np.float64)
    return hits


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(correct(y_true, y_pred)))


METRIC = Metric(name="accuracy", direction="higher", per_item=correct, low=0.0, high=1.0)

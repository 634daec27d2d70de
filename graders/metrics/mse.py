"""Mean squared error, for regression challenges."""

from __future__ import annotations

import numpy as np

from graders.metrics.base import Metric, check_pair


def squared_errors(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    check_pair(y_true, y_pred)
    errors = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    with np.errstate(over="ignore"):  # an overflow is an infinite score, refused later
        return errors * errors


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(squared_errors(y_true, y_pred)))


METRIC = Metric(name="mse", direction="lower", per_item=squared_errors)

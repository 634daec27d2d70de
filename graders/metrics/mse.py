"""Mean squared error, for regression challenges."""

from __future__ import annotations

import numpy as np

from graders.metrics.base import Metric, check_pair


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    check_pair(y_true, y_pred)
    errors = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    return float(np.mean(errors * errors))


METRIC = Metric(name="mse", direction="lower", fn=mse)

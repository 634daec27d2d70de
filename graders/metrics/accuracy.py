"""Accuracy: the share of items whose predicted label equals the true one."""

from __future__ import annotations

import numpy as np

from graders.metrics.base import Metric, check_pair


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    check_pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


METRIC = Metric(name="accuracy", direction="higher", fn=accuracy)

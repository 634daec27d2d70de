"""The metric registry. Adding a metric is adding a module that defines ``METRIC``
and listing it in ``_MODULES``."""

from __future__ import annotations

from graders.metrics import accuracy, mse
from graders.metrics.base import DIRECTIONS, Direction, Metric

__all__ = ["DIRECTIONS", "METRICS", "Direction", "Metric", "get_metric"]

_MODULES = (accuracy, mse)
METRICS: dict[str, Metric] = {module.METRIC.name: module.METRIC for module in _MODULES}


def get_metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        known = ", ".join(sorted(METRICS))
        raise KeyError(f"unknown metric {name!r} (known: {known})") from None

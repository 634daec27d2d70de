"""The metric registry. Adding a metric is adding a module that defines ``METRIC``
and listing it in ``_MODULES``."""

from __future__ import annotations

from graders.metrics import accuracy, mse
from graders.metrics.base import DIRECTIONS, Direction, Metric
from graders.registry import Registry

__all__ = ["DIRECTIONS", "METRICS", "Direction", "Metric"]

_MODULES = (accuracy, mse)
METRICS: Registry[Metric] = Registry("metric", [(m.METRIC.name, m.METRIC) for m in _MODULES])

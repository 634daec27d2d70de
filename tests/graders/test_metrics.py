from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from graders.metrics import METRICS, Metric
from graders.metrics.accuracy import accuracy
from graders.metrics.mse import mse


def test_accuracy_is_the_share_of_exact_matches() -> None:
    assert accuracy(np.array([0, 1, 1, 0]), np.array([0, 1, 0, 0])) == 0.75


def test_accuracy_compares_integer_predictions_with_float_truth() -> None:
    assert accuracy(np.array([1.0, 2.0]), np.array([1, 2])) == 1.0


def test_mse_is_the_mean_of_squared_errors() -> None:
    assert mse(np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0, 1.0])) == 1.25


def test_accuracy_improves_upward_and_mse_downward() -> None:
    assert METRICS["accuracy"].direction == "higher"
    assert METRICS["mse"].direction == "lower"


def test_every_registered_metric_is_named_by_its_key() -> None:
    assert {name: metric.name for name, metric in METRICS.items()} == {n: n for n in METRICS}


def test_metrics_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        METRICS["mse"].direction = "higher"  # type: ignore[misc]


def test_unknown_metric_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known: accuracy, mse"):
        METRICS["f1"]


@pytest.mark.parametrize("metric", list(METRICS.values()), ids=list(METRICS))
def test_arrays_of_different_lengths_are_refused(metric: Metric) -> None:
    with pytest.raises(ValueError, match="one shape"):
        metric.fn(np.array([1.0, 2.0]), np.array([1.0]))


@pytest.mark.parametrize("metric", list(METRICS.values()), ids=list(METRICS))
def test_an_empty_set_is_refused_rather_than_scored_nan(metric: Metric) -> None:
    with pytest.raises(ValueError, match="empty"):
        metric.fn(np.array([]), np.array([]))

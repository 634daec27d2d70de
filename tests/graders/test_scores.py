"""Only finite scores within the metric's range are scores; the rest is invalid output."""

from __future__ import annotations

import math

import pytest

from graders import InvalidOutput, Scores
from graders.scores import check_range


def _scores(public: float, private: float = 0.5) -> Scores:
    return Scores(public=public, private=private, n_public=10, n_private=10)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_score_that_is_not_a_finite_number_is_invalid_output(value: float):
    with pytest.raises(InvalidOutput, match="not a finite number"):
        check_range(_scores(0.5, value), low=0.0, high=1.0)


def test_a_score_outside_the_metric_range_is_invalid_output():
    with pytest.raises(InvalidOutput, match=r"outside the metric's range \[0, 1\]"):
        check_range(_scores(1.5), low=0.0, high=1.0)


def test_scores_within_the_range_pass_unchanged():
    scores = _scores(0.0, 1.0)
    assert check_range(scores, low=0.0, high=1.0) is scores

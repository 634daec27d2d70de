"""The bootstrap interval of a mean, against answers known in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from graders.bootstrap import mean_interval


def test_a_share_of_700_in_1000_gets_the_binomial_interval():
    # The resampled share is Binomial(1000, 0.7) / 1000: its 95% interval is
    # 0.7 +- 1.96 sqrt(0.7 * 0.3 / 1000) = [0.6716, 0.7284] (normal approximation).
    values = np.array([1.0] * 700 + [0.0] * 300)
    low, high = mean_interval(values)
    half = 1.96 * math.sqrt(0.7 * 0.3 / 1000)
    assert low == pytest.approx(0.7 - half, abs=0.004)
    assert high == pytest.approx(0.7 + half, abs=0.004)


def test_normal_values_get_the_interval_of_their_standard_error():
    values = np.random.default_rng(5).normal(10.0, 2.0, size=2500)
    low, high = mean_interval(values)
    half = 1.96 * values.std() / math.sqrt(values.size)
    assert (low, high) == pytest.approx((values.mean() - half, values.mean() + half), abs=0.01)


def test_values_that_never_vary_leave_no_doubt():
    assert mean_interval(np.full(50, 0.25)) == (0.25, 0.25)


def test_the_same_values_give_the_same_interval_every_time():
    values = np.random.default_rng(9).random(777)
    assert mean_interval(values) == mean_interval(values.copy())


@pytest.mark.parametrize("bad", [np.array([]), np.ones((3, 3))])
def test_no_items_or_a_table_is_refused(bad: np.ndarray):
    with pytest.raises(ValueError, match="1-D"):
        mean_interval(bad)

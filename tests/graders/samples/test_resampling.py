"""The bootstrap interval of a Fréchet distance: against the known sampling spread of
a one-dimensional case, collapsed to a point where nothing varies, narrower for more
items, each replicate the distance of the resampled rows themselves, and the same on
any thread count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from graders.samples.fid import fit_counts, frechet_distance
from graders.samples.resampling import Features, centred_interval, score_intervals

REPO = Path(__file__).resolve().parents[3]
SIGMA, GAP = 100, 100  # one feature: N(1000, 100^2) against N(1100, 100^2)


def normal_counts(n: int, mean: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.rint(rng.normal(mean, SIGMA, size=(n, 1))).astype(np.int64)


def interval_of(samples: np.ndarray, reference: np.ndarray) -> tuple[float, tuple[float, float]]:
    score = frechet_distance(fit_counts(samples, 1.0), fit_counts(reference, 1.0))
    (interval,) = score_intervals(samples, [reference], scores=[score], unit=1.0)
    return score, interval


def test_the_interval_matches_the_known_spread_of_a_distance_between_means():
    """In one dimension with equal spreads, FID = (m1 - m2)^2 + (s1 - s2)^2, and for
    means far apart the first term rules: m1 - m2 is normal with standard deviation
    sigma * sqrt(1/N1 + 1/N2), so FID is about normal with standard deviation
    2 |m1 - m2| sigma sqrt(1/N1 + 1/N2) (the delta method)."""
    n = 2000
    samples, reference = normal_counts(n, 1000, seed=1), normal_counts(n, 1000 + GAP, seed=2)
    score, (low, high) = interval_of(samples, reference)
    gap = abs(samples.mean() - reference.mean())
    spread = 2 * gap * SIGMA * np.sqrt(2 / n)
    assert high - low == pytest.approx(2 * 1.96 * spread, rel=0.1)
    assert low < score < high
    assert low < GAP**2 < high  # the true distance, 10,000


def test_more_items_give_a_narrower_interval():
    def width(n: int) -> float:
        samples = normal_counts(n, 1000, seed=3)
        _, (low, high) = interval_of(samples, normal_counts(n, 1000 + GAP, seed=4))
        return high - low

    # The spread falls as 1 / sqrt(N): four times the items, half the width.
    assert width(8000) / width(2000) == pytest.approx(0.5, abs=0.1)


def test_sets_that_do_not_vary_give_an_interval_of_one_point():
    samples = np.tile(np.array([[5, 0, 7]]), (300, 1))
    reference = np.tile(np.array([[1, 2, 3]]), (200, 1))
    score, interval = interval_of(samples, reference)
    assert score == 36.0 and interval == (36.0, 36.0)  # 4^2 + 2^2 + 4^2, every replicate


def test_the_penalty_of_each_resample_multiplies_its_distance():
    samples, reference = normal_counts(500, 1000, seed=5), normal_counts(500, 1100, seed=6)
    score, plain = interval_of(samples, reference)
    (doubled,) = score_intervals(
        samples, [reference], scores=[2 * score], unit=1.0, penalty=lambda weights: 2.0
    )
    assert doubled == pytest.approx((2 * plain[0], 2 * plain[1]), rel=1e-12)


def test_the_interval_is_centred_on_the_score_and_never_below_zero():
    replicates = np.linspace(1.0, 3.0, 401)  # median 2
    assert centred_interval(replicates, 2.5) == pytest.approx((1.55, 3.45))
    assert centred_interval(replicates, 0.2)[0] == 0.0


def _features(n: int, seed: int, distinct: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mixing = rng.integers(0, 4, size=(8, 16))
    counts = rng.integers(0, 50, size=(n if distinct is None else distinct, 8)) @ mixing
    if distinct is not None:  # a few images repeated: a singular covariance
        counts = counts[rng.integers(0, distinct, size=n)]
    counts[:, 3] = 0  # a dead feature
    return counts.astype(np.uint16)


@pytest.mark.parametrize("distinct", [None, 5], ids=["full rank (Cholesky)", "five images (QR)"])
def test_each_replicate_is_the_distance_of_the_resampled_rows_themselves(distinct):
    samples, reference = _features(600, 1, distinct), _features(400, 2)
    unit = 1 / 255
    a, b = Features.of(samples, unit), Features.of(reference, unit)
    rng = np.random.default_rng(0)
    for _ in range(3):
        wa, wb = a.draw(rng), b.draw(rng)
        assert wa.sum() == len(samples) and wb.sum() == len(reference)
        resampled = frechet_distance(a.gaussian(wa), b.gaussian(wb))
        repeated = frechet_distance(
            fit_counts(np.repeat(samples, wa, axis=0), unit),
            fit_counts(np.repeat(reference, wb, axis=0), unit),
        )
        assert resampled == pytest.approx(repeated, rel=1e-11)


_CHILD = """
import json, sys
import numpy as np
from graders.samples.resampling import score_intervals
from tests.graders.samples.test_resampling import _features
print(json.dumps(score_intervals(
    _features(800, 1), [_features(300, 2), _features(300, 3)],
    scores=[1.0, 2.0], unit=1 / 255, resamples=100,
)))
"""


def test_the_interval_is_the_same_twice_and_on_any_thread_count():
    def on(threads: str) -> list[list[float]]:
        env = {**os.environ, "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads}
        done = subprocess.run(
            [sys.executable, "-c", _CHILD], cwd=REPO, env=env, capture_output=True, check=True
        )
        result: list[list[float]] = json.loads(done.stdout)
        return result

    samples, references = _features(800, 1), [_features(300, 2), _features(300, 3)]
    here = score_intervals(samples, references, scores=[1.0, 2.0], unit=1 / 255, resamples=100)
    again = score_intervals(samples, references, scores=[1.0, 2.0], unit=1 / 255, resamples=100)
    assert here == again
    for threads in ("1", "2"):
        there = on(threads)
        assert np.allclose(there, here, rtol=1e-11, atol=0), threads

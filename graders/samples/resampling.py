"""How sure a memorization-aware FID is: a 95% percentile-bootstrap interval.

A Fréchet distance is no mean of per-item values (``graders.bootstrap``), but the
bootstrap applies all the same. Both sets the distance compares are finite draws:
the split's test images and the program's samples. Each of ``RESAMPLES`` replicates
draws, with replacement, as many samples as there are and as many test images as the
split holds, from one seeded generator in a fixed order, and recomputes the score:
the distance between Gaussians fitted to the two resampled sets, times the
memorization penalty of the resampled samples (their share of near-copies). The
2.5th and 97.5th percentiles of the replicates, moved so that their median is the
score (``centred_interval``: a resampled distance is biased upwards), are the
interval. One replicate's samples serve both splits, as the samples serve both
scores. The seed is fixed: the same output gets the same interval every time.

A resample is a weight per row (how many times it was drawn), so its Gaussian is
exact as ``fid.fit_counts`` makes one: the feature sums ``s`` and the scatter
``N * sum_i w_i x_i x_i^T - s s^T`` are integers (``exact.py``). The factor of the
covariance (``cov = root.T @ root``) is the Cholesky factor of that exact matrix,
over the features that vary: backward stable, its rounding moves the distance by
about ``1e-16 * sqrt(condition)`` of the covariances' size, and a condition above
``MAX_CONDITION`` (or a singular scatter: a few distinct images) sends the
replicate to the QR factor of its weighted rows instead (``fid.data_root``, the
score's own, stable whatever the rank, ten times the cost). So the interval is
the same on every machine to about 1e-11 of the score, far below the digits shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # an environment set up before it was required
    threadpool_limits = None

from graders.bootstrap import SEED, percentile_interval
from graders.samples import exact
from graders.samples.fid import Gaussian, data_root, frechet_distance
from graders.scores import Interval

# 2.5% and 97.5% points from 500 replicates (order statistics 13 and 488). A replicate
# of the GAN's 10,000 samples and two splits of 5,000 costs about 6 ms of one core
# (three exact scatters, three small factorisations, two 64 x 64 SVDs): 3 s in all.
RESAMPLES = 500
MAX_CONDITION = 1e10  # of a scatter (an upper bound of it): moves a distance by 1e-11
Penalty = Callable[[np.ndarray], float]  # the factor of a resample of the samples


def _one_blas_thread() -> AbstractContextManager[object]:
    """BLAS on one thread: the products here are too small for threads, which cost them
    several times what they save (twenty times on a busy machine). Without threadpoolctl
    (requirements.txt lists it) the thread count stays as it is: slower, same result."""
    if threadpool_limits is None:
        return nullcontext()
    limits: AbstractContextManager[object] = threadpool_limits(limits=1, user_api="blas")
    return limits


def no_penalty(weights: np.ndarray) -> float:
    return 1.0


def score_intervals(
    samples: np.ndarray,
    references: Sequence[np.ndarray],
    *,
    scores: Sequence[float],
    unit: float,
    penalty: Penalty = no_penalty,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> list[Interval]:
    """The interval of each score ``FID(samples, reference) * penalty``, one per
    reference set: integer features [N, D] (``fid.fit_counts``'s) of the samples and
    of each split's test images; ``penalty`` takes how many times each sample was
    drawn. Each interval is centred on its score (``centred_interval``)."""
    with _one_blas_thread():
        return _score_intervals(samples, references, scores, unit, penalty, resamples, seed)


def _score_intervals(
    samples: np.ndarray,
    references: Sequence[np.ndarray],
    scores: Sequence[float],
    unit: float,
    penalty: Penalty,
    resamples: int,
    seed: int,
) -> list[Interval]:
    sets = [Features.of(counts, unit) for counts in (samples, *references)]
    rng = np.random.default_rng(seed)
    replicates = np.empty((len(references), resamples))
    for b in range(resamples):
        weights = sets[0].draw(rng)
        resampled, factor = sets[0].gaussian(weights), penalty(weights)
        for k, reference in enumerate(sets[1:]):
            drawn = reference.gaussian(reference.draw(rng))
            replicates[k, b] = frechet_distance(resampled, drawn) * factor
    return [centred_interval(v, score) for v, score in zip(replicates, scores, strict=True)]


@dataclass(frozen=True)
class Features:
    """One set's integer features, ready to be resampled."""

    rows: np.ndarray  # [N, D] float64 holding the integer features
    unit: float
    largest: int  # the largest feature
    distinct: np.ndarray  # [M, D] the distinct rows times unit, for the QR factor
    which: np.ndarray  # [N] the distinct row of each row

    @classmethod
    def of(cls, counts: np.ndarray, unit: float) -> Features:
        if counts.ndim != 2 or len(counts) < 2 or not np.issubdtype(counts.dtype, np.integer):
            raise ValueError(f"need integer features [N >= 2, D], got {counts.dtype}{counts.shape}")
        distinct, which = np.unique(counts, axis=0, return_inverse=True)
        return cls(
            rows=counts.astype(np.float64),
            unit=float(unit),
            largest=exact.largest(counts),
            distinct=distinct * float(unit),
            which=which.reshape(-1),
        )

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """int64 [N]: how many times each row is drawn in N draws with replacement."""
        n = len(self.rows)
        return np.bincount(rng.integers(0, n, size=n), minlength=n)

    def gaussian(self, weights: np.ndarray) -> Gaussian:
        """The Gaussian of the rows, row i drawn ``weights[i]`` times."""
        n = int(weights.sum())
        exact.check_bound(n * self.largest**2, "resampled scatter")
        sums, products = self._weighted_sums(weights)
        # N^2 * max^2 < 2**63 keeps the scatter in int64; otherwise Python's integers.
        kind: type = object if (n * self.largest) ** 2 >= 2**63 else np.int64
        scatter: np.ndarray = n * products.astype(kind) - np.outer(
            sums.astype(kind), sums.astype(kind)
        )
        scale = self.unit / math.sqrt(n * (n - 1.0))
        mean = sums / n * self.unit
        cov = scatter.astype(np.float64) * scale * scale
        root = _cholesky_root(scatter.astype(np.float64))
        if root is None:
            # Equal rows merged: a few distinct images make this cheap.
            merged = np.bincount(self.which, weights=weights, minlength=len(self.distinct))
            root = data_root(self.distinct, mean, merged.astype(np.int64))
        else:
            root *= scale
        return Gaussian(mean=mean, cov=cov, root=root)

    def _weighted_sums(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """int64 sum_i weights[i] x_i and sum_i weights[i] x_i x_i^T, exact (every partial
        sum an integer below N * max^2, checked): per weight, one symmetric product
        (half a general one's cost) and one reduction (a matrix-vector product would
        wake BLAS threads for nothing)."""
        dims = self.rows.shape[1]
        sums, products = np.zeros(dims), np.zeros((dims, dims))
        for weight in range(1, int(weights.max()) + 1):
            rows = self.rows[weights == weight]
            sums += weight * rows.sum(axis=0)
            products += weight * (rows.T @ rows)
        return sums.astype(np.int64), products.astype(np.int64)


def centred_interval(replicates: np.ndarray, score: float) -> Interval:
    """The percentile interval of the replicates, moved so that their median is the
    score. A resample repeats rows, and repeated rows look less alike to the real set:
    the replicates of a Fréchet distance sit above the score by about its own bias
    (about 0.3 for real digits scoring 0.7). Moved, the interval is the spread of the
    score around itself, never below 0."""
    shift = score - float(np.median(replicates))
    low, high = percentile_interval(replicates)
    return (max(low + shift, 0.0), high + shift)


def _cholesky_root(scatter: np.ndarray) -> np.ndarray | None:
    """U with scatter = U.T @ U over the features that vary (the others' rows and
    columns are exactly zero), or None where the scatter is singular or its
    condition is above ``MAX_CONDITION``."""
    varies = np.diagonal(scatter) > 0
    root = np.zeros((max(int(varies.sum()), 1), len(scatter)))
    if not varies.any():
        return root
    try:
        upper = np.linalg.cholesky(scatter[np.ix_(varies, varies)]).T
        inverse = np.linalg.inv(upper)
    except np.linalg.LinAlgError:
        return None
    # cond(scatter) = cond(upper)^2 <= (|upper|_F |upper^-1|_F)^2, an upper bound.
    condition = (np.linalg.norm(upper) * np.linalg.norm(inverse)) ** 2
    if not condition <= MAX_CONDITION:
        return None
    root[:, varies] = upper
    return root

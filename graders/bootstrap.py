"""How sure a score is: a 95% percentile-bootstrap interval over the items of a split.

A score here is the mean of per-item values (a digit classified right or not, a
stream's bits per character). Resampling the items with replacement, a fixed
number of times from a fixed seed, and taking the 2.5th and 97.5th percentiles
of the resampled means gives an interval that says how much the score owes to
which items happened to be in the split: two scores whose intervals overlap are
not told apart by this test set. The same values give the same interval on
every machine (the seed and the order of resampling are fixed).
"""

from __future__ import annotations

import numpy as np

LEVEL = 0.95
RESAMPLES = 2000
SEED = 1993  # Efron & Tibshirani, "An Introduction to the Bootstrap"
_BLOCK = 250  # resamples drawn at once: bounds memory at 250 x items indices


def mean_interval(
    values: np.ndarray, *, resamples: int = RESAMPLES, seed: int = SEED
) -> tuple[float, float]:
    """The ``LEVEL`` interval of ``values.mean()`` under resampling of the items."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("expected a non-empty 1-D array of per-item values")
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    for start in range(0, resamples, _BLOCK):
        count = min(_BLOCK, resamples - start)
        picks = rng.integers(0, values.size, size=(count, values.size))
        means[start : start + count] = values[picks].mean(axis=1)
    return percentile_interval(means)


def percentile_interval(replicates: np.ndarray) -> tuple[float, float]:
    """The ``LEVEL`` percentile interval of a score's bootstrap replicates."""
    tail = (1.0 - LEVEL) / 2.0
    low, high = np.quantile(np.asarray(replicates, dtype=np.float64), [tail, 1.0 - tail])
    return float(low), float(high)

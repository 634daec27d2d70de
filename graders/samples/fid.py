"""The Fréchet distance between two Gaussians (Heusel et al., 2017).

    FID = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))

``tr((S1 S2)^(1/2))`` is computed as the sum of the square roots of the
eigenvalues of ``S1^(1/2) S2 S1^(1/2)``, which is symmetric and positive
semi-definite, so symmetric eigensolvers (no complex square roots, no SciPy)
give it stably.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Gaussian:
    mean: np.ndarray  # [D], float64
    cov: np.ndarray  # [D, D], float64


def fit_gaussian(features: np.ndarray) -> Gaussian:
    """Mean and covariance (unbiased, ``N - 1``) of features [N, D], N >= 2."""
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"need features [N >= 2, D], got shape {x.shape}")
    return Gaussian(mean=x.mean(axis=0), cov=np.cov(x, rowvar=False))


def frechet_distance(a: Gaussian, b: Gaussian) -> float:
    if a.mean.shape != b.mean.shape:
        raise ValueError(f"features differ in size: {a.mean.shape} and {b.mean.shape}")
    root_a = _psd_sqrt(a.cov)
    inner = root_a @ b.cov @ root_a
    eigenvalues = np.linalg.eigvalsh((inner + inner.T) / 2.0)
    cross = np.sqrt(np.clip(eigenvalues, 0.0, None)).sum()
    diff = a.mean - b.mean
    distance = diff @ diff + np.trace(a.cov) + np.trace(b.cov) - 2.0 * cross
    return max(float(distance), 0.0)  # rounding can leave -1e-12 for equal inputs


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    eigenvalues, vectors = np.linalg.eigh((matrix + matrix.T) / 2.0)
    return (vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ vectors.T

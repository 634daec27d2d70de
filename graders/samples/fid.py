"""The Fréchet distance between two Gaussians (Heusel et al., 2017).

    FID = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))

The cross term is computed from factors ``S1 = A^T A`` and ``S2 = B^T B``: the
eigenvalues of ``S1 S2`` are the squared singular values of ``A B^T``, so
``tr((S1 S2)^(1/2))`` is the sum of those singular values. When a Gaussian is
fitted to features, its factor comes from a QR decomposition of the centred
features themselves (``S = R^T R / (N - 1)``). Both steps are backward stable:
their rounding errors reach the distance in proportion to the covariances'
size, whereas taking square roots of a covariance's eigenvalues turns the
rounding noise of its exactly-zero ones (dead features, a few distinct images)
into errors a hundred million times larger.

The grader's features are integers (``features.py``), and ``fit_counts`` makes
their mean and covariance exact (integer sums, then one correctly rounded
division per entry), and hence the traces and ``|mu1 - mu2|^2``, summed with
``math.fsum``. The cross term's factorisations are left to LAPACK, whose last
bits differ between machines: the distance varies between machines by about
1e-12 of the covariances' size, far below the four significant digits shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from graders.samples import exact


@dataclass(frozen=True)
class Gaussian:
    mean: np.ndarray  # [D], float64
    cov: np.ndarray  # [D, D], float64
    root: np.ndarray | None = None  # [K, D], cov = root.T @ root; None: the symmetric root


def fit_gaussian(features: np.ndarray) -> Gaussian:
    """Mean and covariance (unbiased, ``N - 1``) of features [N, D], N >= 2."""
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"need features [N >= 2, D], got shape {x.shape}")
    mean = x.mean(axis=0)
    return Gaussian(mean=mean, cov=np.cov(x, rowvar=False), root=data_root(x, mean))


def fit_counts(counts: np.ndarray, unit: float) -> Gaussian:
    """Mean and covariance (unbiased) of ``counts * unit``, for non-negative integer
    features [N >= 2, D]: each entry the correctly rounded value of the exact one."""
    if counts.ndim != 2 or len(counts) < 2 or not np.issubdtype(counts.dtype, np.integer):
        raise ValueError(f"need integer features [N >= 2, D], got {counts.dtype}{counts.shape}")
    n, dims = counts.shape
    sums = [int(v) for v in counts.sum(axis=0, dtype=np.int64)]
    products = exact.matmul(counts.T, counts)  # exact: N * max^2 < 2**53, checked
    num, den = float(unit).as_integer_ratio()
    # Python's int / int is correctly rounded, however large the integers.
    mean = np.array([s * num / (n * den) for s in sums])
    scale = n * (n - 1) * den * den
    cov = [
        [(n * int(products[i, j]) - sums[i] * sums[j]) * num * num / scale for j in range(dims)]
        for i in range(dims)
    ]
    root = data_root(counts * float(unit), mean)
    return Gaussian(mean=mean, cov=np.array(cov), root=root)


def frechet_distance(a: Gaussian, b: Gaussian) -> float:
    if a.mean.shape != b.mean.shape:
        raise ValueError(f"features differ in size: {a.mean.shape} and {b.mean.shape}")
    root_a, root_b = _root(a), _root(b)
    singular_values = np.linalg.svd(root_a @ root_b.T, compute_uv=False)
    # Sums correctly rounded (math.fsum): no summation order to depend on.
    cross = math.fsum(singular_values.tolist())
    diff = (a.mean - b.mean).tolist()
    traces = math.fsum(np.diagonal(a.cov).tolist()) + math.fsum(np.diagonal(b.cov).tolist())
    distance = math.fsum(d * d for d in diff) + traces - 2.0 * cross
    return max(distance, 0.0)  # rounding can leave -1e-12 for equal inputs


def data_root(x: np.ndarray, mean: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """R / sqrt(N - 1), R the triangular factor of the centred rows: cov = root.T @ root.
    With ``weights`` (how many times each row is drawn, N = their sum), row i counts
    ``weights[i]`` times: scaled by its square root, rows drawn never left out."""
    if weights is None:
        r = np.linalg.qr(x - mean, mode="r")
        n = len(x)
    else:
        drawn = weights > 0
        scale = np.sqrt(weights[drawn].astype(np.float64))[:, None]
        r = np.linalg.qr(scale * (x[drawn] - mean), mode="r")
        n = int(weights.sum())
    root: np.ndarray = r / np.sqrt(n - 1.0)
    return root


def _root(g: Gaussian) -> np.ndarray:
    if g.root is not None:
        return g.root
    eigenvalues, vectors = np.linalg.eigh((g.cov + g.cov.T) / 2.0)
    symmetric: np.ndarray = (vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ vectors.T
    return symmetric

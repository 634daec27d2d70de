"""How much a set of samples looks copied from real digits, and the penalty that follows.

A generator that memorizes its training images gets a near-perfect Fréchet
distance: copies of real digits have the statistics of real digits. The same
holds for copies of the test images, which are public knowledge (MNIST can be
downloaded anywhere) and small enough to fit in a submission. So each sample is
compared with its nearest training image and its nearest test image, and the
score is multiplied by a penalty that grows with the share of samples that sit
closer to one of those sets than real digits from outside it do.

1. Canonical form. Each image is moved (by whole pixels) so that its centre of
   mass sits at the centre, as MNIST's own images are: a copy shifted by a
   pixel or two is then the copy again.
2. Codes. Canonical images are projected on the 64 principal components of the
   canonical training images (about 86% of their variance): nearest-neighbour
   search over 70,000 images stays a matter of seconds, and pixel noise added
   to a copy mostly falls outside those components.
3. Thresholds. ``tau_train`` is the ``QUANTILE`` (0.5%) point of the distances
   from each test image to its nearest training image; ``tau_test`` the same
   point of the distances from each training image to its nearest test image.
   Only one real digit in 200 from outside a set sits that close to it.
4. A sample is a *near-copy* when it is closer than ``tau_train`` to a training
   image or closer than ``tau_test`` to a test image: at most
   ``EXPECTED_SHARE = 2 * QUANTILE`` (1%) of real, unseen digits are. With
   ``share`` the fraction of near-copies among the samples,

       excess  = max(0, share - EXPECTED_SHARE) / (1 - EXPECTED_SHARE)
       penalty = 2 ** (excess / DOUBLING_SHARE)

   doubles the score for each tenth of the samples that are near-copies beyond
   what real digits explain: 1 for real unseen digits, 1024 for pure copies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from graders.samples.features import LAYERS, pixels

QUANTILE = 0.005
EXPECTED_SHARE = 2 * QUANTILE
DOUBLING_SHARE = 0.10
N_COMPONENTS = 64
CHUNK = 500  # queries per distance block: 500 x 60,000 float32 is 120 MB


@dataclass(frozen=True)
class Codebook:
    """The projection (fitted on the training images) and the codes of both real sets."""

    mean: np.ndarray  # [784] float32
    components: np.ndarray  # [784, N_COMPONENTS] float32
    train_codes: np.ndarray  # [N_train, N_COMPONENTS] float32
    test_codes: np.ndarray  # [N_test, N_COMPONENTS] float32


@dataclass(frozen=True)
class Thresholds:
    train: float  # tau_train
    test: float  # tau_test


@dataclass(frozen=True)
class Memorization:
    thresholds: Thresholds
    share: float  # of samples that are near-copies
    excess: float
    penalty: float


def centred(images: np.ndarray) -> np.ndarray:
    """uint8 images [N, H, W], each shifted by whole pixels (zeros filling in) so that its
    centre of mass lies nearest the image's centre. A blank image stays where it is."""
    h, w = images.shape[1:]
    mass = images.astype(np.float64)
    total = mass.sum(axis=(1, 2))
    safe = np.where(total > 0, total, 1.0)
    rows = mass.sum(axis=2) @ np.arange(h) / safe
    cols = mass.sum(axis=1) @ np.arange(w) / safe
    dy = np.where(total > 0, np.rint(h / 2 - rows), 0).astype(np.int64)
    dx = np.where(total > 0, np.rint(w / 2 - cols), 0).astype(np.int64)
    out = np.zeros_like(images)
    # Most images need one of a few shifts: move each group of equal shifts at once.
    for sy, sx in sorted({(int(a), int(b)) for a, b in zip(dy, dx, strict=True)}):
        group = np.flatnonzero((dy == sy) & (dx == sx))
        out[group, max(sy, 0) : h + min(sy, 0), max(sx, 0) : w + min(sx, 0)] = images[
            group, max(-sy, 0) : h + min(-sy, 0), max(-sx, 0) : w + min(-sx, 0)
        ]
    return out


def fit_codebook(train_images: np.ndarray, test_images: np.ndarray) -> Codebook:
    """Principal components of the canonical training images, and both sets' codes."""
    mean, scatter = _moments(train_images)
    _, vectors = np.linalg.eigh(scatter)
    top = vectors[:, ::-1][:, :N_COMPONENTS]
    # eigh's sign of each vector is arbitrary; fix it so the files do not depend on it.
    largest = top[np.abs(top).argmax(axis=0), np.arange(N_COMPONENTS)]
    top = top * np.where(largest < 0, -1.0, 1.0)
    empty = np.zeros((0, N_COMPONENTS), np.float32)
    book = Codebook(mean.astype(np.float32), top.astype(np.float32), empty, empty)
    return replace(book, train_codes=codes(train_images, book),
                   test_codes=codes(test_images, book))  # fmt: skip


def _moments(images: np.ndarray, chunk: int = 10_000) -> tuple[np.ndarray, np.ndarray]:
    """Mean [784] and scatter matrix [784, 784] (float64) of the canonical pixel rows, summed
    a chunk at a time so that 60,000 images never sit in memory as float64 at once."""
    total, outer = np.zeros(LAYERS[0]), np.zeros((LAYERS[0], LAYERS[0]))
    for start in range(0, len(images), chunk):
        rows = pixels(centred(images[start : start + chunk])).astype(np.float64)
        total += rows.sum(axis=0)
        outer += rows.T @ rows
    mean = total / len(images)
    return mean, outer - len(images) * np.outer(mean, mean)


def codes(images: np.ndarray, book: Codebook) -> np.ndarray:
    """float32 [N, N_COMPONENTS]: canonical images in the principal components' basis."""
    return (pixels(centred(images)) - book.mean) @ book.components


def nearest(queries: np.ndarray, references: np.ndarray) -> np.ndarray:
    """float32 [N]: each query code's Euclidean distance to its nearest reference code."""
    ref_sq = np.einsum("ij,ij->i", references, references)
    out = np.empty(len(queries), dtype=np.float32)
    for start in range(0, len(queries), CHUNK):
        q = queries[start : start + CHUNK]
        squared = np.einsum("ij,ij->i", q, q)[:, None] + ref_sq[None, :] - 2.0 * (q @ references.T)
        out[start : start + CHUNK] = np.sqrt(np.maximum(squared.min(axis=1), 0.0))
    return out


def reference_distances(book: Codebook) -> tuple[np.ndarray, np.ndarray]:
    """(test -> nearest training image, training -> nearest test image), for the thresholds."""
    return nearest(book.test_codes, book.train_codes), nearest(book.train_codes, book.test_codes)


def thresholds(test_to_train: np.ndarray, train_to_test: np.ndarray) -> Thresholds:
    def point(distances: np.ndarray) -> float:
        return float(np.quantile(np.asarray(distances, dtype=np.float64), QUANTILE))

    return Thresholds(train=point(test_to_train), test=point(train_to_test))


def assess(images: np.ndarray, *, book: Codebook, taus: Thresholds) -> Memorization:
    """The penalty of a set of samples (uint8 [N, 28, 28])."""
    queries = codes(images, book)
    near = (nearest(queries, book.train_codes) < taus.train) | (
        nearest(queries, book.test_codes) < taus.test
    )
    return from_share(float(near.mean()), taus=taus)


def from_share(share: float, *, taus: Thresholds) -> Memorization:
    excess = max(0.0, share - EXPECTED_SHARE) / (1.0 - EXPECTED_SHARE)
    return Memorization(thresholds=taus, share=share, excess=excess,
                        penalty=float(2.0 ** (excess / DOUBLING_SHARE)))  # fmt: skip

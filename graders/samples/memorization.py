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
   to a copy mostly falls outside those components. The components are fitted
   once by the challenge's maintainers (``fitting.principal_components``),
   rounded to integers (``COMPONENT_SCALE``) and shipped with the challenge. A
   code is the exact integer product of the uint8 pixels with them, divided by
   ``2**CODE_SHIFT`` and rounded (the mean image is not subtracted: moving every
   code by one vector changes no distance), and the squared distances between
   codes are exact integers too (``exact.py``): every machine finds the same
   near-copies.
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

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from graders.samples import exact
from graders.samples.features import LAYERS

QUANTILE = 0.005
EXPECTED_SHARE = 2 * QUANTILE
DOUBLING_SHARE = 0.10
N_COMPONENTS = 64
COMPONENT_SCALE = 2**14  # components are stored as round(component * 2**14), int16
CODE_SHIFT = 12  # codes = round(pixels @ components / 2**12), pixels 0..255
CODE_UNIT = 2**CODE_SHIFT / (255 * COMPONENT_SCALE)  # one code step, in pixels of 0..1 (1/1020)
CHUNK = 250  # queries per distance block: 250 x 60,000 float64 is 120 MB
IMAGES_PER_PRODUCT = 5000  # images projected at once: 5000 x 784 float64 is 31 MB


@dataclass(frozen=True)
class Codebook:
    """The projection (fitted on the training images) and the codes of both real sets."""

    components: np.ndarray  # [784, N_COMPONENTS] int16, |value| <= COMPONENT_SCALE
    train_codes: np.ndarray  # [N_train, N_COMPONENTS] int32
    test_codes: np.ndarray  # [N_test, N_COMPONENTS] int32


@dataclass(frozen=True)
class Thresholds:
    train: float  # tau_train, in code steps
    test: float  # tau_test, in code steps


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
    # Integer moments, then one correctly rounded division each: the same shift everywhere.
    mass = images.astype(np.int64)
    total = mass.sum(axis=(1, 2))
    safe = np.where(total > 0, total, 1)
    rows = (mass.sum(axis=2) * np.arange(h)).sum(axis=1) / safe
    cols = (mass.sum(axis=1) * np.arange(w)).sum(axis=1) / safe
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


def check_components(components: np.ndarray) -> None:
    """int16 [784, N_COMPONENTS] within +-COMPONENT_SCALE, so that codes and their
    distances stay exact for any image (``ValueError`` if not)."""
    if components.shape != (LAYERS[0], N_COMPONENTS) or components.dtype != np.int16:
        raise ValueError(f"components are {components.dtype}{list(components.shape)}")
    if exact.largest(components) > COMPONENT_SCALE:
        raise ValueError(f"components exceed {COMPONENT_SCALE} in magnitude")


def fit_codebook(
    train_images: np.ndarray, test_images: np.ndarray, components: np.ndarray
) -> Codebook:
    """Both real sets' codes under the (shipped) components."""
    return Codebook(components, codes(train_images, components), codes(test_images, components))


def codes(images: np.ndarray, components: np.ndarray) -> np.ndarray:
    """int32 [N, N_COMPONENTS]: canonical uint8 images projected on the components, in code
    steps. Exact: |pixels @ components| <= 784 * 255 * 2**14 < 2**32."""
    check_components(components)
    out = np.empty((len(images), N_COMPONENTS), np.int32)
    for start in range(0, len(images), IMAGES_PER_PRODUCT):
        block = centred(images[start : start + IMAGES_PER_PRODUCT])
        products = exact.matmul(block.reshape(len(block), -1), components).astype(np.int64)
        out[start : start + len(block)] = (products + (1 << CODE_SHIFT >> 1)) >> CODE_SHIFT
    return out


def _squared_blocks(
    queries: np.ndarray, references: np.ndarray
) -> Iterator[tuple[int, np.ndarray]]:
    """(start, exact squared distances [block, N_ref]) for blocks of ``CHUNK`` query codes.
    Every intermediate value (|q|^2, |r|^2, q . r and their sum) is an integer of
    magnitude at most N_COMPONENTS * (max|q| + max|r|)^2, checked below 2**53."""
    bound = N_COMPONENTS * (exact.largest(queries) + exact.largest(references)) ** 2
    exact.check_bound(bound, "squared code distances")
    refs = references.astype(np.float64)
    ref_sq = (refs * refs).sum(axis=1)
    for start in range(0, len(queries), CHUNK):
        q = queries[start : start + CHUNK].astype(np.float64)
        block: np.ndarray = q @ refs.T
        block *= -2.0
        block += ref_sq[None, :]
        block += (q * q).sum(axis=1)[:, None]
        yield start, block


def nearest(queries: np.ndarray, references: np.ndarray) -> np.ndarray:
    """float64 [N]: each query code's Euclidean distance to its nearest reference code
    (the correctly rounded square root of an exact integer)."""
    out = np.empty(len(queries), dtype=np.float64)
    for start, block in _squared_blocks(queries, references):
        out[start : start + len(block)] = block.min(axis=1)
    return np.sqrt(out)


def reference_distances(book: Codebook) -> tuple[np.ndarray, np.ndarray]:
    """(test -> nearest training image, training -> nearest test image), for the
    thresholds: both from one pass over the test-by-training distances."""
    test_to_train = np.empty(len(book.test_codes), dtype=np.float64)
    train_to_test = np.full(len(book.train_codes), np.inf)
    for start, block in _squared_blocks(book.test_codes, book.train_codes):
        test_to_train[start : start + len(block)] = block.min(axis=1)
        np.minimum(train_to_test, block.min(axis=0), out=train_to_test)
    return np.sqrt(test_to_train), np.sqrt(train_to_test)


def thresholds(test_to_train: np.ndarray, train_to_test: np.ndarray) -> Thresholds:
    def point(distances: np.ndarray) -> float:
        return float(np.quantile(np.asarray(distances, dtype=np.float64), QUANTILE))

    return Thresholds(train=point(test_to_train), test=point(train_to_test))


def assess(images: np.ndarray, *, book: Codebook, taus: Thresholds) -> Memorization:
    """The penalty of a set of samples (uint8 [N, 28, 28])."""
    return from_share(float(near_copies(images, book=book, taus=taus).mean()), taus=taus)


def near_copies(images: np.ndarray, *, book: Codebook, taus: Thresholds) -> np.ndarray:
    """bool [N]: which samples (uint8 [N, 28, 28]) are near-copies of a real image."""
    queries = codes(images, book.components)
    near: np.ndarray = (nearest(queries, book.train_codes) < taus.train) | (
        nearest(queries, book.test_codes) < taus.test
    )
    return near


def from_share(share: float, *, taus: Thresholds) -> Memorization:
    excess = max(0.0, share - EXPECTED_SHARE) / (1.0 - EXPECTED_SHARE)
    return Memorization(
        thresholds=taus, share=share, excess=excess, penalty=float(2.0 ** (excess / DOUBLING_SHARE))
    )

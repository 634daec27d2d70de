"""Digit-like images for the samples grader's tests, without MNIST."""

from __future__ import annotations

import numpy as np

from graders.samples.memorization import centred


def digit_like(n: int, seed: int = 0) -> np.ndarray:
    """Ink inside the central 20x20 box, as MNIST's digits are: mixtures of 6 fixed
    strokes, so the images vary along few directions, as real digits mostly do."""
    strokes = np.random.default_rng(99).random((6, 20, 20)) ** 4
    weights = np.random.default_rng(seed).random((n, 6))
    images = np.zeros((n, 28, 28), np.uint8)
    ink = np.einsum("nk,kij->nij", weights, strokes) / 2
    images[:, 4:24, 4:24] = np.rint(255 * np.clip(ink, 0, 1))
    return centred(images)

"""Cosine ranking of cloze candidates, the same to the last bit on every machine.

Every sum runs over one axis in a fixed order, as whole-array elementwise adds
and products (each one IEEE-rounded, never fused or reordered by a BLAS or a
SIMD reduction); square roots and divisions are correctly rounded. So the same
vectors give the same choices everywhere, ties included.
"""

from __future__ import annotations

import numpy as np


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row over its length, in float64; a zero row stays zero (cosine 0 with all)."""
    v = vectors.astype(np.float64)
    squares = np.zeros(len(v))
    for d in range(v.shape[1]):
        squares += v[:, d] * v[:, d]
    norms = np.sqrt(squares)
    safe = np.where(norms > 0, norms, 1.0)
    return np.where(norms[:, None] > 0, v / safe[:, None], 0.0)


def right_answers(
    unit: np.ndarray, *, candidates: np.ndarray, context: np.ndarray, answers: np.ndarray
) -> np.ndarray:
    """Whether each item's right candidate has a higher cosine with the sum of its
    context's unit vectors (the mean's direction) than every other candidate: a tie
    counts as wrong. ``context`` is padded with -1, which adds nothing."""
    padded = np.vstack([unit, np.zeros((1, unit.shape[1]))])  # row -1: the padding's zero
    total = np.zeros((len(context), unit.shape[1]))
    for j in range(context.shape[1]):
        total += padded[context[:, j]]
    scores = np.zeros(candidates.shape)
    for d in range(unit.shape[1]):
        scores += unit[candidates, d] * total[:, None, d]
    rows = np.arange(len(answers))
    right = scores[rows, answers]
    others = scores.copy()
    others[rows, answers] = -np.inf
    beats: np.ndarray = right > others.max(axis=1)
    return beats

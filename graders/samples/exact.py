"""Integer matrix products through float64 BLAS, exact and so the same on every machine.

A float64 holds every integer of magnitude below 2**53, and adding or multiplying
two such integers is exact when the result stays below that bound too. In a
product of integer matrices, every partial sum that a BLAS kernel can form (in
any order, blocked or vectorised, with or without fused multiply-adds, over any
number of threads) is bounded by ``inner * max|a| * max|b|``. When that bound is
below 2**53, every step is exact, and the product is the true integer product:
the same bits whatever the CPU, the BLAS build or the thread count. The bound is
checked before each product, from the operands themselves.
"""

from __future__ import annotations

import numpy as np

EXACT_LIMIT = 2**53


def largest(array: np.ndarray) -> int:
    """The largest magnitude in an integer-valued array (0 if it is empty), as a Python int
    (``np.abs`` of an int8 -128 would overflow)."""
    if array.size == 0:
        return 0
    return max(abs(int(array.min())), abs(int(array.max())))


def check_bound(bound: int, what: str) -> None:
    if bound >= EXACT_LIMIT:
        raise ValueError(f"{what}: values up to {bound} are not exact in float64 (2**53)")


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for integer-valued arrays (integer dtypes, or float64 holding integers),
    computed exactly; the result is float64 holding integers. ``ValueError`` if the
    operands are large enough for a partial sum to reach 2**53."""
    check_bound(a.shape[-1] * largest(a) * largest(b), "integer product")
    product: np.ndarray = np.asarray(a, dtype=np.float64) @ np.asarray(b, dtype=np.float64)
    return product

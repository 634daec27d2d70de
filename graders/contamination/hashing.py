"""Polynomial hashes of every window of a sequence, all at once (NumPy, modulo 2**64).

hash(x[i : i + w]) = sum_k x[i + k] * B**k. From the prefix sums of x[j] * B**j,
a window's sum is a difference, then scaled by B**-i (B is odd, so invertible
modulo 2**64): a few passes over the data whatever the window's width. Equal
windows always hash equal; unequal ones collide with a chance near 2**-64, and a
collision only ever asks an instructor to look.
"""

from __future__ import annotations

import functools

import numpy as np

BASE = 0x100000001B3  # odd: invertible modulo 2**64
BASE_INVERSE = pow(BASE, -1, 1 << 64)
_MASK_BITS = 26  # the prefilter's table: 2**26 bits, 8 MiB


@functools.lru_cache(maxsize=4)  # at most a few MiB: windows are hashed a chunk at a time
def _power_table(base: int, count: int) -> np.ndarray:
    steps = np.full(count, base, dtype=np.uint64)
    steps[0] = 1
    with np.errstate(over="ignore"):
        table: np.ndarray = np.cumprod(steps, dtype=np.uint64)
    table.setflags(write=False)
    return table


def _powers(base: int, count: int) -> np.ndarray:
    """base**0 .. base**(count - 1) modulo 2**64, from a table grown in powers of two."""
    return _power_table(base, 1 << max(count - 1, 1).bit_length())[:count]


def window_hashes(values: np.ndarray, width: int) -> np.ndarray:
    """uint64 hashes of ``values[i : i + width]`` for every i (empty if too short)."""
    count = len(values) - width + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    x = np.asarray(values).astype(np.uint64)
    with np.errstate(over="ignore"):
        prefix = np.empty(len(x) + 1, dtype=np.uint64)
        prefix[0] = 0
        np.cumsum(x * _powers(BASE, len(x)), dtype=np.uint64, out=prefix[1:])
        sums = prefix[width:] - prefix[:count]
        hashes: np.ndarray = sums * _powers(BASE_INVERSE, count)
    return hashes


class HashSet:
    """Membership of many hashes in a fixed set: a bitmap on their low bits
    throws out nearly every miss at once, a sorted search settles the rest."""

    def __init__(self, hashes: np.ndarray) -> None:
        self.sorted = np.unique(np.asarray(hashes, dtype=np.uint64))
        self._mask = np.uint64((1 << _MASK_BITS) - 1)
        bits = np.zeros(1 << _MASK_BITS, dtype=bool)
        bits[(self.sorted & self._mask).astype(np.int64)] = True
        self._bitmap = np.packbits(bits, bitorder="little")

    def __len__(self) -> int:
        return len(self.sorted)

    def first_hit(self, hashes: np.ndarray) -> int | None:
        """The position of the first of ``hashes`` in the set, or None."""
        if not len(self.sorted) or not len(hashes):
            return None
        low = (hashes & self._mask).astype(np.int64)
        candidates = np.flatnonzero((self._bitmap[low >> 3] >> (low & 7).astype(np.uint8)) & 1)
        if not len(candidates):
            return None
        values = hashes[candidates]
        at = np.minimum(np.searchsorted(self.sorted, values), len(self.sorted) - 1)
        found = candidates[self.sorted[at] == values]
        return int(found[0]) if len(found) else None


def first_window_in(
    values: np.ndarray,
    width: int,
    found: HashSet,
    *,
    only: np.ndarray | None = None,
    chunk: int = 1 << 18,
) -> int | None:
    """The start of the first window of ``values`` whose hash is in ``found`` (among
    the windows where ``only`` is True, when given), or None. Hashed a chunk at a
    time: the temporaries stay a few MiB whatever the input."""
    for start in range(0, max(len(values) - width + 1, 0), chunk):
        hashes = window_hashes(values[start : start + chunk + width - 1], width)
        if only is None:
            hit = found.first_hit(hashes)
        else:
            picked = np.flatnonzero(only[start : start + len(hashes)])
            at = found.first_hit(hashes[picked])
            hit = None if at is None else int(picked[at])
        if hit is not None:
            return start + hit
    return None


def block_hashes(blocks: np.ndarray) -> np.ndarray:
    """The hash of each row of ``blocks`` (as ``window_hashes`` would hash it),
    a thousand rows at a time."""
    powers = _powers(BASE, blocks.shape[1])
    hashes = np.empty(len(blocks), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(blocks), 1000):
            rows = blocks[start : start + 1000].astype(np.uint64)
            hashes[start : start + 1000] = (rows * powers).sum(axis=1, dtype=np.uint64)
    return hashes

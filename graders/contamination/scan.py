"""Looking for a challenge's fingerprints in an upload, through its layers.

Every layer (``layers.py``) is read in the ways the fingerprints need: as bytes
(text windows, images), as the digits it spells ("7210"), as the numbers it
writes, every one or one in two or three ("7, 2, 1" or "id,label" rows), and as
little-endian integers of 1, 2, 4 or 8 bytes at every alignment (arrays). Only runs of values no larger than
the largest label are hashed for labels: most of an upload is skipped at once.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from graders.contamination.fingerprints import (
    IMAGE_BYTES,
    LABEL_WINDOW,
    TEXT_WINDOW,
    Fingerprints,
)
from graders.contamination.hashing import HashSet, first_window_in
from graders.contamination.layers import expand

WIDTHS = (1, 2, 4, 8)  # bytes per integer
COLUMNS = (1, 2, 3)  # numbers per row of a table written as text


@dataclass(frozen=True)
class Match:
    what: str  # "hidden text", "hidden labels", "a hidden test image"
    where: str  # the layer: "main.py > base64@120 > gzip@0"
    offset: int  # in that layer, in bytes
    shown: str  # the matched span, as far as it can be shown

    def __str__(self) -> str:
        return (
            f"The upload contains {self.what} ({self.where}, at byte {self.offset}): {self.shown}"
        )


class _Sets:
    def __init__(self, fingerprints: Fingerprints) -> None:
        self.text = HashSet(fingerprints.text)
        self.labels = HashSet(fingerprints.labels)
        self.images = HashSet(fingerprints.images)
        self.label_max = fingerprints.label_max


_sets: weakref.WeakKeyDictionary[Fingerprints, _Sets] = weakref.WeakKeyDictionary()


def _sets_of(fingerprints: Fingerprints) -> _Sets:
    """Built once per fingerprints (the worker keeps a challenge's for its life)."""
    if fingerprints not in _sets:
        _sets[fingerprints] = _Sets(fingerprints)
    return _sets[fingerprints]


def scan(name: str, data: bytes, fingerprints: Fingerprints) -> Match | None:
    """The first place the upload ``data`` (named ``name``) holds hidden data, or None."""
    if not fingerprints:
        return None
    sets = _sets_of(fingerprints)
    for blob in expand(name, data):
        found = _scan_blob(blob.path, np.frombuffer(blob.data, dtype=np.uint8), sets)
        if found is not None:
            return found
    return None


def _scan_blob(where: str, data: np.ndarray, sets: _Sets) -> Match | None:
    if len(sets.text):
        hit = first_window_in(data, TEXT_WINDOW, sets.text)
        if hit is not None:
            span = bytes(data[hit : hit + TEXT_WINDOW]).decode("utf-8", errors="replace")
            return Match("hidden text", where, hit, repr(span))
    if len(sets.labels):
        found = _labels(where, data, sets)
        if found is not None:
            return found
    if len(sets.images):
        hit = first_window_in(data, IMAGE_BYTES, sets.images)
        if hit is not None:
            return Match("a hidden test image", where, hit, f"{IMAGE_BYTES} bytes equal to one")
    return None


def _labels(where: str, data: np.ndarray, sets: _Sets) -> Match | None:
    for form, values, offsets in _label_readings(data):
        telling = _windows_at_most(values, sets.label_max)
        if telling is None:
            continue
        hit = first_window_in(values, LABEL_WINDOW, sets.labels, only=telling)
        if hit is not None:
            shown = "".join(str(v) for v in values[hit : hit + 16])
            return Match(
                f"hidden labels ({form})",
                where,
                int(offsets[hit]),
                f"{LABEL_WINDOW} consecutive labels starting {shown}...",
            )
    return None


def _label_readings(data: np.ndarray) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """(form, values, the byte offset of each value) for each way of reading labels."""
    is_digit = (data >= ord("0")) & (data <= ord("9"))
    digits = np.flatnonzero(is_digit)
    yield "as text digits", data[digits] - ord("0"), digits
    numbers, starts = _numbers(data, is_digit)
    for every in COLUMNS:  # a label every so many numbers: "id,label" rows
        for first in range(every):
            yield "as numbers in text", numbers[first::every], starts[first::every]
    positions = np.arange(len(data))
    for width in WIDTHS:
        for start in range(width):
            yield f"as {width}-byte integers", data[start::width], positions[start::width]


def _numbers(data: np.ndarray, is_digit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The whole numbers written in ``data`` (runs of digits; those of more than
    three digits read as 1000, larger than any label) and where each starts."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], is_digit, [0])).astype(np.int8)))
    starts, ends = edges[::2], edges[1::2]
    values = np.full(len(starts), 1000, dtype=np.int64)
    lengths = ends - starts
    for length, scale in ((1, (1,)), (2, (10, 1)), (3, (100, 10, 1))):
        at = starts[lengths == length]
        # Only the digits that start a number are widened (not the whole upload).
        values[lengths == length] = sum(
            factor * (data[at + k].astype(np.int64) - ord("0")) for k, factor in enumerate(scale)
        )
    return values, starts


def _windows_at_most(values: np.ndarray, largest: int) -> np.ndarray | None:
    """Which windows hold only values <= largest (the only ones that can be hidden
    labels), or None when no window does: then the reading is skipped at once."""
    small = values <= largest
    if not _may_hold_a_window(small):
        return None
    large = ~small
    too_large = np.concatenate(([0], np.cumsum(large, dtype=np.int32)))
    telling = (too_large[LABEL_WINDOW:] - too_large[:-LABEL_WINDOW]) == 0
    return telling if telling.any() else None


# A run of LABEL_WINDOW small values holds a whole block of half as many that
# starts at a multiple of its length: with no such block, no window can be labels.
BLOCK = LABEL_WINDOW // 2
ALL_TRUE = np.uint64(0x0101010101010101)  # eight True bytes, read as one word


def _may_hold_a_window(small: np.ndarray) -> bool:
    """Whether ``small`` may hold LABEL_WINDOW True values in a row: False is
    certain (most readings of an upload end here, after one cheap pass)."""
    usable = len(small) // BLOCK * BLOCK
    if usable == 0:
        return False
    words = np.ascontiguousarray(small[:usable]).view(np.uint64).reshape(-1, BLOCK // 8)
    return bool((words == ALL_TRUE).all(axis=1).any())

"""Public/private splits of a test set, decided by a seeded permutation.

The split is computed once by a challenge's ``prepare.py`` and stored beside the
hidden labels (``hidden/labels.csv`` has an ``id,label,split`` header), so that
the grader never recomputes it and a change of NumPy cannot move an item.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

PUBLIC = "public"
PRIVATE = "private"


def assign_splits(n_items: int, *, public_fraction: float, seed: int) -> list[str]:
    """Return ``PUBLIC``/``PRIVATE`` per item: the first ``round(n * f)`` of a
    seeded permutation are public. Both parts get at least one item when n >= 2."""
    if not 0.0 < public_fraction < 1.0:
        raise ValueError(
            f"public_fraction must lie strictly between 0 and 1, got {public_fraction}"
        )
    n_public = round(n_items * public_fraction)
    if n_items >= 2:
        n_public = min(max(n_public, 1), n_items - 1)
    order = np.random.default_rng(seed).permutation(n_items)
    splits = [PRIVATE] * n_items
    for index in order[:n_public]:
        splits[int(index)] = PUBLIC
    return splits


def write_hidden_labels(
    path: Path, *, ids: Sequence[int], labels: Sequence[object], splits: Sequence[str]
) -> None:
    """Write ``id,label,split`` rows: the file the grader reads as trusted truth."""
    if not len(ids) == len(labels) == len(splits):
        raise ValueError("ids, labels and splits must have the same length")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "label", "split"])
        for item_id, label, split in zip(ids, labels, splits, strict=True):
            writer.writerow([int(item_id), label, split])

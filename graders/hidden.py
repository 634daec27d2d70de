"""The hidden labels file, written by a challenge's ``prepare.py``: trusted, but checked,
because a broken one is an instructor's bug that must not be blamed on a student."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from graders.splits import PRIVATE, PUBLIC

HEADER = ["id", "label", "split"]


def read_hidden_labels(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(ids, labels, splits)``: int64 ids, float64 labels and ``public``/``private``
    strings, in file order. Raises ``ValueError`` (a platform error) if the file is malformed."""
    ids: list[int] = []
    labels: list[float] = []
    splits: list[str] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        if next(reader, None) != HEADER:
            raise ValueError(f"{path}: header must be {','.join(HEADER)}")
        for row in reader:
            if not row:
                continue
            _check_row(path, reader.line_num, row)
            ids.append(int(row[0]))
            labels.append(float(row[1]))
            splits.append(row[2])
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: ids are not unique")
    return np.array(ids, dtype=np.int64), np.array(labels, dtype=np.float64), np.array(splits)


def _check_row(path: Path, line: int, row: list[str]) -> None:
    if len(row) != 3 or row[2] not in (PUBLIC, PRIVATE):
        raise ValueError(f"{path} line {line}: expected id,label,{PUBLIC}|{PRIVATE}, got {row!r}")

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from graders.hidden import read_hidden_labels
from graders.splits import PRIVATE, PUBLIC, assign_splits, write_hidden_labels


def test_the_public_share_is_the_rounded_fraction() -> None:
    splits = assign_splits(10, public_fraction=0.3, seed=0)
    assert splits.count(PUBLIC) == 3
    assert splits.count(PRIVATE) == 7


def test_the_same_seed_gives_the_same_split() -> None:
    first = assign_splits(50, public_fraction=0.5, seed=7)
    assert assign_splits(50, public_fraction=0.5, seed=7) == first
    assert assign_splits(50, public_fraction=0.5, seed=8) != first


@pytest.mark.parametrize("fraction", [0.01, 0.99])
def test_both_splits_keep_at_least_one_item(fraction: float) -> None:
    splits = assign_splits(3, public_fraction=fraction, seed=0)
    assert PUBLIC in splits
    assert PRIVATE in splits


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5, 2.0])
def test_a_fraction_outside_zero_and_one_is_refused(fraction: float) -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        assign_splits(10, public_fraction=fraction, seed=0)


def test_written_hidden_labels_read_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "hidden" / "labels.csv"
    write_hidden_labels(path, ids=[5, 6, 7], labels=[1, 0, 2], splits=[PUBLIC, PRIVATE, PUBLIC])
    assert path.read_text().splitlines()[0] == "id,label,split"
    ids, labels, splits = read_hidden_labels(path)
    assert ids.tolist() == [5, 6, 7]
    assert labels.tolist() == [1.0, 0.0, 2.0]
    assert splits.tolist() == [PUBLIC, PRIVATE, PUBLIC]
    assert ids.dtype == np.int64


def test_columns_of_different_lengths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="same length"):
        write_hidden_labels(tmp_path / "labels.csv", ids=[1, 2], labels=[0], splits=[PUBLIC])

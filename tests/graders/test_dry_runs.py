"""A dry run's sample (graders.dry_runs): made from public training rows only, the
same on every machine, its set-aside items apart from the ones it trains on."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from graders.datasets import mnist
from graders.dry_runs import pick, sample_labelled_csv, sample_mnist_idx


def _train_csv(path: Path, n: int) -> Path:
    rows = ["x1,x2,label", *(f"{i}.5,{-i}.25,{i % 2}" for i in range(n))]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_sample_is_training_rows_split_in_two_apart(tmp_path: Path):
    train = _train_csv(tmp_path / "train.csv", 40)
    sample_labelled_csv(train_csv=train, dry_run_dir=tmp_path / "dry", n_train=25, n_test=10)

    learn = (tmp_path / "dry/public/train.csv").read_text().splitlines()
    test = (tmp_path / "dry/public/test.csv").read_text().splitlines()
    assert learn[0] == "x1,x2,label" and len(learn) == 26
    assert test[0] == "id,x1,x2" and len(test) == 11
    originals = train.read_text().splitlines()[1:]
    assert set(learn[1:]) <= set(originals)
    with (tmp_path / "dry/hidden/labels.csv").open() as handle:
        labels = list(csv.DictReader(handle))
    assert [row["id"] for row in labels] == [str(i) for i in range(10)]
    assert {row["split"] for row in labels} == {"public", "private"}
    for row, line in zip(labels, test[1:], strict=True):
        item_id, x1, x2 = line.split(",")
        assert item_id == row["id"]
        original = f"{x1},{x2},{row['label']}"
        assert original in originals and original not in learn  # set aside, label kept
    assert (
        pick(40, n_train=25, n_test=10)[0].tolist() == pick(40, n_train=25, n_test=10)[0].tolist()
    )


def test_a_sample_larger_than_the_data_is_refused():
    with pytest.raises(ValueError, match="30 \\+ 20 rows from 40"):
        pick(40, n_train=30, n_test=20)


def test_an_mnist_sample_is_served_digits_in_the_same_files_some_set_aside(tmp_path: Path):
    public = tmp_path / "public"
    public.mkdir()
    images = np.arange(30 * 4 * 4, dtype=np.uint8).reshape(30, 4, 4)  # each digit its own
    labels = (np.arange(30) % 10).astype(np.uint8)
    (public / "train-images-idx3-ubyte").write_bytes(mnist.idx_bytes(images))
    (public / "train-labels-idx1-ubyte").write_bytes(mnist.idx_bytes(labels))
    sample_mnist_idx(public_dir=public, dry_run_dir=tmp_path / "dry", n_train=20, n_test=6)

    read = lambda name: mnist.parse_idx((tmp_path / "dry/public" / name).read_bytes())  # noqa: E731
    learn, asked = read("train-images-idx3-ubyte"), read("test-images-idx3-ubyte")
    learn_rows, asked_rows = pick(30, n_train=20, n_test=6)
    assert np.array_equal(learn, images[learn_rows]) and np.array_equal(asked, images[asked_rows])
    assert np.array_equal(read("train-labels-idx1-ubyte"), labels[learn_rows])
    with (tmp_path / "dry/hidden/labels.csv").open() as handle:
        hidden = list(csv.DictReader(handle))
    assert [int(row["label"]) for row in hidden] == labels[asked_rows].tolist()

"""A dry run's data: a small sample of a challenge's public training data, made by
the bundle's ``prepare_dry_run(public_dir=, dry_run_dir=)`` from its public folder.

A dry run (``server.dry_runs``) runs a program end to end, briefly and uncharged,
on this sample, to check its output before a real run is queued. Its test items
are training items set aside, so the labels it is graded against are public
already: no hidden data is involved, and its score is a check, never ranked.

Layout: ``dry_run/public`` (what the program finds at ``/data``, named as the real
files) and ``dry_run/hidden/labels.csv`` (``id,label,split`` of the set-aside items).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from graders.datasets import mnist
from graders.splits import assign_splits, write_hidden_labels

PUBLIC = "public"
HIDDEN = "hidden"
SAMPLE_SEED = 20  # the dry run's cap, in seconds: any fixed number would do
# The files of a challenge that serves MNIST as it is published.
MNIST_TRAIN_IMAGES = "train-images-idx3-ubyte"
MNIST_TRAIN_LABELS = "train-labels-idx1-ubyte"
MNIST_TEST_IMAGES = "test-images-idx3-ubyte"


def pick(
    n_rows: int, *, n_train: int, n_test: int, seed: int = SAMPLE_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the sample's training items and, apart from them, of its
    set-aside test items, each in increasing order (a seeded choice: the same
    sample on every machine)."""
    if n_train + n_test > n_rows:
        raise ValueError(f"a sample of {n_train} + {n_test} rows from {n_rows}")
    chosen = np.random.default_rng(seed).permutation(n_rows)
    return np.sort(chosen[:n_train]), np.sort(chosen[n_train : n_train + n_test])


def write_sample_labels(dry_run_dir: Path, labels: Sequence[object]) -> None:
    """The set-aside items' labels, ids 0.. in the order the program sees them."""
    n = len(labels)
    write_hidden_labels(
        dry_run_dir / HIDDEN / "labels.csv",
        ids=list(range(n)),
        labels=list(labels),
        splits=assign_splits(n, public_fraction=0.5, seed=SAMPLE_SEED),
    )


def sample_labelled_csv(
    *,
    train_csv: Path,
    dry_run_dir: Path,
    n_train: int,
    n_test: int,
    label_column: str = "label",
    test_name: str = "test.csv",
) -> None:
    """For a challenge whose public data is ``train.csv`` (features and a label
    column) and ``test.csv`` (``id`` and the same features): a train.csv of
    ``n_train`` of its rows and a test.csv of ``n_test`` others, labels hidden.
    Rows are copied as text, so numbers keep their published digits."""
    lines = train_csv.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0].split(","), lines[1:]
    label_at = header.index(label_column)
    train, test = pick(len(rows), n_train=n_train, n_test=n_test)
    public = dry_run_dir / PUBLIC
    public.mkdir(parents=True, exist_ok=True)
    (public / train_csv.name).write_text(
        "\n".join([lines[0], *(rows[i] for i in train)]) + "\n", encoding="utf-8"
    )
    features = [name for j, name in enumerate(header) if j != label_at]
    test_rows, labels = [], []
    for new_id, i in enumerate(test):
        cells = rows[i].split(",")
        labels.append(int(cells[label_at]) if cells[label_at].isdigit() else cells[label_at])
        test_rows.append(
            ",".join([str(new_id), *(c for j, c in enumerate(cells) if j != label_at)])
        )
    (public / test_name).write_text(
        "\n".join([",".join(["id", *features]), *test_rows]) + "\n", encoding="utf-8"
    )
    write_sample_labels(dry_run_dir, labels)


def sample_mnist_idx(*, public_dir: Path, dry_run_dir: Path, n_train: int, n_test: int) -> None:
    """For a challenge that serves MNIST's three IDX files (training images and
    labels, test images): the same three files, of ``n_train`` of its training
    digits and, as the test images, ``n_test`` others, their labels hidden."""
    images = mnist.parse_idx((public_dir / MNIST_TRAIN_IMAGES).read_bytes())
    labels = mnist.parse_idx((public_dir / MNIST_TRAIN_LABELS).read_bytes())
    learn, held = pick(len(images), n_train=n_train, n_test=n_test)
    out = dry_run_dir / PUBLIC
    out.mkdir(parents=True, exist_ok=True)
    (out / MNIST_TRAIN_IMAGES).write_bytes(mnist.idx_bytes(images[learn]))
    (out / MNIST_TRAIN_LABELS).write_bytes(mnist.idx_bytes(labels[learn]))
    (out / MNIST_TEST_IMAGES).write_bytes(mnist.idx_bytes(images[held]))
    write_sample_labels(dry_run_dir, [int(label) for label in labels[held]])

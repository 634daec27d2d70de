"""MNIST as the 2012 challenge serves it: 1,000 labelled training digits, 100 of
each, and the 10,000 test digits, in IDX.

The 1,000 are a seeded choice from the published 60,000 (each digit's first 100
of a seeded shuffle), kept in the published order. The test images are written
in a seeded secret order, so that an id (an image's index in the test file) says
nothing about where the image sits in the published test set, whose labels
anyone can download; their labels go to the hidden folder only.

    PYTHONPATH=. python challenges/2012-relu-dropout/prepare.py OUT_DIR --datasets DIR

reads DIR/mnist/*.gz (checked against their SHA-256) and writes OUT_DIR/public
(the three IDX files) and OUT_DIR/hidden (labels.csv).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from graders.datasets import mnist
from graders.dry_runs import sample_mnist_idx
from graders.splits import assign_splits, write_hidden_labels

PICK_SEED = 1207  # arXiv:1207.0580, Hinton et al.'s dropout paper (July 2012)
ORDER_SEED = 20121203  # AlexNet at NIPS, December 2012
SPLIT_SEED = 2012
PER_DIGIT = 100
PUBLIC_FRACTION = 0.5  # must match [grading] public_fraction in challenge.toml
TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "test-images-idx3-ubyte"


def training_pick(labels: np.ndarray) -> np.ndarray:
    """Indices of the served training digits in the published training set: of a
    seeded shuffle, each digit's first ``PER_DIGIT``, in increasing order."""
    shuffled = np.random.default_rng(PICK_SEED).permutation(len(labels))
    chosen = [shuffled[labels[shuffled] == digit][:PER_DIGIT] for digit in range(10)]
    return np.sort(np.concatenate(chosen))


def test_order(n_items: int) -> np.ndarray:
    """The secret order: position ``id`` of the served test file holds published image
    ``test_order(n)[id]``."""
    return np.random.default_rng(ORDER_SEED).permutation(n_items)


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    # Read (and checksum) everything before writing anything: a missing file is
    # a FileNotFoundError, which the server reports as "data not installed".
    train_images, train_labels = mnist.load(datasets_dir, "train")
    test_images, test_labels = mnist.load(datasets_dir, "test")
    chosen, order = training_pick(train_labels), test_order(len(test_images))
    public_dir.mkdir(parents=True, exist_ok=True)
    (public_dir / TRAIN_IMAGES).write_bytes(mnist.idx_bytes(train_images[chosen]))
    (public_dir / TRAIN_LABELS).write_bytes(mnist.idx_bytes(train_labels[chosen]))
    (public_dir / TEST_IMAGES).write_bytes(mnist.idx_bytes(test_images[order]))
    write_hidden_labels(
        hidden_dir / "labels.csv",
        ids=list(range(len(order))),
        labels=[int(label) for label in test_labels[order]],
        splits=assign_splits(len(order), public_fraction=PUBLIC_FRACTION, seed=SPLIT_SEED),
    )


def prepare_dry_run(*, public_dir: Path, dry_run_dir: Path) -> None:
    """A dry run's data (``graders.dry_runs``): 800 of the served digits to learn
    from and the other 200 set aside as its test images, in the files' usual names."""
    sample_mnist_idx(public_dir=public_dir, dry_run_dir=dry_run_dir, n_train=800, n_test=200)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="writes OUT_DIR/public and OUT_DIR/hidden")
    parser.add_argument("--datasets", type=Path, required=True, help="raw datasets folder")
    args = parser.parse_args()
    prepare(
        public_dir=args.out_dir / "public",
        hidden_dir=args.out_dir / "hidden",
        datasets_dir=args.datasets,
    )
    print(f"wrote {args.out_dir}/public and {args.out_dir}/hidden")


if __name__ == "__main__":
    main()

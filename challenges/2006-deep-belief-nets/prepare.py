"""MNIST as the 2006 challenge serves it: 100 labelled digits, 20,000 unlabelled ones,
and the 10,000 test digits in a secret order, every pixel made binary (ink or not).

The labelled digits are ten of each class, the first of their class in a seeded
order of the 60,000 training images; the unlabelled ones are the next 20,000 in
that order, served without their labels. The test images are written in another
seeded order, so that an id says nothing about where the image sits in the
published test set; their labels go to the hidden folder only.

    PYTHONPATH=. python challenges/2006-deep-belief-nets/prepare.py OUT_DIR --datasets DIR
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from graders.datasets import mnist
from graders.dry_runs import PUBLIC, pick, write_sample_labels
from graders.splits import assign_splits, write_hidden_labels

CHOICE_SEED = 20060718  # Neural Computation 18(7), July 2006
ORDER_SEED = 1527  # the article's first page
SPLIT_SEED = 1554  # and its last
PUBLIC_FRACTION = 0.5  # must match [grading] public_fraction in challenge.toml
PER_CLASS = 10  # labelled digits of each class
UNLABELLED = 20_000
INK = 128  # a grey level at or above it is ink (1), below it paper (0)
LABELLED_IMAGES = "labelled-images-idx3-ubyte"
LABELLED_LABELS = "labelled-labels-idx1-ubyte"
UNLABELLED_IMAGES = "unlabelled-images-idx3-ubyte"
TEST_IMAGES = "test-images-idx3-ubyte"


def binary(images: np.ndarray) -> np.ndarray:
    return (images >= INK).astype(np.uint8)


def choose(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices (into the training set, increasing) of the labelled and the unlabelled digits."""
    order = np.random.default_rng(CHOICE_SEED).permutation(len(labels))
    labelled = np.concatenate([order[labels[order] == d][:PER_CLASS] for d in range(10)])
    rest = order[~np.isin(order, labelled)][:UNLABELLED]
    return np.sort(labelled), np.sort(rest)


def test_order(n_items: int) -> np.ndarray:
    """The secret order: position ``id`` of the served test file holds published image
    ``test_order(n)[id]``."""
    return np.random.default_rng(ORDER_SEED).permutation(n_items)


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    # Read (and checksum) everything before writing anything: a missing file is
    # a FileNotFoundError, which the server reports as "data not installed".
    train_images, train_labels = mnist.load(datasets_dir, "train")
    test_images, test_labels = mnist.load(datasets_dir, "test")
    labelled, unlabelled = choose(train_labels)
    order = test_order(len(test_images))
    public_dir.mkdir(parents=True, exist_ok=True)
    (public_dir / LABELLED_IMAGES).write_bytes(mnist.idx_bytes(binary(train_images[labelled])))
    (public_dir / LABELLED_LABELS).write_bytes(mnist.idx_bytes(train_labels[labelled]))
    (public_dir / UNLABELLED_IMAGES).write_bytes(mnist.idx_bytes(binary(train_images[unlabelled])))
    (public_dir / TEST_IMAGES).write_bytes(mnist.idx_bytes(binary(test_images[order])))
    write_hidden_labels(
        hidden_dir / "labels.csv",
        ids=list(range(len(order))),
        labels=[int(label) for label in test_labels[order]],
        splits=assign_splits(len(order), public_fraction=PUBLIC_FRACTION, seed=SPLIT_SEED),
    )


def prepare_dry_run(*, public_dir: Path, dry_run_dir: Path) -> None:
    """A dry run's data (``graders.dry_runs``): 60 of the labelled digits to learn
    from, the other 40 set aside as its test images, and the first 2,000
    unlabelled digits, in the files' usual names."""
    images = mnist.parse_idx((public_dir / LABELLED_IMAGES).read_bytes())
    labels = mnist.parse_idx((public_dir / LABELLED_LABELS).read_bytes())
    unlabelled = mnist.parse_idx((public_dir / UNLABELLED_IMAGES).read_bytes())
    learn, held = pick(len(images), n_train=60, n_test=40)
    out = dry_run_dir / PUBLIC
    out.mkdir(parents=True, exist_ok=True)
    (out / LABELLED_IMAGES).write_bytes(mnist.idx_bytes(images[learn]))
    (out / LABELLED_LABELS).write_bytes(mnist.idx_bytes(labels[learn]))
    (out / UNLABELLED_IMAGES).write_bytes(mnist.idx_bytes(unlabelled[:2_000]))
    (out / TEST_IMAGES).write_bytes(mnist.idx_bytes(images[held]))
    write_sample_labels(dry_run_dir, [int(label) for label in labels[held]])


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

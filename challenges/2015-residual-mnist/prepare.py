"""MNIST as the 2015 challenge serves it: the canonical 60,000 / 10,000 split, in IDX.

The files are those of the 1998 challenge, the test images in this challenge's own
seeded secret order, so that an id (an image's index in the test file) says nothing
about where the image sits in the published test set, whose labels anyone can
download (nor where it sits in the 1998 challenge's file); their labels go to the
hidden folder only.

    PYTHONPATH=. python challenges/2015-residual-mnist/prepare.py OUT_DIR --datasets DIR

reads DIR/mnist/*.gz (checked against their SHA-256) and writes OUT_DIR/public
(the three IDX files) and OUT_DIR/hidden (labels.csv).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from graders.datasets import mnist
from graders.dry_runs import PUBLIC, pick, write_sample_labels
from graders.splits import assign_splits, write_hidden_labels

ORDER_SEED = 20151210  # arXiv:1512.03385, 10 December 2015
SPLIT_SEED = 1512  # the same arXiv number's first part
PUBLIC_FRACTION = 0.5  # must match [grading] public_fraction in challenge.toml
TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "test-images-idx3-ubyte"


def test_order(n_items: int) -> np.ndarray:
    """The secret order: position ``id`` of the served test file holds published image
    ``test_order(n)[id]``."""
    return np.random.default_rng(ORDER_SEED).permutation(n_items)


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    # Read (and checksum) everything before writing anything: a missing file is
    # a FileNotFoundError, which the server reports as "data not installed".
    train_images, train_labels = mnist.load(datasets_dir, "train")
    test_images, test_labels = mnist.load(datasets_dir, "test")
    order = test_order(len(test_images))
    public_dir.mkdir(parents=True, exist_ok=True)
    (public_dir / TRAIN_IMAGES).write_bytes(mnist.idx_bytes(train_images))
    (public_dir / TRAIN_LABELS).write_bytes(mnist.idx_bytes(train_labels))
    (public_dir / TEST_IMAGES).write_bytes(mnist.idx_bytes(test_images[order]))
    write_hidden_labels(
        hidden_dir / "labels.csv",
        ids=list(range(len(order))),
        labels=[int(label) for label in test_labels[order]],
        splits=assign_splits(len(order), public_fraction=PUBLIC_FRACTION, seed=SPLIT_SEED),
    )


def prepare_dry_run(*, public_dir: Path, dry_run_dir: Path) -> None:
    """A dry run's data (``graders.dry_runs``): 1,000 training digits to learn from
    and 200 others set aside as its test images, in the files' usual names."""
    images = mnist.parse_idx((public_dir / TRAIN_IMAGES).read_bytes())
    labels = mnist.parse_idx((public_dir / TRAIN_LABELS).read_bytes())
    learn, held = pick(len(images), n_train=1_000, n_test=200)
    out = dry_run_dir / PUBLIC
    out.mkdir(parents=True, exist_ok=True)
    (out / TRAIN_IMAGES).write_bytes(mnist.idx_bytes(images[learn]))
    (out / TRAIN_LABELS).write_bytes(mnist.idx_bytes(labels[learn]))
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

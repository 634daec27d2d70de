"""Noisy XOR in the plane: the data of the 1986 challenge, made from a seed.

Points scatter around the four corners (±1, ±1) with Gaussian noise; a point's
label is 1 when the two signs of its corner differ (the corners (1, -1) and
(-1, 1)), 0 otherwise. No raw data is needed, so ``datasets_dir`` is unused.

    PYTHONPATH=. python challenges/1986-xor-backprop/prepare.py OUT_DIR

writes OUT_DIR/public (train.csv, test.csv) and OUT_DIR/hidden (labels.csv).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from graders.dry_runs import sample_labelled_csv
from graders.splits import assign_splits, write_hidden_labels

SEED = 1986
SPLIT_SEED = 323  # Nature volume 323, where the backpropagation letter appeared
N_TRAIN = 800
N_TEST = 1000
SIGMA = 0.5
PUBLIC_FRACTION = 0.5  # must match [grading] public_fraction in challenge.toml
CORNERS = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])


def bayes_accuracy(sigma: float = SIGMA) -> float:
    """Accuracy of the best possible rule, ``label = 1 iff x1 * x2 < 0``.

    The class densities differ by a product of one factor per coordinate, so the
    optimal boundary is the two axes; a point is classified right when both of its
    coordinates stay on their corner's side, or both cross over: p² + (1 - p)²,
    with p = Φ(1 / sigma)."""
    p = 0.5 * (1.0 + math.erf(1.0 / (sigma * math.sqrt(2.0))))
    return p * p + (1.0 - p) * (1.0 - p)


def make_points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points (a multiple of 4), an equal number around each corner, shuffled."""
    corner = rng.permutation(np.repeat(np.arange(len(CORNERS)), n // len(CORNERS)))
    centres = CORNERS[corner]
    points = centres + rng.normal(0.0, SIGMA, size=(len(corner), 2))
    labels = (centres[:, 0] * centres[:, 1] < 0).astype(np.int64)
    return points, labels


def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    # Fixed float format and "\n" line ends: the same seed gives the same bytes.
    lines = [",".join(header), *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    rng = np.random.default_rng(SEED)
    train_x, train_y = make_points(rng, N_TRAIN)
    test_x, test_y = make_points(rng, N_TEST)
    public_dir.mkdir(parents=True, exist_ok=True)
    hidden_dir.mkdir(parents=True, exist_ok=True)
    _write_rows(
        public_dir / "train.csv",
        ["x1", "x2", "label"],
        [[f"{a:.6f}", f"{b:.6f}", str(y)] for (a, b), y in zip(train_x, train_y, strict=True)],
    )
    ids = list(range(N_TEST))
    _write_rows(
        public_dir / "test.csv",
        ["id", "x1", "x2"],
        [[str(i), f"{a:.6f}", f"{b:.6f}"] for i, (a, b) in zip(ids, test_x, strict=True)],
    )
    write_hidden_labels(
        hidden_dir / "labels.csv",
        ids=ids,
        labels=[int(y) for y in test_y],
        splits=assign_splits(N_TEST, public_fraction=PUBLIC_FRACTION, seed=SPLIT_SEED),
    )


def prepare_dry_run(*, public_dir: Path, dry_run_dir: Path) -> None:
    """A dry run's data (``graders.dry_runs``): 200 training rows to learn from,
    100 others set aside as its test items."""
    sample_labelled_csv(
        train_csv=public_dir / "train.csv", dry_run_dir=dry_run_dir, n_train=200, n_test=100
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="writes OUT_DIR/public and OUT_DIR/hidden")
    args = parser.parse_args()
    prepare(
        public_dir=args.out_dir / "public",
        hidden_dir=args.out_dir / "hidden",
        datasets_dir=args.out_dir / "unused",
    )
    print(f"wrote {args.out_dir}/public and {args.out_dir}/hidden")
    print(f"Bayes-optimal accuracy: {bayes_accuracy():.4f}")


if __name__ == "__main__":
    main()

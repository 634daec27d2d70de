"""Linearly separable points in 20 dimensions: the data of the 1958 challenge, made from a seed.

A hidden hyperplane ``w . x + b = 0`` (``w`` a unit vector) cuts the space in two;
points are drawn from a standard normal distribution, and those closer to the
plane than ``MARGIN`` are thrown away, so every point, train or test, lies at
least ``MARGIN`` from it. A point's label is 1 on the side ``w . x + b > 0``,
0 on the other. No raw data is needed, so ``datasets_dir`` is unused. The sums
that decide which points keep the margin, and their labels, are correctly rounded
(``side``): the files are the same on every CPU.

    PYTHONPATH=. python challenges/1958-perceptron/prepare.py OUT_DIR

writes OUT_DIR/public (train.csv, test.csv) and OUT_DIR/hidden (labels.csv).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from graders.dry_runs import sample_labelled_csv
from graders.splits import assign_splits, write_hidden_labels

SEED = 1958
SPLIT_SEED = 65  # Psychological Review volume 65, where "The perceptron" appeared
DIMENSIONS = 20
N_TRAIN = 150
N_TEST = 2000
MARGIN = 0.2  # the least distance of any point from the hidden hyperplane
BIAS = 0.4  # the plane misses the origin, so the two labels are not equally common
DECIMALS = 6
PUBLIC_FRACTION = 0.5  # must match [grading] public_fraction in challenge.toml
FEATURES = [f"x{i}" for i in range(1, DIMENSIONS + 1)]


def hidden_plane() -> tuple[np.ndarray, float]:
    """The separating hyperplane ``(w, b)``, with ``|w| = 1``: the answer, kept out of public/."""
    w = np.random.default_rng(SEED).normal(size=DIMENSIONS)
    return w / math.sqrt(math.fsum(w * w)), BIAS


def side(points: np.ndarray, plane: tuple[np.ndarray, float]) -> np.ndarray:
    """``x . w + b`` of each point, each sum correctly rounded (``math.fsum``), not left to
    BLAS, whose summation order (and so last bit) depends on the CPU: which points keep
    the margin, and their labels, must not."""
    w, b = plane
    return np.array([math.fsum([*(row * w), b]) for row in points])


def make_points(
    rng: np.random.Generator, n: int, plane: tuple[np.ndarray, float]
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points at least ``MARGIN`` from the plane, and their labels (0 or 1)."""
    kept: list[np.ndarray] = []
    count = 0
    while count < n:
        # Rounded before the margin test, so the published digits keep the margin exactly.
        x = np.round(rng.normal(size=(2 * n, DIMENSIONS)), DECIMALS)
        x = x[np.abs(side(x, plane)) >= MARGIN]
        kept.append(x)
        count += len(x)
    points = np.concatenate(kept)[:n]
    return points, (side(points, plane) > 0).astype(np.int64)


def _number(value: float) -> str:
    text = f"{value:.{DECIMALS}f}"
    return "0.000000" if text == "-0.000000" else text  # one spelling of zero


def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    # Fixed float format and "\n" line ends: the same seed gives the same bytes.
    lines = [",".join(header), *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    plane = hidden_plane()
    rng = np.random.default_rng([SEED, 1])  # a stream of its own, apart from the plane's
    train_x, train_y = make_points(rng, N_TRAIN, plane)
    test_x, test_y = make_points(rng, N_TEST, plane)
    public_dir.mkdir(parents=True, exist_ok=True)
    hidden_dir.mkdir(parents=True, exist_ok=True)
    _write_rows(
        public_dir / "train.csv",
        [*FEATURES, "label"],
        [[*map(_number, x), str(y)] for x, y in zip(train_x, train_y, strict=True)],
    )
    ids = list(range(N_TEST))
    _write_rows(
        public_dir / "test.csv",
        ["id", *FEATURES],
        [[str(i), *map(_number, x)] for i, x in zip(ids, test_x, strict=True)],
    )
    write_hidden_labels(
        hidden_dir / "labels.csv",
        ids=ids,
        labels=[int(y) for y in test_y],
        splits=assign_splits(N_TEST, public_fraction=PUBLIC_FRACTION, seed=SPLIT_SEED),
    )


def prepare_dry_run(*, public_dir: Path, dry_run_dir: Path) -> None:
    """A dry run's data (``graders.dry_runs``): 100 training rows to learn from,
    50 others set aside as its test items."""
    sample_labelled_csv(
        train_csv=public_dir / "train.csv", dry_run_dir=dry_run_dir, n_train=100, n_test=50
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


if __name__ == "__main__":
    main()

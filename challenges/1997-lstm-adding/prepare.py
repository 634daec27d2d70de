"""The adding problem (Hochreiter & Schmidhuber 1997, experiment 4), made from a seed.

Every sequence has ``LENGTH`` steps of two channels: a value drawn uniformly
from [0, 1), and a marker that is 1 at exactly two steps, one in the first half
of the sequence and one in the second, and 0 elsewhere. The target is the sum of
the two marked values. No raw data is needed, so ``datasets_dir`` is unused.

    PYTHONPATH=. python challenges/1997-lstm-adding/prepare.py OUT_DIR

writes OUT_DIR/public (train.npz, test.npz) and OUT_DIR/hidden (labels.csv).
"""

from __future__ import annotations

import argparse
import io
import zipfile
from pathlib import Path

import numpy as np

from graders.dry_runs import PUBLIC, pick, write_sample_labels
from graders.splits import assign_splits, write_hidden_labels

SEED = 1997
SPLIT_SEED = 9  # Neural Computation volume 9, where "Long short-term memory" appeared
LENGTH = 200
N_TRAIN = 20_000
N_TEST = 4_000
PUBLIC_FRACTION = 0.5  # must match [grading] public_fraction in challenge.toml
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so that the same seed gives the same bytes


def make_sequences(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``x`` float32 [n, LENGTH, 2] and the targets ``y`` float32 [n]."""
    values = rng.random((n, LENGTH), dtype=np.float32)
    first = rng.integers(0, LENGTH // 2, size=n)
    second = rng.integers(LENGTH // 2, LENGTH, size=n)
    rows = np.arange(n)
    markers = np.zeros((n, LENGTH), dtype=np.float32)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    targets = values[rows, first] + values[rows, second]  # float32 + float32: float32
    return np.stack([values, markers], axis=-1), targets


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """What ``np.savez`` writes (a zip of .npy files, stored), without its timestamps:
    ``np.savez`` stamps the current time into the archive, so its bytes change."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())


def _label(value: np.float32) -> str:
    # The shortest decimal that reads back as the same float32: exact, and compact.
    return np.format_float_positional(value, unique=True, trim="0")


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    rng = np.random.default_rng(SEED)
    train_x, train_y = make_sequences(rng, N_TRAIN)
    test_x, test_y = make_sequences(rng, N_TEST)
    public_dir.mkdir(parents=True, exist_ok=True)
    hidden_dir.mkdir(parents=True, exist_ok=True)
    write_npz(public_dir / "train.npz", {"x": train_x, "y": train_y})
    write_npz(public_dir / "test.npz", {"x": test_x})
    write_hidden_labels(
        hidden_dir / "labels.csv",
        ids=list(range(N_TEST)),
        labels=[_label(y) for y in test_y],
        splits=assign_splits(N_TEST, public_fraction=PUBLIC_FRACTION, seed=SPLIT_SEED),
    )


def prepare_dry_run(*, public_dir: Path, dry_run_dir: Path) -> None:
    """A dry run's data (``graders.dry_runs``): 1,000 training sequences to learn
    from, 200 others set aside as its test items."""
    with np.load(public_dir / "train.npz") as train:
        x, y = train["x"], train["y"]
    learn, held = pick(len(x), n_train=1_000, n_test=200)
    (dry_run_dir / PUBLIC).mkdir(parents=True, exist_ok=True)
    write_npz(dry_run_dir / PUBLIC / "train.npz", {"x": x[learn], "y": y[learn]})
    write_npz(dry_run_dir / PUBLIC / "test.npz", {"x": x[held]})
    write_sample_labels(dry_run_dir, [_label(value) for value in y[held]])


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

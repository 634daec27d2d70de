"""Measure challenge.toml's baselines on this challenge's own hidden data, per half.

    PYTHONPATH=. python challenges/1998-lenet-mnist/reference/baselines.py [--predictions FILE ...]

Prepares the data into a temporary folder (as the server does), then grades with
the bundle's own grader, on the public and on the private half:
1. the nearest class mean: each digit's mean training image, in whole grey levels,
   and for each test image the digit of the closest one (Euclidean distance), a
   linear classifier whose only learning is ten averages. It is integer arithmetic
   throughout, so its scores are the same to the last digit on every machine,
   whatever its threads or CPU;
2. any predictions file given with ``--predictions``, e.g. reference/main.py's
   output on data prepared by prepare.py (the same bytes on every machine).
The published rows (LeCun et al., 1998) are on all 10,000 test digits and are
not measured here. The raw datasets folder is MILESTONES_DATASETS_DIR, else
../shared/datasets beside the repository if present, else var/datasets (the
server's rule).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

from graders import GradingSpec, grade, load_spec
from graders.datasets import mnist

BUNDLE = Path(__file__).resolve().parents[1]
REPO = BUNDLE.parents[1]
DIGITS = 4  # decimals of an accuracy in challenge.toml

Split = tuple[float, float]  # (public, private), as each board shows it


def datasets_dir() -> Path:
    if "MILESTONES_DATASETS_DIR" in os.environ:
        return Path(os.environ["MILESTONES_DATASETS_DIR"])
    shared = REPO.parent / "shared" / "datasets"
    return shared if shared.is_dir() else REPO / "var" / "datasets"


def load_module(relative: str) -> ModuleType:
    name = "lenet_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, BUNDLE / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def nearest_class_mean(
    train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray
) -> np.ndarray:
    """The digit of the closest mean training image, for each test image; of equally
    close ones the smaller digit. Integers throughout (int64 holds every sum)."""
    x = train_images.reshape(len(train_images), -1).astype(np.int64)
    means = []
    for digit in range(10):
        mine = x[train_labels == digit]
        # Rounded half up, in integers: floor((2 * sum + n) / (2 * n)).
        means.append((2 * mine.sum(axis=0) + len(mine)) // (2 * len(mine)))
    m = np.stack(means)  # [10, 784]
    t = test_images.reshape(len(test_images), -1).astype(np.int64)
    # |t - m|^2 less |t|^2, the same for every digit: integer matmul, not BLAS.
    distances = (m * m).sum(axis=1)[None, :] - 2 * (t @ m.T)
    return distances.argmin(axis=1)


def listed(score: float) -> float:
    """An accuracy as challenge.toml lists it: ``DIGITS`` decimals (exact: a half
    holds 5,000 digits, so every accuracy is a multiple of 0.0002)."""
    return round(score, DIGITS)


def write_predictions(path: Path, labels: np.ndarray) -> None:
    lines = ["id,label", *(f"{i},{int(label)}" for i, label in enumerate(labels))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def score(predictions: Path, *, hidden_dir: Path, scratch: Path) -> Split:
    """(public, private) accuracy of a predictions file, by the bundle's own grader."""
    grading = tomllib.loads((BUNDLE / "challenge.toml").read_text(encoding="utf-8"))["grading"]
    spec = load_spec(grading)
    assert isinstance(spec, GradingSpec)  # [grading] of the labels kind
    output = scratch / "output"
    output.mkdir(exist_ok=True)
    shutil.copyfile(predictions, output / spec.output)
    scores = grade(spec=spec, output_dir=output, hidden_dir=hidden_dir)
    return scores.public, scores.private


def measure(*, root: Path, predictions: Sequence[Path] = ()) -> dict[str, Split]:
    """(public, private) accuracy (unrounded) of the nearest class mean and of each
    predictions file, on the data prepared into ``root`` (root/public, root/hidden)."""
    served = {
        name: mnist.parse_idx((root / "public" / f"{name}-idx{dims}-ubyte").read_bytes())
        for name, dims in (("train-images", 3), ("train-labels", 1), ("test-images", 3))
    }
    predicted = nearest_class_mean(
        served["train-images"], served["train-labels"], served["test-images"]
    )
    scores: dict[str, Split] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        write_predictions(scratch / "nearest.csv", predicted)
        named = {"nearest class mean": scratch / "nearest.csv"}
        named.update({str(path): path for path in predictions})
        for name, path in named.items():
            scores[name] = score(path, hidden_dir=root / "hidden", scratch=scratch)
            pub, priv = scores[name]
            print(f"{name}\n    public {pub:.6f}, private {priv:.6f}")
            print(f"    listed as score = {listed(pub)}, private_score = {listed(priv)}")
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=Path, nargs="*", default=[], help="predictions.csv")
    parser.add_argument("--datasets", type=Path, default=None, help="raw datasets folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        load_module("prepare.py").prepare(
            public_dir=root / "public",
            hidden_dir=root / "hidden",
            datasets_dir=args.datasets or datasets_dir(),
        )
        measure(root=root, predictions=args.predictions)


if __name__ == "__main__":
    main()

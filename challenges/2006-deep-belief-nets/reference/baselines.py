"""Measure challenge.toml's baselines on this challenge's own hidden data, per half.

    PYTHONPATH=. python challenges/2006-deep-belief-nets/reference/baselines.py [--predictions FILE ...]

Prepares the data into a temporary folder (as the server does), then grades with
the bundle's own grader, on the public and on the private half, each method
learning from the 100 labelled digits:
1. the nearest class mean: each digit's mean labelled image and, for each test
   image, the digit of the closest one (Euclidean distance). Integer arithmetic
   throughout: the same scores to the last digit on every machine;
2. softmax regression on the pixels, trained from scratch: the starter as
   downloaded. Float products, so its last bits follow the CPU and threads; a
   convex problem, so they move no answer (the bundle test allows one digit);
3. any predictions file given with ``--predictions``, e.g. reference/main.py's
   output on data prepared by prepare.py.
The raw datasets folder is MILESTONES_DATASETS_DIR, else ../shared/datasets
beside the repository if present, else var/datasets (the server's rule).
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
    name = "deep_belief_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, BUNDLE / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def nearest_class_mean(images: np.ndarray, labels: np.ndarray, test: np.ndarray) -> np.ndarray:
    """The digit of the closest mean labelled image, for each test image; of equally
    close ones the smaller digit. Every class has the same count n of labelled
    digits, so |n t - sum|^2 ranks the digits as |t - mean|^2 does, in integers."""
    x = images.reshape(len(images), -1).astype(np.int64)
    counts = np.bincount(labels, minlength=10)
    assert (counts == counts[0]).all(), counts
    sums = np.stack([x[labels == digit].sum(axis=0) for digit in range(10)])  # [10, 784]
    t = test.reshape(len(test), -1).astype(np.int64) * counts[0]
    # |n t - s|^2 less |n t|^2, the same for every digit: integer matmul, not BLAS.
    distances = (sums * sums).sum(axis=1)[None, :] - 2 * (t @ sums.T)
    return distances.argmin(axis=1)


def from_scratch(images: np.ndarray, labels: np.ndarray, test: np.ndarray) -> np.ndarray:
    """The starter's softmax regression on the pixels of the labelled digits."""
    starter = load_module("starter/main.py")
    w, b = starter.softmax_regression(starter.flat(images), labels.astype(np.int64))
    return (starter.flat(test) @ w + b).argmax(axis=1)


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
    return listed(scores.public), listed(scores.private)


def measure(*, root: Path, predictions: Sequence[Path] = ()) -> dict[str, Split]:
    """(public, private) accuracy, as listed, of the nearest class mean, of the
    starter and of each predictions file, on the data prepared into ``root``."""
    public = root / "public"
    images = mnist.parse_idx((public / "labelled-images-idx3-ubyte").read_bytes())
    labels = mnist.parse_idx((public / "labelled-labels-idx1-ubyte").read_bytes())
    test = mnist.parse_idx((public / "test-images-idx3-ubyte").read_bytes())
    scores: dict[str, Split] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        write_predictions(scratch / "nearest.csv", nearest_class_mean(images, labels, test))
        write_predictions(scratch / "scratch.csv", from_scratch(images, labels, test))
        named = {"nearest class mean": scratch / "nearest.csv"}
        named["from scratch"] = scratch / "scratch.csv"
        named.update({str(path): path for path in predictions})
        for name, path in named.items():
            scores[name] = score(path, hidden_dir=root / "hidden", scratch=scratch)
            print(f"{name}: score = {scores[name][0]}, private_score = {scores[name][1]}")
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

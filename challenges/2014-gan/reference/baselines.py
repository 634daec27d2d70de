"""Measure the baselines of challenge.toml on this challenge's own hidden data.

    PYTHONPATH=. python challenges/2014-gan/reference/baselines.py [--samples FILE ...]

Prepares the data into a temporary folder (as the server does), then grades
1. uniform noise: every pixel drawn uniformly from 0..255 (seeded);
2. a mean-image blur: for each of the first 10,000 training labels, the mean of
   all training images of that digit (ten blurry prototypes, in the training
   set's class proportions);
3. the first 10,000 training images themselves, which the memorization
   penalty must send to the bottom of the board;
and any samples file given with ``--samples`` (e.g. the reference's output), printing
the public and private scores with their parts (FID, share of near-copies, penalty),
and each score as challenge.toml lists it (four significant digits). The
grader's files are the same on every machine, so these are too (up to about 1e-13
of their value, from the Fréchet distance's floating point).
The raw datasets folder is MILESTONES_DATASETS_DIR, else ../shared/datasets beside
the repository if present, else var/datasets (the server's rule).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

from graders.datasets import mnist
from graders.samples import hidden
from graders.samples.spec import SamplesSpec

BUNDLE = Path(__file__).resolve().parents[1]
REPO = BUNDLE.parents[1]
SHAPE = (10_000, 28, 28)
NOISE_SEED = 0
DIGITS = 4  # significant digits of a score in challenge.toml


def datasets_dir() -> Path:
    if "MILESTONES_DATASETS_DIR" in os.environ:
        return Path(os.environ["MILESTONES_DATASETS_DIR"])
    shared = REPO.parent / "shared" / "datasets"
    return shared if shared.is_dir() else REPO / "var" / "datasets"


def load_prepare() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gan_prepare", BUNDLE / "prepare.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def baseline_samples(datasets: Path) -> dict[str, np.ndarray]:
    train_images, train_labels = mnist.load(datasets, "train")
    n = SHAPE[0]
    means = np.stack([train_images[train_labels == digit].mean(axis=0) for digit in range(10)])
    return {
        "noise": np.random.default_rng(NOISE_SEED).integers(0, 256, SHAPE, dtype=np.uint8),
        "mean-image blur": np.rint(means[train_labels[:n]]).astype(np.uint8),
        "training images": train_images[:n].copy(),
    }


def score(images: np.ndarray, *, data: hidden.HiddenData, scratch: Path) -> tuple[float, float]:
    """(public, private) score of ``images``, printed with its parts."""
    spec = SamplesSpec.from_dict({"output": "samples.npy", "shape": list(SHAPE)})
    np.save(scratch / "samples.npy", images)
    parts = spec.breakdown(output_dir=scratch, data=data)
    public, private = parts.scores
    memo = parts.memorization
    print(
        f"    FID public {parts.fid_public:.4f}, private {parts.fid_private:.4f}; "
        f"near-copies {memo.share:.2%}, penalty x{memo.penalty:.4g}"
    )
    print(f"    score public {public:.4f}, private {private:.4f}")
    return public, private


def listed(score: float) -> float:
    """A score as challenge.toml lists it: rounded to ``DIGITS`` significant digits."""
    return float(f"{score:.{DIGITS}g}")


def measure(
    *, hidden_dir: Path, datasets: Path, samples: Sequence[Path] = ()
) -> dict[str, tuple[float, float]]:
    """(public, private) score (unrounded) of each baseline and samples file, graded
    against the prepared ``hidden_dir``."""
    data = hidden.load(hidden_dir)
    named = baseline_samples(datasets)
    named.update({str(path): np.load(path, allow_pickle=False) for path in samples})
    scores: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, images in named.items():
            print(name)
            scores[name] = score(images, data=data, scratch=Path(scratch))
            public, private = (listed(value) for value in scores[name])
            print(f"    listed as score = {public:g}, private_score = {private:g}")
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, nargs="*", default=[], help="samples.npy files")
    parser.add_argument("--datasets", type=Path, default=None, help="raw datasets folder")
    args = parser.parse_args()
    datasets = args.datasets or datasets_dir()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        load_prepare().prepare(
            public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=datasets
        )
        measure(hidden_dir=root / "hidden", datasets=datasets, samples=args.samples)


if __name__ == "__main__":
    main()

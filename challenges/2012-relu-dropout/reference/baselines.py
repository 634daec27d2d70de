"""Measure challenge.toml's baselines on this challenge's own hidden data, per half.

    PYTHONPATH=. var/runtimes/torch/bin/python challenges/2012-relu-dropout/reference/baselines.py [--json]

Prepares the data into a temporary folder (as the server does), then trains
reference/main.py's network four ways on the 1,000 served digits, the same
seed, epochs and optimiser each time, and grades each one's predictions with the
bundle's own grader, on the public and on the private half:
1. sigmoid hidden units, no dropout (the starter);
2. ReLU, no dropout;
3. sigmoid with dropout;
4. ReLU with dropout (the reference).
It also prints each network's accuracy on the 1,000 digits it learned from: the
gap between the two is what dropout closes. Trained networks follow the CPU's
kernels and the thread count in their last bits, so another machine measures
slightly different numbers (tests/challenges/test_relu_dropout_bundle.py states
by how much). It needs PyTorch: run it with the torch runtime's interpreter. The
raw datasets folder is MILESTONES_DATASETS_DIR, else ../shared/datasets beside
the repository if present, else var/datasets (the server's rule).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import tempfile
from pathlib import Path
from types import ModuleType

from graders import GradingSpec, grade, load_spec
from graders.datasets import mnist

BUNDLE = Path(__file__).resolve().parents[1]
REPO = BUNDLE.parents[1]
DIGITS = 4  # decimals of an accuracy in challenge.toml (a half holds 5,000 digits)
WAYS = {  # name -> (activation, dropout), in challenge.toml's order
    "sigmoid": ("sigmoid", False),
    "relu": ("relu", False),
    "sigmoid+dropout": ("sigmoid", True),
    "relu+dropout": ("relu", True),
}
Split = tuple[float, float]  # (public, private), as each board shows it


def datasets_dir() -> Path:
    if "MILESTONES_DATASETS_DIR" in os.environ:
        return Path(os.environ["MILESTONES_DATASETS_DIR"])
    shared = REPO.parent / "shared" / "datasets"
    return shared if shared.is_dir() else REPO / "var" / "datasets"


def load_module(relative: str) -> ModuleType:
    name = "relu_dropout_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, BUNDLE / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grading_spec() -> GradingSpec:
    import tomllib

    grading = tomllib.loads((BUNDLE / "challenge.toml").read_text(encoding="utf-8"))["grading"]
    spec = load_spec(grading)
    assert isinstance(spec, GradingSpec)  # [grading] of the labels kind
    return spec


def measure(root: Path) -> dict[str, dict[str, float]]:
    """Each way's train accuracy and (public, private) test accuracy, rounded as
    challenge.toml lists them, on the data prepared into ``root``."""
    ref, spec = load_module("reference/main.py"), grading_spec()
    public = root / "public"
    images = mnist.parse_idx((public / "train-images-idx3-ubyte").read_bytes())
    labels = mnist.parse_idx((public / "train-labels-idx1-ubyte").read_bytes())
    test_images = mnist.parse_idx((public / "test-images-idx3-ubyte").read_bytes())
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (activation, dropout) in WAYS.items():
            model = ref.train(
                images, labels, activation=activation, dropout=dropout, epochs=ref.EPOCHS
            )
            ref.write_predictions(Path(tmp) / spec.output, ref.predict(model, test_images))
            scores = grade(spec=spec, output_dir=Path(tmp), hidden_dir=root / "hidden")
            results[name] = {
                "train": round(float((ref.predict(model, images) == labels).mean()), DIGITS),
                "public": round(scores.public, DIGITS),
                "private": round(scores.private, DIGITS),
            }
            print(f"{name:<16} {results[name]}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=None, help="raw datasets folder")
    parser.add_argument("--json", action="store_true", help="end with the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        load_module("prepare.py").prepare(
            public_dir=root / "public",
            hidden_dir=root / "hidden",
            datasets_dir=args.datasets or datasets_dir(),
        )
        results = measure(root)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()

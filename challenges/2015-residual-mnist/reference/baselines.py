"""Measure the baselines of challenge.toml on this challenge's own data, per half.

    PYTHONPATH=. var/runtimes/torch/bin/python challenges/2015-residual-mnist/reference/baselines.py

(the torch runtime: the project's own environment has no PyTorch). Prepares the
data into a temporary folder (as the server does), then trains, by
reference/main.py's own code (the same seed, batches, optimizer, schedule and
epochs, all 60,000 training digits), three networks 64 units wide that differ
only in depth and shortcuts:
1. a shallow plain network: 4 weight layers (one block);
2. the deep plain network: 34 weight layers, no shortcuts (the starter);
3. the deep residual network: the same 34 layers with identity shortcuts (the
   reference);
and scores each on the public and the private half of the test set. It prints
each network's last training accuracy (the degradation problem is a training
error) and, with ``--json``, the scores as one JSON object on its last line.
About a minute and a half of CPU time on one thread.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

BUNDLE = Path(__file__).resolve().parents[1]
REPO = BUNDLE.parents[1]
NETWORKS = {  # name: (weight layers, identity shortcuts)
    "shallow": (4, False),
    "plain": (34, False),
    "residual": (34, True),
}

Split = tuple[float, float]  # (public, private), as each board shows it


def load_module(relative: str) -> ModuleType:
    name = "residual_mnist_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, BUNDLE / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def datasets_dir() -> Path:
    if "MILESTONES_DATASETS_DIR" in os.environ:
        return Path(os.environ["MILESTONES_DATASETS_DIR"])
    shared = REPO.parent / "shared" / "datasets"
    return shared if shared.is_dir() else REPO / "var" / "datasets"


def halves(predictions: Path, labels: Path) -> Split:
    """(public, private) accuracy of a predictions file against the hidden labels."""
    with predictions.open(encoding="utf-8", newline="") as handle:
        predicted = {row["id"]: row["label"] for row in csv.DictReader(handle)}
    right = {"public": 0, "private": 0}
    total = {"public": 0, "private": 0}
    with labels.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            total[row["split"]] += 1
            right[row["split"]] += predicted[row["id"]] == row["label"]
    return right["public"] / total["public"], right["private"] / total["private"]


def measure(datasets: Path) -> dict[str, Split]:
    """(public, private) accuracy (unrounded) of each of ``NETWORKS``."""
    import torch

    reference = load_module("reference/main.py")
    scores: dict[str, Split] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        load_module("prepare.py").prepare(
            public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=datasets
        )
        for name, (depth, shortcuts) in NETWORKS.items():
            print(f"{name}: {depth} weight layers, shortcuts {shortcuts}", flush=True)
            torch.manual_seed(reference.SEED)  # as reference/main.py's main() seeds it
            model = reference.Network(depth, shortcuts=shortcuts)
            reference.run(root / "public", root / name, model, {})
            scores[name] = halves(root / name / "predictions.csv", root / "hidden" / "labels.csv")
            pub, priv = scores[name]
            print(f"{name}: public {pub:.4f}, private {priv:.4f}", flush=True)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=None, help="raw datasets folder")
    parser.add_argument("--json", action="store_true", help="the scores as JSON, last line")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))  # prepare.py reads MNIST through graders.datasets
    scores = measure(args.datasets or datasets_dir())
    if args.json:
        print(json.dumps(scores))


if __name__ == "__main__":
    main()

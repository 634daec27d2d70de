"""Measure the baselines of challenge.toml on this challenge's own cloze items.

    PYTHONPATH=. python challenges/2013-word2vec-shakespeare/reference/baselines.py \
        [--datasets ../shared/datasets] [--reference]

Prepares the data into a temporary folder (as the server does), then scores, through
the grader's own cloze kind (the same items, the same public and private halves):
1. random vectors: ``DIM`` seeded Gaussian numbers per word (chance, about 1/5);
2. the most frequent candidate (by its count in train.txt): frequency alone, no vectors;
3. the starter: raw co-occurrence counts with the 300 most frequent words;
4. PPMI and truncated SVD: the same counts (context words of every frequency, weighted
   to the 3/4 power), positive pointwise mutual information, its top ``DIM`` singular
   directions scaled by the square roots of their values (Levy & Goldberg, 2014);
5. with ``--reference``: reference/main.py, the skip-gram (a few minutes of CPU).
Prints the accuracy on the public half, the private half and both.
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import tomllib
from pathlib import Path
from types import ModuleType

import numpy as np

from graders.cloze.spec import ClozeSpec, Items, load_items

BUNDLE = Path(__file__).resolve().parents[1]
DATASETS = BUNDLE.parents[1].parent / "shared" / "datasets"
DIM = 100
SEED = 2013
Split = tuple[float, float]  # (public, private), as each board shows it


def load_module(relative: str) -> ModuleType:
    name = "word2vec_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, BUNDLE / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grading() -> ClozeSpec:
    table = tomllib.loads((BUNDLE / "challenge.toml").read_text(encoding="utf-8"))["grading"]
    return ClozeSpec.from_dict({key: value for key, value in table.items() if key != "kind"})


def ppmi_svd(counts: np.ndarray, dim: int = DIM) -> np.ndarray:
    """Levy & Goldberg's PPMI with context counts to the 3/4 power, then SVD."""
    context = counts.sum(axis=0) ** 0.75
    expected = np.outer(counts.sum(axis=1), context / context.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts / expected)
    ppmi = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)
    u, s, _ = np.linalg.svd(ppmi, full_matrices=False)
    return u[:, :dim] * np.sqrt(s[:dim])


def score(spec: ClozeSpec, vectors: np.ndarray, items: Items, scratch: Path) -> np.ndarray:
    """Which items ``vectors`` answer right, written and read back as a program's file is."""
    scratch.mkdir(parents=True, exist_ok=True)
    np.save(scratch / spec.output, vectors.astype(np.float32))
    return spec.right(output_dir=scratch, items=items)


def report(name: str, right: np.ndarray, public: np.ndarray) -> Split:
    """Accuracy on the public and on the private half, rounded as challenge.toml lists it."""
    halves = right[public].mean(), right[~public].mean()
    print(f"{name:<34} public {halves[0]:.4f}  private {halves[1]:.4f}  all {right.mean():.4f}")
    return round(float(halves[0]), 4), round(float(halves[1]), 4)


def measure(datasets: Path = DATASETS, *, reference: bool = False) -> dict[str, Split]:
    """Accuracy of each baseline on each half of the items (4 decimals)."""
    prepare, starter = load_module("prepare.py"), load_module("starter/main.py")
    spec = grading()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        public_dir = root / "public"
        prepare.prepare(public_dir=public_dir, hidden_dir=root / "hidden", datasets_dir=datasets)
        items = load_items(root / "hidden")
        vocab, ids = starter.read_data(public_dir)
        counts = starter.cooccurrences(ids, len(vocab))
        frequency = np.bincount(ids, minlength=len(vocab))
        rng = np.random.default_rng(SEED)
        right = {
            "random": score(spec, rng.standard_normal((len(vocab), DIM)), items, root / "r"),
            "frequency": np.argmax(frequency[items.candidates], axis=1) == items.answers,
            "counts": score(spec, starter.vectors(counts), items, root / "c"),
            "ppmi_svd": score(spec, ppmi_svd(counts), items, root / "p"),
        }
        if reference:
            skipgram = load_module("reference/main.py")
            vectors = skipgram.train(ids, len(vocab), skipgram.EPOCHS, seconds=float("inf"))
            right["reference"] = score(spec, vectors, items, root / "s")
    return {name: report(name, values, items.public) for name, values in right.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--reference", action="store_true", help="also train the skip-gram")
    args = parser.parse_args()
    measure(args.datasets, reference=args.reference)


if __name__ == "__main__":
    main()

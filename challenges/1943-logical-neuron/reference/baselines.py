"""Measure the baselines of challenge.toml on this challenge's own data.

    PYTHONPATH=. python challenges/1943-logical-neuron/reference/baselines.py

Prepares the data into a temporary folder (as the server does), then scores, one
network per function, each learned from that function's training rows only:
1. the majority: every test row gets its function's most common training output;
2. Hebb's rule: one unit, weights summed from the rows (in their +1/-1 form);
3. Rosenblatt's rule: one unit, passes until one makes no mistake, at most
   reference/main.py's ``MAX_EPOCHS`` (its last weights when none does);
4. the reference: reference/main.py, one unit where it converges, else two layers;
5. the networks the data were made with (a bound: every answer right);
on the public and private halves of the test set, and prints each function's accuracy.
"""

from __future__ import annotations

import csv
import importlib.util
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

BUNDLE = Path(__file__).resolve().parents[1]
Learner = Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]
Split = tuple[float, float]  # (public, private), as each board shows it


def load_module(relative: str) -> ModuleType:
    name = "logical_neuron_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, BUNDLE / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_hidden(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The hidden file's labels and splits, in id order."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["id"]) for row in rows] == list(range(len(rows)))
    return np.array([int(row["label"]) for row in rows]), np.array([row["split"] for row in rows])


def majority(x: np.ndarray, labels: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    common = int(2 * labels.sum() >= len(labels))  # a tie answers 1
    return lambda z: np.full(len(z), common, dtype=np.int64)


def hebb(x: np.ndarray, labels: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Hebb's rule in its +1/-1 form, from the starter's unit (zero weights, a bias of
    +1 or -1 for the majority output, which breaks ties): each weight grows when its
    input and the output agree and shrinks when they differ, and so does the bias."""
    target, signed = 2 * labels - 1, 2 * x - 1
    w, b = target @ signed, int(target.sum()) + (1 if 2 * labels.sum() >= len(labels) else -1)
    return lambda z: ((2 * z - 1) @ w + b > 0).astype(np.int64)


def score_each(
    learner: Learner, data: dict[str, dict[str, np.ndarray]], ref: ModuleType
) -> np.ndarray:
    """``learner``'s predictions for every test row, one network per function."""
    train, test = data["train"], data["test"]
    x, labels, asked = ref.inputs(train), train["label"], ref.inputs(test)
    predicted = np.zeros(len(asked), dtype=np.int64)
    for function in np.unique(train["function"]):
        rows, wanted = train["function"] == function, test["function"] == function
        predicted[wanted] = learner(x[rows], labels[rows])(asked[wanted])
    return predicted


def report(name: str, predicted: np.ndarray, truth: np.ndarray, split: np.ndarray) -> Split:
    """Accuracy on the public and on the private half, rounded as challenge.toml lists it."""
    right = predicted == truth
    public, private = right[split == "public"].mean(), right[split == "private"].mean()
    print(f"{name:<22} test {right.mean():.4f}  public {public:.4f}  private {private:.4f}")
    return round(float(public), 4), round(float(private), 4)


def measure() -> dict[str, Split]:
    """Accuracy of each baseline on each half of the test set (4 decimals)."""
    prepare, ref = load_module("prepare.py"), load_module("reference/main.py")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        prepare.prepare(
            public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=root / "raw"
        )
        data = {name: ref.read_csv(root / "public" / f"{name}.csv") for name in ("train", "test")}
        truth, split = read_hidden(root / "hidden" / "labels.csv")

    def rosenblatt(x: np.ndarray, labels: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        w, _ = ref.rosenblatt(x, labels, max_epochs=ref.MAX_EPOCHS)
        return lambda z: (ref.with_bias(z) @ w > 0).astype(np.int64)

    def reference(x: np.ndarray, labels: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        return ref.learn(x, labels, max_epochs=ref.MAX_EPOCHS)[1]

    learners = {
        "majority": majority,
        "hebb": hebb,
        "rosenblatt": rosenblatt,
        "reference": reference,
    }
    predictions = {name: score_each(learner, data, ref) for name, learner in learners.items()}
    functions = {f.number: f for f in prepare.hidden_functions()}
    predictions["networks"] = secret_answers(functions, data["test"], ref)  # the bound
    per_function(predictions, truth, data["test"]["function"], functions)
    return {name: report(name, predicted, truth, split) for name, predicted in predictions.items()}


def secret_answers(
    functions: dict[int, Any], test: dict[str, np.ndarray], ref: ModuleType
) -> np.ndarray:
    """What the networks the data were made with answer on every test row."""
    asked, answers = ref.inputs(test), np.zeros(len(test["id"]), dtype=np.int64)
    for number, function in functions.items():
        rows = test["function"] == number
        answers[rows] = function.outputs(asked[rows])
    return answers


def per_function(
    predictions: dict[str, np.ndarray],
    truth: np.ndarray,
    numbers: np.ndarray,
    functions: dict[int, Any],
) -> None:
    """Each function's accuracy under each baseline, with the name of its secret network."""
    print(f"{'function':<40}" + "".join(f"{name:>11}" for name in predictions))
    for number, function in sorted(functions.items()):
        rows = numbers == number
        right = [np.mean(p[rows] == truth[rows]) for p in predictions.values()]
        label = f"{number:>2} {function.network.name}"
        print(f"{label:<40}" + "".join(f"{r:>11.3f}" for r in right))


def main() -> None:
    measure()


if __name__ == "__main__":
    main()

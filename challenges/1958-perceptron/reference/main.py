"""Reference solution: Rosenblatt's perceptron learning rule (1958), in NumPy.

One threshold unit, ``output = 1 if w . x + b > 0 else 0``, weights starting at
zero. Show it the training points in order; on a mistake, add the point to the
weights when the answer should have been 1, subtract it when it should have
been 0 (the bias is the weight of an input that is always 1); repeat the passes
until one makes no mistake. The convergence theorem says that moment comes.

    python main.py                      # reads /data, writes /output (the sandbox)
    python main.py DATA_DIR OUTPUT_DIR  # the same, anywhere else

A ``budget.json`` beside this file (``{"max_epochs": 5}``) caps the passes; without
it the rule runs until it converges (or ``MAX_EPOCHS``, far beyond what it needs).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

DATA = Path("/data")
OUTPUT = Path("/output")
MAX_EPOCHS = 10_000  # a guard only: Novikoff's bound promises far fewer passes here


def read_csv(path: Path) -> dict[str, np.ndarray]:
    """Columns of a CSV file with a header row, as float arrays by name."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
        table = np.loadtxt(handle, delimiter=",", ndmin=2)
    return {name: table[:, i] for i, name in enumerate(header)}


def features(table: dict[str, np.ndarray]) -> np.ndarray:
    """The x1..xN columns in order, with a constant 1 appended: its weight is the bias."""
    names = sorted((c for c in table if c.startswith("x")), key=lambda c: int(c[1:]))
    return np.column_stack([*(table[name] for name in names), np.ones(len(table[names[0]]))])


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return (x @ w > 0).astype(np.int64)


def train(x: np.ndarray, labels: np.ndarray, *, max_epochs: int) -> tuple[np.ndarray, int, int]:
    """Rosenblatt's rule; returns (weights, mistakes made in all, passes over the data).

    The update ``w += (label - output) * x`` is +x, -x or nothing: with a
    learning rate it would only rescale ``w``, which changes no prediction."""
    w = np.zeros(x.shape[1])
    mistakes = 0
    for epoch in range(1, max_epochs + 1):
        errors = 0
        for point, label in zip(x, labels, strict=True):
            error = label - int(point @ w > 0)  # +1, -1, or 0 when the unit was right
            if error:
                w += error * point
                errors += 1
        mistakes += errors
        if errors == 0:
            return w, mistakes, epoch
    return w, mistakes, max_epochs


def read_budget() -> dict[str, int]:
    path = Path(__file__).resolve().parent / "budget.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_predictions(path: Path, ids: np.ndarray, labels: np.ndarray) -> None:
    lines = ["id,label", *(f"{int(i)},{int(label)}" for i, label in zip(ids, labels, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    started = time.perf_counter()
    train_set = read_csv(data / "train.csv")
    test_set = read_csv(data / "test.csv")
    x, labels = features(train_set), train_set["label"].astype(np.int64)
    max_epochs = int(read_budget().get("max_epochs", MAX_EPOCHS))
    w, mistakes, epochs = train(x, labels, max_epochs=max_epochs)
    train_accuracy = np.mean(predict(w, x) == labels)
    print(f"{mistakes} mistakes in {epochs} passes; train accuracy {train_accuracy:.4f}")
    output.mkdir(parents=True, exist_ok=True)
    predicted = predict(w, features(test_set))
    write_predictions(output / "predictions.csv", test_set["id"], predicted)
    print(f"wrote {len(predicted)} predictions in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()

"""Starter for "The logical neuron" (1943). NumPy only.

Sixteen hidden boolean functions of eight inputs; for each, a quarter of its
truth table is in train.csv. This program gives each function one threshold
unit, output 1 if w . s + b > 0 else 0, where s is the input written with +1
for on and -1 for off. Its weights start at zero and its bias answers the
function's most common training output: a valid submission that scores what
always-majority scores. Your job is the TODO: Hebb's rule, which makes the
weights learn. Then, for the functions one unit cannot compute, a second layer.

    python main.py                      # in the sandbox: reads /data, writes /output
    python main.py DATA_DIR OUTPUT_DIR  # on your machine, e.g. python main.py data out
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

DATA = Path("/data")
OUTPUT = Path("/output")
INPUTS = [f"x{i}" for i in range(1, 9)]


def read_csv(path: Path) -> dict[str, np.ndarray]:
    """Columns of a CSV file of whole numbers with a header row, as arrays by name."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
        table = np.loadtxt(handle, delimiter=",", dtype=np.int64, ndmin=2)
    return {name: table[:, i] for i, name in enumerate(header)}


def signed(table: dict[str, np.ndarray]) -> np.ndarray:
    """Inputs x1..x8 as +1 (on) and -1 (off), one row per truth-table row."""
    return 2 * np.column_stack([table[name] for name in INPUTS]) - 1


def train_unit(s: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, int]:
    """One unit's weights and bias from one function's training rows."""
    w = np.zeros(s.shape[1], dtype=np.int64)
    b = 1 if 2 * labels.sum() >= len(labels) else -1  # before learning: the majority output
    for row, label in zip(s, labels, strict=True):
        t = 2 * int(label) - 1  # the output as +1 or -1
        # TODO: Hebb's rule. When input and output agree (both +1 or both -1), the
        # connection grows; when they differ, it shrinks: add t * row to w, and t to b.
        del row, t
    return w, b


def answer(w: np.ndarray, b: int, s: np.ndarray) -> np.ndarray:
    return (s @ w + b > 0).astype(np.int64)


def write_predictions(path: Path, ids: np.ndarray, labels: np.ndarray) -> None:
    lines = ["id,label", *(f"{int(i)},{int(label)}" for i, label in zip(ids, labels, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    train, test = read_csv(data / "train.csv"), read_csv(data / "test.csv")
    s, labels, asked = signed(train), train["label"], signed(test)
    predicted = np.zeros(len(asked), dtype=np.int64)
    for function in np.unique(train["function"]):
        rows, wanted = train["function"] == function, test["function"] == function
        w, b = train_unit(s[rows], labels[rows])
        predicted[wanted] = answer(w, b, asked[wanted])
        right = np.mean(answer(w, b, s[rows]) == labels[rows])
        print(f"function {function}: training rows right {right:.3f}")
    output.mkdir(parents=True, exist_ok=True)
    write_predictions(output / "predictions.csv", test["id"], predicted)
    print(f"wrote {len(predicted)} predictions to {output / 'predictions.csv'}")


if __name__ == "__main__":
    main()

"""Starter for "The perceptron learns" (1958). NumPy only.

One threshold unit: output 1 if w . x + b > 0, else 0. It reads the data, sets
the bias so that the unit answers the most common training label, and writes
predictions: a valid submission that scores what always-majority scores. Your
job is the TODO: Rosenblatt's learning rule, which makes the weights learn.

    python main.py                      # in the sandbox: reads /data, writes /output
    python main.py DATA_DIR OUTPUT_DIR  # on your machine, e.g. python main.py data out
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

DATA = Path("/data")
OUTPUT = Path("/output")
MAX_EPOCHS = 100


def read_csv(path: Path) -> dict[str, np.ndarray]:
    """Columns of a CSV file with a header row, as float arrays by name."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
        table = np.loadtxt(handle, delimiter=",", ndmin=2)
    return {name: table[:, i] for i, name in enumerate(header)}


def features(table: dict[str, np.ndarray]) -> np.ndarray:
    """Columns x1..x20, plus a constant 1 at the end: its weight plays the bias b."""
    columns = [table[f"x{i}"] for i in range(1, 21)]
    return np.column_stack([*columns, np.ones(len(columns[0]))])


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return (x @ w > 0).astype(np.int64)


def train(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    w = np.zeros(x.shape[1])
    w[-1] = 1.0 if labels.mean() >= 0.5 else -1.0  # before learning: the majority label
    for epoch in range(1, MAX_EPOCHS + 1):
        mistakes = 0
        for point, label in zip(x, labels, strict=True):
            output = int(point @ w > 0)
            if output != label:
                mistakes += 1
                # TODO: Rosenblatt's rule. Move w towards the right answer: add the
                # point when the label is 1, subtract it when the label is 0.
        print(f"pass {epoch}: {mistakes} mistakes")
        if mistakes == 0:  # the convergence theorem promises this pass will come
            break
        break  # TODO: remove this line once w learns, so the passes go on
    return w


def write_predictions(path: Path, ids: np.ndarray, labels: np.ndarray) -> None:
    lines = ["id,label", *(f"{int(i)},{int(label)}" for i, label in zip(ids, labels, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    train_set = read_csv(data / "train.csv")
    test_set = read_csv(data / "test.csv")
    x, labels = features(train_set), train_set["label"].astype(np.int64)
    w = train(x, labels)
    print(f"train accuracy {np.mean(predict(w, x) == labels):.4f}")
    output.mkdir(parents=True, exist_ok=True)
    predicted = predict(w, features(test_set))
    write_predictions(output / "predictions.csv", test_set["id"], predicted)
    print(f"wrote {len(predicted)} predictions to {output / 'predictions.csv'}")


if __name__ == "__main__":
    main()

"""Reference solution: the smallest network of threshold units that fits, in NumPy.

For each function, one unit first: Rosenblatt's rule on its training rows, passes
in file order. If a pass makes no mistake, a line separates the function's 1s
from its 0s, and that unit answers. If none does within ``MAX_EPOCHS`` passes, two
layers, the way McCulloch and Pitts's logic builds any function: one AND unit for
each term of an "or of ands", and an OR unit over them. The terms are grown from
the training rows (sequential covering): each starts as a row with output 1 that
no term covers yet, every input pinned to its value, and lets go of pins, one at
a time, for as long as it fires for no row whose output is 0 (of the pins it may
let go, the one that lets it fire for the most rows with output 1). Weights and
sums are whole numbers: the same answers on any machine.

    python main.py                      # reads /data, writes /output (the sandbox)
    python main.py DATA_DIR OUTPUT_DIR  # the same, anywhere else

A ``budget.json`` beside this file (``{"max_epochs": 20}``) caps the passes of
Rosenblatt's rule; without it, ``MAX_EPOCHS``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

DATA = Path("/data")
OUTPUT = Path("/output")
MAX_EPOCHS = 200  # the functions one unit can compute converge here within 20 passes
Answer = Callable[[np.ndarray], np.ndarray]  # rows of inputs -> outputs (0 or 1)
Term = dict[int, int]  # input index -> the value an AND unit pins it to


def read_csv(path: Path) -> dict[str, np.ndarray]:
    """Columns of a CSV file of whole numbers with a header row, by name."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
        table = np.loadtxt(handle, delimiter=",", dtype=np.int64, ndmin=2)
    return {name: table[:, i] for i, name in enumerate(header)}


def inputs(table: dict[str, np.ndarray]) -> np.ndarray:
    """The x1..xN columns in order, as one integer array of 0s and 1s."""
    names = sorted((c for c in table if c.startswith("x")), key=lambda c: int(c[1:]))
    return np.column_stack([table[name] for name in names])


def with_bias(x: np.ndarray) -> np.ndarray:
    """A constant input 1 appended: its weight is the bias, the threshold's opposite."""
    return np.column_stack([x, np.ones(len(x), dtype=np.int64)])


def rosenblatt(x: np.ndarray, labels: np.ndarray, *, max_epochs: int) -> tuple[np.ndarray, int]:
    """One unit by Rosenblatt's rule from zero weights: (weights with the bias last, the
    passes it took until one made no mistake, or 0 if none did in ``max_epochs``)."""
    xb, w = with_bias(x), np.zeros(x.shape[1] + 1, dtype=np.int64)
    for epoch in range(1, max_epochs + 1):
        errors = 0
        for point, label in zip(xb, labels, strict=True):
            error = int(label) - int(point @ w > 0)  # +1, -1, or 0 when the unit was right
            if error:
                w += error * point
                errors += 1
        if errors == 0:
            return w, epoch
    return w, 0


def fires(term: Term, x: np.ndarray) -> np.ndarray:
    """An AND unit: weight +1 on each input pinned to 1, -1 on each pinned to 0, and
    a threshold of the number of 1-pins: it fires exactly when every pin holds."""
    pins = list(term)
    return (x[:, pins] == np.array([term[i] for i in pins], dtype=np.int64)).all(axis=1)


def grow_term(seed: np.ndarray, positive: np.ndarray, negative: np.ndarray) -> Term:
    """The AND unit of ``seed``'s row, made as general as the rows with output 0 allow."""
    term = dict(enumerate(int(v) for v in seed))
    while term:
        looser = [{k: v for k, v in term.items() if k != i} for i in term]
        allowed = [t for t in looser if not fires(t, negative).any()]
        if not allowed:
            break
        term = max(allowed, key=lambda t: int(fires(t, positive).sum()))  # first of equals
    return term


def cover(x: np.ndarray, labels: np.ndarray) -> list[Term]:
    """AND units that together fire for every row with output 1, each for no row with 0."""
    positive, negative = x[labels == 1], x[labels == 0]
    terms: list[Term] = []
    uncovered = np.ones(len(positive), dtype=bool)
    while uncovered.any():
        terms.append(grow_term(positive[np.argmax(uncovered)], positive, negative))
        uncovered &= ~fires(terms[-1], positive)
    return terms


def learn(x: np.ndarray, labels: np.ndarray, *, max_epochs: int) -> tuple[str, Answer]:
    """The network for one function, and how it was made."""
    w, epochs = rosenblatt(x, labels, max_epochs=max_epochs)
    if epochs:
        return f"one unit ({epochs} passes)", lambda z: (with_bias(z) @ w > 0).astype(np.int64)
    terms = cover(x, labels)  # not empty: Rosenblatt's rule converges when no row has a 1
    return (
        f"two layers ({len(terms)} AND units, one OR unit)",
        lambda z: np.any([fires(t, z) for t in terms], axis=0).astype(np.int64),
    )


def read_budget() -> dict[str, int]:
    path = Path(__file__).resolve().parent / "budget.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_predictions(path: Path, ids: np.ndarray, labels: np.ndarray) -> None:
    lines = ["id,label", *(f"{int(i)},{int(label)}" for i, label in zip(ids, labels, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def predict_all(
    train: dict[str, np.ndarray], test: dict[str, np.ndarray], *, max_epochs: int
) -> np.ndarray:
    """Each function's network, learned from its training rows, on its test rows."""
    x, labels, asked = inputs(train), train["label"], inputs(test)
    predicted = np.zeros(len(asked), dtype=np.int64)
    for function in np.unique(train["function"]):
        rows, wanted = train["function"] == function, test["function"] == function
        how, answer = learn(x[rows], labels[rows], max_epochs=max_epochs)
        predicted[wanted] = answer(asked[wanted])
        print(f"function {function}: {how}", flush=True)
    return predicted


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    started = time.perf_counter()
    train, test = read_csv(data / "train.csv"), read_csv(data / "test.csv")
    max_epochs = int(read_budget().get("max_epochs", MAX_EPOCHS))
    predicted = predict_all(train, test, max_epochs=max_epochs)
    output.mkdir(parents=True, exist_ok=True)
    write_predictions(output / "predictions.csv", test["id"], predicted)
    print(f"wrote {len(predicted)} predictions in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()

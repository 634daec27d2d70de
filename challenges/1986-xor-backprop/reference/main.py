"""Reference solution: a 2-16-1 network trained by hand-written backpropagation.

tanh hidden units, a sigmoid output, cross-entropy loss, full-batch gradient
descent with momentum (as Rumelhart, Hinton & Williams used). NumPy only.

    python main.py                      # reads /data, writes /output (the sandbox)
    python main.py DATA_DIR OUTPUT_DIR  # the same, anywhere else
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

DATA = Path("/data")
OUTPUT = Path("/output")
SEED = 0
HIDDEN = 16
EPOCHS = 2000
LEARNING_RATE = 0.5
MOMENTUM = 0.9


def read_csv(path: Path) -> dict[str, np.ndarray]:
    """Columns of a CSV file with a header row, as float arrays by name."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
        table = np.loadtxt(handle, delimiter=",", ndmin=2)
    return {name: table[:, i] for i, name in enumerate(header)}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # the same function, without overflow


def init_params(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {
        "W1": rng.normal(0.0, 1.0, size=(2, HIDDEN)),
        "b1": np.zeros(HIDDEN),
        "W2": rng.normal(0.0, 1.0 / np.sqrt(HIDDEN), size=(HIDDEN, 1)),
        "b2": np.zeros(1),
    }


def forward(params: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hidden activations and output probabilities, shapes (n, HIDDEN) and (n,)."""
    h = np.tanh(x @ params["W1"] + params["b1"])
    p = sigmoid(h @ params["W2"] + params["b2"])[:, 0]
    return h, p


def backward(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, h: np.ndarray, p: np.ndarray
) -> dict[str, np.ndarray]:
    """Gradients of the mean cross-entropy, by the chain rule from the output back."""
    n = len(y)
    d_out = ((p - y) / n)[:, None]  # dLoss/dz at the output: sigmoid + cross-entropy
    d_hidden = (d_out @ params["W2"].T) * (1.0 - h * h)  # back through W2, then tanh'
    return {
        "W2": h.T @ d_out,
        "b2": d_out.sum(axis=0),
        "W1": x.T @ d_hidden,
        "b1": d_hidden.sum(axis=0),
    }


def train(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    params = init_params(np.random.default_rng(SEED))
    velocity = {name: np.zeros_like(value) for name, value in params.items()}
    for _ in range(EPOCHS):
        h, p = forward(params, x)
        grads = backward(params, x, y, h, p)
        for name, grad in grads.items():
            velocity[name] = MOMENTUM * velocity[name] - LEARNING_RATE * grad
            params[name] += velocity[name]
    return params


def write_predictions(path: Path, ids: np.ndarray, labels: np.ndarray) -> None:
    lines = ["id,label", *(f"{int(i)},{int(label)}" for i, label in zip(ids, labels, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    started = time.perf_counter()
    train_set = read_csv(data / "train.csv")
    test_set = read_csv(data / "test.csv")
    x = np.column_stack([train_set["x1"], train_set["x2"]])
    y = train_set["label"]
    params = train(x, y)
    train_accuracy = np.mean((forward(params, x)[1] > 0.5) == y)
    print(f"train accuracy {train_accuracy:.4f} after {EPOCHS} epochs")
    _, p_test = forward(params, np.column_stack([test_set["x1"], test_set["x2"]]))
    output.mkdir(parents=True, exist_ok=True)
    write_predictions(output / "predictions.csv", test_set["id"], (p_test > 0.5).astype(int))
    print(f"wrote {len(p_test)} predictions in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()

"""Starter for "XOR, solved by backpropagation" (1986). NumPy only.

It trains a single sigmoid unit (logistic regression, a smooth perceptron) by
gradient descent and writes its predictions. Run it: it scores about 0.5, which
is Minsky & Papert's point. Your job is the TODOs: a hidden layer, and the
backward pass that trains it.

    python main.py                      # in the sandbox: reads /data, writes /output
    python main.py DATA_DIR OUTPUT_DIR  # on your machine, e.g. python main.py data out
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

DATA = Path("/data")
OUTPUT = Path("/output")
SEED = 0
EPOCHS = 1000
LEARNING_RATE = 0.5


def read_csv(path: Path) -> dict[str, np.ndarray]:
    """Columns of a CSV file with a header row, as float arrays by name."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
        table = np.loadtxt(handle, delimiter=",", ndmin=2)
    return {name: table[:, i] for i, name in enumerate(header)}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # 1 / (1 + exp(-z)), without overflow


def init_params(rng: np.random.Generator) -> dict[str, np.ndarray]:
    # TODO: add a hidden layer: "W1" of shape (2, H), "b1" of shape (H,), and make
    # "W2" of shape (H, 1). Start the weights small and random, not at zero: with
    # equal weights every hidden unit computes the same thing and stays that way.
    return {"W2": rng.normal(0.0, 0.1, size=(2, 1)), "b2": np.zeros(1)}


def forward(params: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (hidden activations, output probabilities of label 1)."""
    h = x  # TODO: h = an activation (tanh, sigmoid...) of x @ W1 + b1
    p = sigmoid(h @ params["W2"] + params["b2"])[:, 0]
    return h, p


def backward(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, h: np.ndarray, p: np.ndarray
) -> dict[str, np.ndarray]:
    """Gradients of the mean cross-entropy loss with respect to every parameter."""
    d_out = ((p - y) / len(y))[:, None]  # dLoss/dz for a sigmoid output with cross-entropy
    grads = {"W2": h.T @ d_out, "b2": d_out.sum(axis=0)}
    # TODO: the step of 1986. Send d_out back through W2 and through the derivative
    # of your activation to get d_hidden, then grads["W1"] = x.T @ d_hidden and
    # grads["b1"] = d_hidden.sum(axis=0). Check it against finite differences!
    return grads


def train(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    params = init_params(np.random.default_rng(SEED))
    for _ in range(EPOCHS):
        h, p = forward(params, x)
        for name, grad in backward(params, x, y, h, p).items():
            params[name] -= LEARNING_RATE * grad
    return params


def write_predictions(path: Path, ids: np.ndarray, labels: np.ndarray) -> None:
    lines = ["id,label", *(f"{int(i)},{int(label)}" for i, label in zip(ids, labels, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    train_set = read_csv(data / "train.csv")
    test_set = read_csv(data / "test.csv")
    x = np.column_stack([train_set["x1"], train_set["x2"]])
    y = train_set["label"]
    params = train(x, y)
    print(f"train accuracy {np.mean((forward(params, x)[1] > 0.5) == y):.4f}")
    _, p_test = forward(params, np.column_stack([test_set["x1"], test_set["x2"]]))
    output.mkdir(parents=True, exist_ok=True)
    write_predictions(output / "predictions.csv", test_set["id"], (p_test > 0.5).astype(int))
    print(f"wrote {len(p_test)} predictions to {output / 'predictions.csv'}")


if __name__ == "__main__":
    main()

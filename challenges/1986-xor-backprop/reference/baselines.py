"""Measure the two baselines of challenge.toml on this challenge's own data.

    PYTHONPATH=. python challenges/1986-xor-backprop/reference/baselines.py

Prepares the data into a temporary folder (as the server does), then trains
1. a linear model: logistic regression by gradient descent, one unit, no hidden layer;
2. the 2-2-1 network of 1986: two sigmoid hidden units, one sigmoid output, squared
   error, full-batch backpropagation with momentum; a few seeded starts, keeping the
   one with the lowest training error (the 2-2-1 net has local minima, as its authors
   reported), so the choice uses the training set only.
and prints their accuracy on the whole test set, and on its public and private halves
(challenge.toml lists the halves: each board shows the score on its own half).
"""

from __future__ import annotations

import csv
import importlib.util
import tempfile
from pathlib import Path
from types import ModuleType

import numpy as np

BUNDLE = Path(__file__).resolve().parents[1]
STEPS = 5000
RESTARTS = 5


def load_prepare() -> ModuleType:
    spec = importlib.util.spec_from_file_location("xor_prepare", BUNDLE / "prepare.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_table(path: Path) -> dict[str, np.ndarray]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {name: np.array([row[name] for row in rows]) for name in rows[0]}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def logistic_regression(x: np.ndarray, y: np.ndarray, *, lr: float = 0.5) -> np.ndarray:
    """Weights (w1, w2, bias) of the mean cross-entropy's minimum, by gradient descent."""
    xb = np.column_stack([x, np.ones(len(x))])
    w = np.zeros(3)
    for _ in range(STEPS):
        w -= lr * xb.T @ (sigmoid(xb @ w) - y) / len(y)
    return w


def predict_linear(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return (np.column_stack([x, np.ones(len(x))]) @ w > 0).astype(int)


def net_221(
    x: np.ndarray, y: np.ndarray, *, seed: int, lr: float = 2.0, momentum: float = 0.9
) -> tuple[list[np.ndarray], float]:
    """A 2-2-1 sigmoid network trained on squared error; returns (params, final loss)."""
    rng = np.random.default_rng(seed)
    params = [rng.uniform(-1, 1, (2, 2)), np.zeros(2), rng.uniform(-1, 1, 2), np.zeros(1)]
    velocity = [np.zeros_like(p) for p in params]
    for _ in range(STEPS):
        w1, b1, w2, b2 = params
        h = sigmoid(x @ w1 + b1)
        out = sigmoid(h @ w2 + b2)
        d_out = (out - y) * out * (1 - out) / len(y)  # dE/dnet at the output unit
        d_h = np.outer(d_out, w2) * h * (1 - h)  # the error, propagated back
        grads = [x.T @ d_h, d_h.sum(0), h.T @ d_out, d_out.sum(keepdims=True)]
        for i, grad in enumerate(grads):
            velocity[i] = momentum * velocity[i] - lr * grad
            params[i] += velocity[i]
    w1, b1, w2, b2 = params
    loss = 0.5 * np.mean((sigmoid(sigmoid(x @ w1 + b1) @ w2 + b2) - y) ** 2)
    return params, float(loss)


def predict_221(params: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    w1, b1, w2, b2 = params
    return (sigmoid(sigmoid(x @ w1 + b1) @ w2 + b2) > 0.5).astype(int)


Split = tuple[float, float]  # (public, private), as each board shows it


def report(name: str, predicted: np.ndarray, truth: np.ndarray, split: np.ndarray) -> Split:
    """Accuracy on the public and on the private half, rounded as challenge.toml lists it."""
    right = predicted == truth
    public, private = right[split == "public"].mean(), right[split == "private"].mean()
    print(f"{name:<28} test {right.mean():.4f}  public {public:.4f}  private {private:.4f}")
    return round(float(public), 4), round(float(private), 4)


Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def load_data(prepare: ModuleType) -> Arrays:
    """(x_train, y_train, x_test, test labels, test splits), prepared as the server does."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        prepare.prepare(
            public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=root / "raw"
        )
        train = read_table(root / "public" / "train.csv")
        test = read_table(root / "public" / "test.csv")
        hidden = read_table(root / "hidden" / "labels.csv")
    x = np.column_stack([train["x1"], train["x2"]]).astype(float)
    y = train["label"].astype(float)
    x_test = np.column_stack([test["x1"], test["x2"]]).astype(float)
    truth, split = hidden["label"].astype(int), hidden["split"]
    assert (hidden["id"] == test["id"]).all()
    return x, y, x_test, truth, split


def measure() -> dict[str, Split]:
    """Accuracy on each half of the test set (4 decimals) of each baseline and of the
    Bayes rule, the best any model can expect (a bound row on the boards)."""
    prepare = load_prepare()
    x, y, x_test, truth, split = load_data(prepare)
    scores: dict[str, Split] = {}
    w = logistic_regression(x, y)
    scores["linear"] = report(
        "linear (logistic regression)", predict_linear(w, x_test), truth, split
    )
    runs = [net_221(x, y, seed=seed) for seed in range(RESTARTS)]
    for seed, (_, loss) in enumerate(runs):
        print(f"  2-2-1 seed {seed}: training loss {loss:.4f}")
    best, _ = min(runs, key=lambda run: run[1])
    scores["2-2-1"] = report("2-2-1 network (backprop)", predict_221(best, x_test), truth, split)
    bayes_rule = (x_test[:, 0] * x_test[:, 1] < 0).astype(int)
    scores["bayes-rule"] = report("Bayes rule x1*x2 < 0", bayes_rule, truth, split)
    print(f"Bayes-optimal accuracy (expected): {prepare.bayes_accuracy():.4f}")
    return scores


def main() -> None:
    measure()


if __name__ == "__main__":
    main()

"""Reference for "Deep belief nets: learning from 100 labels" (2006). NumPy only.

Greedy layer-wise pretraining (Hinton, Osindero & Teh, 2006): a restricted
Boltzmann machine of 500 binary hidden units learns the 20,000 unlabelled digits
by one-step contrastive divergence (CD-1), a second one of 500 learns the first
one's hidden probabilities, and softmax regression on the top layer's
probabilities learns the digits from the 100 labels alone. The same regression
on the pixels (the starter) does about five points worse.

    python main.py                      # in the sandbox: reads /data, writes /output
    python main.py DATA_DIR OUTPUT_DIR  # anywhere else

A budget.json beside this file (e.g. {"epochs": 3, "unlabelled_limit": 5000})
shrinks the pretraining; without one it runs at full size.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

DATA = Path("/data")
OUTPUT = Path("/output")
SEED = 2006
HIDDEN = (500, 500)  # units of each RBM, bottom to top
EPOCHS = 3  # CD-1 sweeps through the unlabelled digits, per layer (10 did worse)
BATCH = 20
LEARNING_RATE = 0.05
INIT_SCALE = 0.01
REGRESSION_STEPS = 500  # full-batch gradient steps of the softmax regression
REGRESSION_RATE = 0.5
WEIGHT_DECAY = 1e-3


def read_idx(path: Path) -> np.ndarray:
    """An IDX file of unsigned bytes: its dimensions from the header, then the data."""
    data = path.read_bytes()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def flat(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1).astype(np.float32)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def train_rbm(
    v: np.ndarray, n_hidden: int, epochs: int, rng: np.random.Generator, layer: int
) -> tuple[np.ndarray, np.ndarray]:
    """A binary RBM learned by CD-1 on minibatches; its weights and hidden biases."""
    n_visible = v.shape[1]
    w = (rng.standard_normal((n_visible, n_hidden)) * INIT_SCALE).astype(np.float32)
    a, c = np.zeros(n_visible, np.float32), np.zeros(n_hidden, np.float32)
    for epoch in range(1, epochs + 1):
        error = 0.0
        order = rng.permutation(len(v))
        for start in range(0, len(v), BATCH):
            v0 = v[order[start : start + BATCH]]
            h0 = sigmoid(v0 @ w + c)
            sample = (rng.random(h0.shape, dtype=np.float32) < h0).astype(np.float32)
            v1 = sigmoid(sample @ w.T + a)  # the one-step reconstruction, as probabilities
            h1 = sigmoid(v1 @ w + c)
            w += LEARNING_RATE * (v0.T @ h0 - v1.T @ h1) / len(v0)
            a += LEARNING_RATE * (v0 - v1).mean(axis=0)
            c += LEARNING_RATE * (h0 - h1).mean(axis=0)
            error += float(((v0 - v1) ** 2).sum())
        error /= v.size
        done = ((layer - 1) * epochs + epoch) / (len(HIDDEN) * epochs)
        print(json.dumps({"progress": done, f"layer{layer}_error": error}), flush=True)
    return w, c


def softmax_regression(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights and biases of softmax regression by full-batch gradient descent
    from zero, with a little weight decay (a convex problem: one answer)."""
    w, b = np.zeros((x.shape[1], 10)), np.zeros(10)
    target = np.eye(10)[y]
    for _ in range(REGRESSION_STEPS):
        z = x @ w + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        gradient = (p / p.sum(axis=1, keepdims=True) - target) / len(x)
        w -= REGRESSION_RATE * (x.T @ gradient + WEIGHT_DECAY * w)
        b -= REGRESSION_RATE * gradient.sum(axis=0)
    return w, b


def read_budget() -> dict[str, int]:
    path = Path(__file__).with_name("budget.json")
    return json.loads(path.read_text()) if path.is_file() else {}


def main() -> None:
    data, output = (Path(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (DATA, OUTPUT)
    budget = read_budget()
    epochs = budget.get("epochs", EPOCHS)
    labelled = flat(read_idx(data / "labelled-images-idx3-ubyte"))
    labels = read_idx(data / "labelled-labels-idx1-ubyte").astype(np.int64)
    unlabelled = flat(read_idx(data / "unlabelled-images-idx3-ubyte"))
    unlabelled = unlabelled[: budget.get("unlabelled_limit", len(unlabelled))]
    test = flat(read_idx(data / "test-images-idx3-ubyte"))
    print(f"{len(labelled)} labelled, {len(unlabelled)} unlabelled digits, {epochs} epochs a layer")
    rng = np.random.default_rng(SEED)
    features = [unlabelled, labelled, test]
    for layer, n_hidden in enumerate(HIDDEN, start=1):
        # Each layer learns the one below it, then passes its probabilities up.
        w, c = train_rbm(features[0], n_hidden, epochs, rng, layer)
        features = [sigmoid(f @ w + c) for f in features]
    w, b = softmax_regression(features[1].astype(np.float64), labels)
    predicted = (features[2].astype(np.float64) @ w + b).argmax(axis=1)
    output.mkdir(parents=True, exist_ok=True)
    rows = ["id,label", *(f"{i},{int(label)}" for i, label in enumerate(predicted))]
    (output / "predictions.csv").write_text("\n".join(rows) + "\n")
    print(f"wrote {len(predicted)} predictions")


if __name__ == "__main__":
    main()

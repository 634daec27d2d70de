"""Starter for "Graph convolutional networks" (2017). NumPy only.

A two-layer perceptron that classifies each node from its own words:

    logits = relu(X W1) W2

trained on the labelled nodes of train.csv (cross-entropy, Adam), then asked
about every node of test.csv. It is a valid submission, and it never looks at
edges.csv: the graph is your job. The TODO in ``main`` marks where it goes: a
``propagate`` that mixes each node's features with its neighbours' turns this
network into Kipf and Welling's graph convolutional network,

    logits = P relu(P X W1) W2

    python main.py                      # in the sandbox: reads /data, writes /output
    python main.py DATA_DIR OUTPUT_DIR  # on your machine, e.g. python main.py data out

Under ``MILESTONES_DRY_RUN=1`` (a dry run on the challenge page) it trains for a
few epochs only.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

DATA = Path("/data")
OUTPUT = Path("/output")
SEED = 0
EPOCHS = 200
DRY_RUN_EPOCHS = 20
HIDDEN = 16
CLASSES = 5
LEARNING_RATE = 0.01
WEIGHT_DECAY = 5e-4
Propagate = Callable[[np.ndarray], np.ndarray]  # node features -> mixed node features


def read_table(path: Path) -> np.ndarray:
    """A CSV file of whole numbers after its header row, as a 2-D integer array."""
    return np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)


def identity(h: np.ndarray) -> np.ndarray:
    return h


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def glorot(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def train(
    propagate: Propagate, x: np.ndarray, ids: np.ndarray, labels: np.ndarray, *, epochs: int
) -> np.ndarray:
    """Two layers trained on the labelled nodes ``ids``; returns every node's logits.
    The backward pass uses ``propagate`` as its own transpose: keep it symmetric."""
    rng = np.random.default_rng(SEED)
    w1, w2 = glorot(rng, x.shape[1], HIDDEN), glorot(rng, HIDDEN, CLASSES)
    m = [np.zeros_like(w1), np.zeros_like(w2)]
    v = [np.zeros_like(w1), np.zeros_like(w2)]
    px, target = propagate(x), np.eye(CLASSES)[labels]
    for epoch in range(1, epochs + 1):
        hidden = np.maximum(px @ w1, 0.0)
        ph = propagate(hidden)
        probs = softmax((ph @ w2)[ids])
        loss = -np.mean(np.log(probs[np.arange(len(ids)), labels]))
        grad_out = np.zeros((len(x), CLASSES))
        grad_out[ids] = (probs - target) / len(ids)
        grad_hidden = propagate(grad_out @ w2.T) * (hidden > 0)
        grads = [px.T @ grad_hidden + WEIGHT_DECAY * w1, ph.T @ grad_out + WEIGHT_DECAY * w2]
        for i, (w, g) in enumerate(zip((w1, w2), grads, strict=True)):  # Adam
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            m_hat, v_hat = m[i] / (1 - 0.9**epoch), v[i] / (1 - 0.999**epoch)
            w -= LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8)
        if epoch % 10 == 0 or epoch == epochs:
            right = float(np.mean(probs.argmax(axis=1) == labels))
            line = {"progress": epoch / epochs, "step": epoch, "loss": loss, "train_acc": right}
            print(json.dumps(line), flush=True)
    return propagate(np.maximum(px @ w1, 0.0)) @ w2


def write_predictions(path: Path, ids: np.ndarray, labels: np.ndarray) -> None:
    lines = ["id,label", *(f"{int(i)},{int(label)}" for i, label in zip(ids, labels, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    nodes = read_table(data / "nodes.csv")  # id, w1..w50
    edges = read_table(data / "edges.csv")  # source, target: each link once
    train_set = read_table(data / "train.csv")  # id, label
    test_ids = read_table(data / "test.csv")[:, 0]
    words = nodes[:, 1:]
    x = words / np.maximum(words.sum(axis=1, keepdims=True), 1)  # each row sums to 1
    print(f"{len(nodes)} nodes, {len(edges)} edges, {len(train_set)} labelled")
    # TODO: the graph. A propagate that replaces each node's row by a weighted sum
    # over itself and its neighbours, P = D^-1/2 (A + I) D^-1/2, makes this a GCN.
    propagate = identity
    epochs = DRY_RUN_EPOCHS if os.environ.get("MILESTONES_DRY_RUN") == "1" else EPOCHS
    logits = train(propagate, x, train_set[:, 0], train_set[:, 1], epochs=epochs)
    output.mkdir(parents=True, exist_ok=True)
    write_predictions(output / "predictions.csv", test_ids, logits[test_ids].argmax(axis=1))
    print(f"wrote {len(test_ids)} predictions after {epochs} epochs")


if __name__ == "__main__":
    main()

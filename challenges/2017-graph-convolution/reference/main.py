"""Reference solution: a two-layer graph convolutional network, in NumPy.

Kipf & Welling's model (ICLR 2017): every layer mixes each node's features with
its neighbours' through the normalised adjacency with self-loops,
``P = D^-1/2 (A + I) D^-1/2``, then applies a weight matrix:

    logits = P relu(P X W1) W2

``X`` holds the word features, each row scaled to sum to 1. Trained full-batch on
the labelled nodes only (cross-entropy, Adam, weight decay), as in the paper: the
other nodes take part through ``P``, unlabelled. The gradients are written out by
hand. ``P`` is applied as a sum over each node and its neighbours, not as a
dense 2,500 x 2,500 matrix: some 17,000 weighted rows instead of 6.25 million.
With ``P`` the identity, the same code is a features-only two-layer perceptron
(``reference/baselines.py`` scores both).

    python main.py                      # reads /data, writes /output (the sandbox)
    python main.py DATA_DIR OUTPUT_DIR  # the same, anywhere else

A ``budget.json`` beside this file (``{"epochs": 100}``) shortens training;
without it, ``EPOCHS``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

DATA = Path("/data")
OUTPUT = Path("/output")
SEED = 0
EPOCHS = 200  # the paper's settings: 16 hidden units, Adam at 0.01, weight decay 5e-4
HIDDEN = 16
CLASSES = 5
LEARNING_RATE = 0.01
WEIGHT_DECAY = 5e-4
Propagate = Callable[[np.ndarray], np.ndarray]  # node features -> mixed node features


class Data(NamedTuple):
    words: np.ndarray  # (nodes, words) 0 or 1
    edges: np.ndarray  # (edges, 2)
    train_ids: np.ndarray
    train_labels: np.ndarray
    test_ids: np.ndarray


def read_table(path: Path) -> np.ndarray:
    """A CSV file of whole numbers after its header row, as a 2-D integer array."""
    return np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)


def read_data(data: Path) -> Data:
    nodes, train = read_table(data / "nodes.csv"), read_table(data / "train.csv")
    assert (nodes[:, 0] == np.arange(len(nodes))).all(), "nodes.csv ids are 0, 1, 2, ..."
    test = read_table(data / "test.csv")[:, 0]
    return Data(nodes[:, 1:], read_table(data / "edges.csv"), train[:, 0], train[:, 1], test)


def graph_convolution(edges: np.ndarray, n_nodes: int) -> Propagate:
    """``H -> P H`` with ``P = D^-1/2 (A + I) D^-1/2``: each node's sum over itself and
    its neighbours, each term weighted by ``1 / sqrt(deg(i) deg(j))``, the degrees
    counting the self-loop."""
    loops = np.arange(n_nodes)
    rows = np.concatenate([edges[:, 0], edges[:, 1], loops])
    cols = np.concatenate([edges[:, 1], edges[:, 0], loops])
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    degree = np.bincount(rows, minlength=n_nodes).astype(np.float64)
    weight = (1.0 / np.sqrt(degree[rows] * degree[cols]))[:, None]
    starts = np.searchsorted(rows, loops)  # every node has its self-loop: no empty run
    return lambda h: np.add.reduceat(h[cols] * weight, starts, axis=0)


def identity(h: np.ndarray) -> np.ndarray:
    return h


def row_normalised(words: np.ndarray) -> np.ndarray:
    counts = np.maximum(words.sum(axis=1, keepdims=True), 1)
    return words / counts


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
    ``propagate`` is symmetric (``P`` or the identity), so it is its own transpose in
    the backward pass."""
    rng = np.random.default_rng(SEED)
    params = [glorot(rng, x.shape[1], HIDDEN), glorot(rng, HIDDEN, CLASSES)]
    moments = [(np.zeros_like(w), np.zeros_like(w)) for w in params]
    px, target = propagate(x), np.eye(CLASSES)[labels]
    for epoch in range(1, epochs + 1):
        w1, w2 = params
        hidden = np.maximum(px @ w1, 0.0)
        ph = propagate(hidden)
        probs = softmax((ph @ w2)[ids])
        loss = -np.mean(np.log(probs[np.arange(len(ids)), labels]))
        grad_out = np.zeros((len(x), CLASSES))
        grad_out[ids] = (probs - target) / len(ids)
        grad_hidden = propagate(grad_out @ w2.T) * (hidden > 0)
        grads = [px.T @ grad_hidden + WEIGHT_DECAY * w1, ph.T @ grad_out + WEIGHT_DECAY * w2]
        adam(params, grads, moments, step=epoch)
        if epoch % 10 == 0 or epoch == epochs:
            right = float(np.mean(probs.argmax(axis=1) == labels))
            line = {"progress": epoch / epochs, "step": epoch, "loss": loss, "train_acc": right}
            print(json.dumps(line), flush=True)
    return propagate(np.maximum(px @ params[0], 0.0)) @ params[1]


def adam(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    moments: list[tuple[np.ndarray, np.ndarray]],
    *,
    step: int,
    beta1: float = 0.9,
    beta2: float = 0.999,
) -> None:
    """One Adam step, in place (Kingma & Ba, 2015)."""
    for w, g, (m, v) in zip(params, grads, moments, strict=True):
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**step), v / (1 - beta2**step)
        w -= LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8)


def write_predictions(path: Path, ids: np.ndarray, labels: np.ndarray) -> None:
    lines = ["id,label", *(f"{int(i)},{int(label)}" for i, label in zip(ids, labels, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_budget() -> dict[str, int]:
    path = Path(__file__).resolve().parent / "budget.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    graph = read_data(data)
    epochs = int(read_budget().get("epochs", EPOCHS))
    print(f"{len(graph.words)} nodes, {len(graph.edges)} edges, {len(graph.train_ids)} labelled")
    propagate = graph_convolution(graph.edges, len(graph.words))
    x = row_normalised(graph.words)
    logits = train(propagate, x, graph.train_ids, graph.train_labels, epochs=epochs)
    output.mkdir(parents=True, exist_ok=True)
    write_predictions(output / "predictions.csv", graph.test_ids, logits[graph.test_ids].argmax(1))
    print(f"wrote {len(graph.test_ids)} predictions after {epochs} epochs")


if __name__ == "__main__":
    main()

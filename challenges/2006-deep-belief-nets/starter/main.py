"""Starter for "Deep belief nets: learning from 100 labels" (2006). NumPy only.

It reads the four IDX files and learns softmax regression on the pixels of the
100 labelled digits, from scratch, ignoring the 20,000 unlabelled ones. It
scores about 0.75. Your job is the TODO: features learned from the unlabelled
digits (greedy layer-wise RBM pretraining) that the same regression reads better.

    python main.py                      # in the sandbox: reads /data, writes /output
    python main.py DATA_DIR OUTPUT_DIR  # on your machine, e.g. python main.py data out
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

DATA = Path("/data")
OUTPUT = Path("/output")
STEPS = 500  # full-batch gradient steps of the softmax regression
RATE = 0.5
WEIGHT_DECAY = 1e-3
# Set in a dry run: a short check of the output's format on a small sample.
if os.environ.get("MILESTONES_DRY_RUN") == "1":
    STEPS = 50


def read_idx(path: Path) -> np.ndarray:
    """An IDX file of unsigned bytes: its dimensions from the header, then the data."""
    data = path.read_bytes()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def flat(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1).astype(np.float64)


def softmax_regression(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights and biases of softmax regression by full-batch gradient descent
    from zero, with a little weight decay (a convex problem: one answer)."""
    w, b = np.zeros((x.shape[1], 10)), np.zeros(10)
    target = np.eye(10)[y]
    for step in range(1, STEPS + 1):
        z = x @ w + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        gradient = (p - target) / len(x)
        w -= RATE * (x.T @ gradient + WEIGHT_DECAY * w)
        b -= RATE * gradient.sum(axis=0)
        if step % 50 == 0:
            loss = -np.log(p[np.arange(len(y)), y]).mean()
            print(json.dumps({"progress": step / STEPS, "step": step, "loss": loss}), flush=True)
    return w, b


def main() -> None:
    data, output = (Path(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (DATA, OUTPUT)
    labelled = flat(read_idx(data / "labelled-images-idx3-ubyte"))
    labels = read_idx(data / "labelled-labels-idx1-ubyte").astype(np.int64)
    unlabelled = flat(read_idx(data / "unlabelled-images-idx3-ubyte"))
    test = flat(read_idx(data / "test-images-idx3-ubyte"))
    print(f"{len(labelled)} labelled, {len(unlabelled)} unlabelled digits")

    # TODO: pretrain on `unlabelled`, then map `labelled` and `test` to the
    # learned features (e.g. an RBM's hidden probabilities, layer on layer).
    features, test_features = labelled, test

    w, b = softmax_regression(features, labels)
    right = (features @ w + b).argmax(axis=1) == labels
    print(f"accuracy on the labelled digits themselves: {right.mean():.3f}")
    predicted = (test_features @ w + b).argmax(axis=1)
    output.mkdir(parents=True, exist_ok=True)
    rows = ["id,label", *(f"{i},{int(label)}" for i, label in enumerate(predicted))]
    (output / "predictions.csv").write_text("\n".join(rows) + "\n")
    print(f"wrote {len(predicted)} predictions after {STEPS} steps")


if __name__ == "__main__":
    main()

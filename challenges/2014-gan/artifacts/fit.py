"""How the grader's shipped files were made: run once, by the challenge's maintainers.

    PYTHONPATH=. python challenges/2014-gan/artifacts/fit.py --datasets DIR [--out DIR]

- classifier.npz: a 784-256-64-10 perceptron trained here, in NumPy, on the 60,000
  training images (Adam, three epochs, seeded), its weights then rounded to 8-bit
  integers (graders/samples/fitting.py); its 64-unit layer gives the features of
  the Fréchet distance;
- components.npz: the 64 principal components of the canonical training images,
  rounded to 16-bit integers: the codebook that finds near-copies of real digits.

Training in floating point and eigendecompositions give slightly different bits on
different machines (BLAS kernels, thread counts), so these files are shipped rather
than made again: prepare.py checks each against the SHA-256 it records (printed
below) and computes everything else from them exactly. Running this again, on any
machine, may change the files: replace them only on purpose, with their checksums
in prepare.py, and measure the baselines again (reference/baselines.py).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

from graders.datasets import mnist
from graders.samples import features, fitting, hidden

SEED = 2014
EPOCHS = 3
BATCH = 512
LEARNING_RATE = 3e-3
BETAS = (0.9, 0.999)
Params = dict[str, np.ndarray]


def init_params(rng: np.random.Generator) -> Params:
    """He-initialised weights (ReLU layers), zero biases, float32."""
    params: Params = {}
    for name, (shape, _) in features.LAYOUT.items():
        if name[0] in "wb":
            scale = np.sqrt(2.0 / shape[0]) if name.startswith("w") else 0.0
            params[name] = (rng.standard_normal(shape) * scale).astype(np.float32)
    return params


def forward(params: Params, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The float network on float32 rows ``x`` [B, 784] in 0..1: (h1, h2, logits)."""
    h1 = np.maximum(x @ params["w1"] + params["b1"], np.float32(0.0))
    h2 = np.maximum(h1 @ params["w2"] + params["b2"], np.float32(0.0))
    return h1, h2, h2 @ params["w3"] + params["b3"]


def gradients(params: Params, x: np.ndarray, y: np.ndarray) -> Params:
    """Gradients of the mean cross-entropy of a batch (x float32 [B, 784], y int [B])."""
    h1, h2, z = forward(params, x)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0  # softmax + cross-entropy: dLoss/dz = p - onehot
    d3 = p / np.float32(len(y))
    d2 = (d3 @ params["w3"].T) * (h2 > 0)
    d1 = (d2 @ params["w2"].T) * (h1 > 0)
    grads = {"w3": h2.T @ d3, "w2": h1.T @ d2, "w1": x.T @ d1}
    return {**grads, "b3": d3.sum(axis=0), "b2": d2.sum(axis=0), "b1": d1.sum(axis=0)}


def train_classifier(images: np.ndarray, labels: np.ndarray, *, epochs: int = EPOCHS) -> Params:
    """Adam on mini-batches, in float32, every random draw from ``SEED``."""
    rng = np.random.default_rng(SEED)
    params = init_params(rng)
    moments = {name: (np.zeros_like(p), np.zeros_like(p)) for name, p in params.items()}
    x_all = images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(images))
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            step += 1
            for name, grad in gradients(params, x_all[batch], labels[batch]).items():
                _adam(params[name], grad, *moments[name], step)
    return params


def _adam(param: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, step: int) -> None:
    b1, b2 = BETAS
    m *= b1
    m += (1 - b1) * grad
    v *= b2
    v += (1 - b2) * grad * grad
    rate = LEARNING_RATE * np.sqrt(1 - b2**step) / (1 - b1**step)
    param -= (rate * m / (np.sqrt(v) + 1e-8)).astype(np.float32)


def fit(images: np.ndarray, labels: np.ndarray, *, epochs: int = EPOCHS) -> dict[str, Params]:
    """The shipped files' arrays, by file name, fitted on training images and labels."""
    params = train_classifier(images, labels.astype(np.int64), epochs=epochs)
    network = fitting.quantize_network(params, images)
    components = fitting.principal_components(images)
    return {hidden.CLASSIFIER: network.arrays(), hidden.COMPONENTS: {"components": components}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, required=True, help="raw datasets folder")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    images, labels = mnist.load(args.datasets, "train")
    for name, arrays in fit(images, labels).items():
        path = args.out / name
        hidden.write_npz(path, arrays)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{path}: {path.stat().st_size} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()

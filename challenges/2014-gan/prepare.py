"""MNIST for the 2014 challenge: the training digits to learn from, and the grader's
own yardsticks, made once from a fixed seed.

Public: the 60,000 training images and their labels, in IDX, uncompressed.
Hidden (see graders/samples/hidden.py):
- labels.csv: the 10,000 test images (ids = their index in the published test
  file), their digits, and a seeded public/private split, half and half;
- classifier.npz: a 784-256-64-10 perceptron trained here, in NumPy, on the
  training images (Adam, three epochs, seeded); its 64-unit layer gives the
  features of the Fréchet distance;
- features.npz: the test images' features;
- memorization.npz: the codebook that finds near-copies of real digits, and the
  distances that set its thresholds.

    PYTHONPATH=. python challenges/2014-gan/prepare.py OUT_DIR --datasets DIR
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from graders.datasets import mnist
from graders.samples import features, hidden, memorization
from graders.splits import assign_splits, write_hidden_labels

SEED = 2014
SPLIT_SEED = 2672  # NIPS 27, where the article starts on page 2672
PUBLIC_FRACTION = 0.5
EPOCHS = 3
BATCH = 512
LEARNING_RATE = 3e-3
BETAS = (0.9, 0.999)
TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
Params = dict[str, np.ndarray]


def init_params(rng: np.random.Generator) -> Params:
    """He-initialised weights (ReLU layers), zero biases, float32."""
    params: Params = {}
    for name, shape in features.param_shapes().items():
        scale = np.sqrt(2.0 / shape[0]) if name.startswith("w") else 0.0
        params[name] = (rng.standard_normal(shape) * scale).astype(np.float32)
    return params


def gradients(params: Params, x: np.ndarray, y: np.ndarray) -> Params:
    """Gradients of the mean cross-entropy of a batch (x float32 [B, 784], y int [B])."""
    h1, h2 = features.hidden_layers(x, params)
    z = features.logits(h2, params)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0  # softmax + cross-entropy: dLoss/dz = p - onehot
    d3 = p / np.float32(len(y))
    d2 = (d3 @ params["w3"].T) * (h2 > 0)
    d1 = (d2 @ params["w2"].T) * (h1 > 0)
    grads = {"w3": h2.T @ d3, "w2": h1.T @ d2, "w1": x.T @ d1}
    return {**grads, "b3": d3.sum(axis=0), "b2": d2.sum(axis=0), "b1": d1.sum(axis=0)}


def train_classifier(images: np.ndarray, labels: np.ndarray) -> Params:
    """Adam on mini-batches, in float32, every random draw from ``SEED``."""
    rng = np.random.default_rng(SEED)
    params = init_params(rng)
    moments = {name: (np.zeros_like(p), np.zeros_like(p)) for name, p in params.items()}
    x_all, step = features.pixels(images), 0
    for _ in range(EPOCHS):
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


def accuracy(params: Params, images: np.ndarray, labels: np.ndarray) -> float:
    predicted = features.logits(features.penultimate(images, params), params).argmax(axis=1)
    return float(np.mean(predicted == labels))


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    # Read (and checksum) everything before writing anything: a missing file is
    # a FileNotFoundError, which the server reports as "data not installed".
    train_images, train_labels = mnist.load(datasets_dir, "train")
    test_images, test_labels = mnist.load(datasets_dir, "test")
    public_dir.mkdir(parents=True, exist_ok=True)
    (public_dir / TRAIN_IMAGES).write_bytes(mnist.idx_bytes(train_images))
    (public_dir / TRAIN_LABELS).write_bytes(mnist.idx_bytes(train_labels))
    n_test = len(test_images)
    write_hidden_labels(
        hidden_dir / hidden.LABELS,
        ids=list(range(n_test)),
        labels=[int(label) for label in test_labels],
        splits=assign_splits(n_test, public_fraction=PUBLIC_FRACTION, seed=SPLIT_SEED),
    )
    params = train_classifier(train_images, train_labels.astype(np.int64))
    hidden.write_npz(hidden_dir / hidden.CLASSIFIER, params)
    test_features = features.penultimate(test_images, params)
    hidden.write_npz(hidden_dir / hidden.FEATURES, {"test_features": test_features})
    book = memorization.fit_codebook(train_images, test_images)
    test_to_train, train_to_test = memorization.reference_distances(book)
    hidden.write_npz(hidden_dir / hidden.MEMORIZATION, {
        "mean": book.mean, "components": book.components, "train_codes": book.train_codes,
        "test_codes": book.test_codes, "test_to_train": test_to_train,
        "train_to_test": train_to_test,
    })  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="writes OUT_DIR/public and OUT_DIR/hidden")
    parser.add_argument("--datasets", type=Path, required=True, help="raw datasets folder")
    args = parser.parse_args()
    started, cpu = time.perf_counter(), time.process_time()
    hidden_dir = args.out_dir / "hidden"
    prepare(public_dir=args.out_dir / "public", hidden_dir=hidden_dir, datasets_dir=args.datasets)
    data = hidden.load(hidden_dir)
    test_images, test_labels = mnist.load(args.datasets, "test")
    print(f"wrote {args.out_dir}/public and {hidden_dir} in {time.perf_counter() - started:.1f} s "
          f"({time.process_time() - cpu:.1f} CPU s)")  # fmt: skip
    right = accuracy(data.params, test_images, test_labels)
    print(f"grader's classifier: test accuracy {right:.4f}")
    print(f"thresholds: tau_train {data.taus.train:.4f}, tau_test {data.taus.test:.4f}")


if __name__ == "__main__":
    main()

"""MNIST for the 2014 challenge: the training digits to learn from, and the grader's
own yardsticks, the same to the last byte on every machine.

Public: the 60,000 training images and their labels, in IDX, uncompressed.
Hidden (see graders/samples/hidden.py):
- labels.csv: the 10,000 test images (ids = their index in the published test
  file), their digits, and a seeded public/private split, half and half;
- classifier.npz, components.npz: the grader's feature network (int8 weights)
  and the codebook's projection (int16), shipped in artifacts/ (made once by
  artifacts/fit.py), checked against their SHA-256 below and copied;
- features.npz: the test images' features;
- memorization.npz: the real images' codes, and the distances that set the
  thresholds of the memorization penalty.
The last two are computed in exact integer arithmetic (graders/samples/exact.py),
so thread counts, BLAS builds and CPUs cannot change a bit of them.

    PYTHONPATH=. python challenges/2014-gan/prepare.py OUT_DIR --datasets DIR
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from graders.artifacts import read_shipped
from graders.datasets import mnist
from graders.samples import features, hidden, memorization
from graders.splits import assign_splits, write_hidden_labels

SPLIT_SEED = 2672  # NIPS 27, where the article starts on page 2672
PUBLIC_FRACTION = 0.5
TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# The shipped files and their SHA-256: artifacts/fit.py prints them when it makes them.
SHIPPED = {
    hidden.CLASSIFIER: "7729a77f50b6f75fada0a1ca31d6e884c8a6c79a85e13187579fce596a413b0d",
    hidden.COMPONENTS: "76a521782bfef3454ec979c4aa1735f84ecd06c2027289e16feaa1a14477ecc5",
}


def accuracy(network: features.FeatureNetwork, images: np.ndarray, labels: np.ndarray) -> float:
    predicted = features.logits(features.features(images, network), network).argmax(axis=1)
    return float(np.mean(predicted == labels))


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    # Read (and checksum) everything before writing anything: a missing file is
    # a FileNotFoundError, which the server reports as "data not installed".
    train_images, train_labels = mnist.load(datasets_dir, "train")
    test_images, test_labels = mnist.load(datasets_dir, "test")
    shipped = {name: read_shipped(ARTIFACTS / name, sha256) for name, sha256 in SHIPPED.items()}
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
    for name, content in shipped.items():
        (hidden_dir / name).write_bytes(content)
    network = features.FeatureNetwork.from_arrays(
        hidden.read_npz(hidden_dir / hidden.CLASSIFIER, features.LAYOUT)
    )
    test_features = features.features(test_images, network)
    hidden.write_npz(hidden_dir / hidden.FEATURES, {"test_features": test_features})
    components = hidden.read_npz(hidden_dir / hidden.COMPONENTS, hidden.COMPONENTS_LAYOUT)
    book = memorization.fit_codebook(train_images, test_images, components["components"])
    test_to_train, train_to_test = memorization.reference_distances(book)
    hidden.write_npz(
        hidden_dir / hidden.MEMORIZATION,
        {
            "train_codes": book.train_codes,
            "test_codes": book.test_codes,
            "test_to_train": test_to_train,
            "train_to_test": train_to_test,
        },
    )


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
    print(
        f"wrote {args.out_dir}/public and {hidden_dir} in {time.perf_counter() - started:.1f} s "
        f"({time.process_time() - cpu:.1f} CPU s)"
    )
    print(
        f"grader's classifier: test accuracy {accuracy(data.network, test_images, test_labels):.4f}"
    )
    unit = memorization.CODE_UNIT  # code steps -> distances between images of pixels in 0..1
    print(
        f"thresholds: tau_train {data.taus.train * unit:.4f}, tau_test {data.taus.test * unit:.4f}"
    )


if __name__ == "__main__":
    main()

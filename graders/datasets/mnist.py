"""MNIST (LeCun, Cortes, Burges) in its canonical IDX form, checked on read.

The four files lie gzipped under ``DATASETS_DIR/mnist/``. Each is verified
against the SHA-256 of its uncompressed content before use, so a truncated
download or a wrong file is an instructor's clear error, never a silently
different challenge.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from graders.datasets.raw import DatasetChecksumError, RawFile, read_content

__all__ = [
    "FILES",
    "FOLDER",
    "RAW_FILES",
    "DatasetChecksumError",
    "MnistFile",
    "idx_bytes",
    "load",
    "parse_idx",
    "raw_bytes",
]

FOLDER = "mnist"
IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049


@dataclass(frozen=True)
class MnistFile:
    name: str  # the .gz file under DATASETS_DIR/mnist/
    sha256: str  # of the uncompressed content
    size: int  # bytes, uncompressed


FILES: dict[str, MnistFile] = {
    "train-images": MnistFile(
        "train-images-idx3-ubyte.gz",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        47040016,
    ),
    "train-labels": MnistFile(
        "train-labels-idx1-ubyte.gz",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        60008,
    ),
    "test-images": MnistFile(
        "t10k-images-idx3-ubyte.gz",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        7840016,
    ),
    "test-labels": MnistFile(
        "t10k-labels-idx1-ubyte.gz",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        10008,
    ),
}


# The same four files as the datasets catalogue sees them (fetching, checking).
RAW_FILES: tuple[RawFile, ...] = tuple(
    RawFile(FOLDER, entry.name, entry.sha256, entry.size) for entry in FILES.values()
)


def raw_bytes(datasets_dir: Path, key: str) -> bytes:
    """The uncompressed, verified bytes of one MNIST file (``FileNotFoundError`` if absent,
    ``DatasetChecksumError`` if it is not the published one)."""
    entry = FILES[key]
    raw = RawFile(FOLDER, entry.name, entry.sha256, entry.size)
    return read_content(raw.path(datasets_dir), raw)


def parse_idx(data: bytes) -> np.ndarray:
    """An IDX file's array: uint8 images [N, rows, cols] or labels [N]."""
    magic = int.from_bytes(data[0:4], "big")
    if magic == IMAGES_MAGIC:
        count, rows, cols = (int.from_bytes(data[i : i + 4], "big") for i in (4, 8, 12))
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows, cols)
    if magic == LABELS_MAGIC:
        count = int.from_bytes(data[4:8], "big")
        return np.frombuffer(data, dtype=np.uint8, offset=8).reshape(count)
    raise ValueError(f"not an IDX file of uint8 images or labels (magic {magic})")


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of uint8 images [N, rows, cols] or labels [N] (``parse_idx``'s inverse)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    if array.ndim == 3:
        header = [IMAGES_MAGIC, *array.shape]
    elif array.ndim == 1:
        header = [LABELS_MAGIC, array.shape[0]]
    else:
        raise ValueError(f"IDX here holds images [N, rows, cols] or labels [N], got {array.shape}")
    return b"".join(value.to_bytes(4, "big") for value in header) + array.tobytes()


def load(datasets_dir: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """``(images uint8 [N, 28, 28], labels uint8 [N])`` of ``split`` ("train" or "test")."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    images = parse_idx(raw_bytes(datasets_dir, f"{split}-images"))
    labels = parse_idx(raw_bytes(datasets_dir, f"{split}-labels"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"MNIST {split}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images, labels

"""A challenge's fingerprints: hashes of every window of its hidden data that an
upload must not contain, built from the hidden folder its ``prepare.py`` wrote.

- ``text.txt`` (a text challenge): every 64-byte window of its UTF-8 bytes;
- ``labels.csv`` with whole labels from 0 to 255 (a classification challenge):
  every window of 64 consecutive labels, in id order;
- ``test_images.npy`` (uint8 [N, 28, 28], where the test images are hidden):
  each image's 784 bytes.

Windows that say too little to be evidence (a run of one label, a blank image)
are left out: a chance match with them would hold honest work.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from graders.contamination.hashing import block_hashes, window_hashes

TEXT_WINDOW = 64  # bytes
LABEL_WINDOW = 64  # labels
IMAGE_BYTES = 28 * 28
MIN_LABEL_BITS = 40.0  # a window's labels must carry at least this much information
MIN_INK = 20  # pixels: fewer says too little about which image it is
FILE = "fingerprints.npz"


@dataclass(frozen=True, eq=False)  # compared and cached by identity
class Fingerprints:
    text: np.ndarray  # uint64 window hashes
    labels: np.ndarray  # uint64 window hashes
    label_max: int  # the largest label (-1: no labels): longer runs of bytes above it skip
    images: np.ndarray  # uint64 image hashes

    def __bool__(self) -> bool:
        return bool(len(self.text) or len(self.labels) or len(self.images))

    def save(self, path: Path) -> None:
        np.savez(
            path,
            text=self.text,
            labels=self.labels,
            images=self.images,
            label_max=np.int64(self.label_max),
        )

    @classmethod
    def load(cls, path: Path) -> Fingerprints:
        with np.load(path, allow_pickle=False) as arrays:
            return cls(
                text=arrays["text"],
                labels=arrays["labels"],
                label_max=int(arrays["label_max"]),
                images=arrays["images"],
            )


def build_fingerprints(hidden_dir: Path) -> Fingerprints:
    labels = (
        _small_labels(hidden_dir / "labels.csv") if not (hidden_dir / "text.txt").exists() else None
    )
    return Fingerprints(
        text=_text_windows(hidden_dir / "text.txt"),
        labels=_label_windows(labels) if labels is not None else _none(),
        label_max=int(labels.max()) if labels is not None else -1,
        images=_image_hashes(hidden_dir / "test_images.npy"),
    )


def _none() -> np.ndarray:
    return np.empty(0, dtype=np.uint64)


def _text_windows(path: Path) -> np.ndarray:
    if not path.is_file():
        return _none()
    return window_hashes(np.frombuffer(path.read_bytes(), dtype=np.uint8), TEXT_WINDOW)


def _small_labels(path: Path) -> np.ndarray | None:
    """The labels in id order when they are whole numbers from 0 to 255, else None."""
    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8") as handle:
        rows = sorted((int(row["id"]), row["label"]) for row in csv.DictReader(handle))
    try:
        values = np.array([float(label) for _, label in rows])
    except ValueError:
        return None
    if not len(values) or not np.all(values == np.round(values)) or values.min() < 0:
        return None
    return values.astype(np.uint8) if values.max() <= 255 else None


def _label_windows(labels: np.ndarray) -> np.ndarray:
    hashes = window_hashes(labels, LABEL_WINDOW)
    telling = [
        i for i in range(len(hashes)) if _bits(labels[i : i + LABEL_WINDOW]) >= MIN_LABEL_BITS
    ]
    return hashes[telling]


def _bits(window: np.ndarray) -> float:
    """The window's information if its labels were drawn from its own frequencies."""
    counts = np.bincount(window)
    shares = counts[counts > 0] / len(window)
    return float(-len(window) * sum(p * math.log2(p) for p in shares))


def _image_hashes(path: Path) -> np.ndarray:
    if not path.is_file():
        return _none()
    images = np.load(path, allow_pickle=False)
    if images.dtype != np.uint8 or images.shape[1:] != (28, 28):
        raise ValueError(f"{path}: expected uint8 images of 28x28")
    flat = images.reshape(len(images), IMAGE_BYTES)
    inked = flat[(flat > 0).sum(axis=1) >= MIN_INK]
    return block_hashes(inked)

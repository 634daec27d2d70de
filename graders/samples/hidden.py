"""The hidden files of a ``samples`` challenge: written by its ``prepare.py``, read by
the grader. Trusted, but checked on read, because a broken file is an instructor's
bug that must never be blamed on a student (it raises ``ValueError``: a platform
error, retried, never a failed submission).

    hidden/labels.csv        id,label,split: each test image's index, digit and split
    hidden/classifier.npz    w1 b1 w2 b2 w3 b3: the feature network (features.py)
    hidden/features.npz      test_features [N_test, 64]: the test images' features
    hidden/memorization.npz  mean, components, train_codes, test_codes: the codebook;
                             test_to_train [N_test], train_to_test [N_train]: the real
                             images' nearest distances, whose quantiles are the thresholds
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from graders.hidden import read_hidden_labels
from graders.samples.features import LAYERS, PARAMS, param_shapes
from graders.samples.memorization import N_COMPONENTS, Codebook, Thresholds, thresholds
from graders.splits import PUBLIC

LABELS = "labels.csv"
CLASSIFIER = "classifier.npz"
FEATURES = "features.npz"
MEMORIZATION = "memorization.npz"
CODEBOOK = ("mean", "components", "train_codes", "test_codes")  # Codebook's fields, in order
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed member timestamps: the same arrays give the same bytes


@dataclass(frozen=True)
class HiddenData:
    params: dict[str, np.ndarray]
    test_features: np.ndarray  # [N_test, 64] float32, row i = test id i
    public: np.ndarray  # [N_test] bool
    book: Codebook
    taus: Thresholds


def write_npz(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Like ``np.savez``, but byte-for-byte reproducible (``np.savez`` stamps the time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)


def read_npz(path: Path, shapes: Mapping[str, tuple[int | None, ...]]) -> dict[str, np.ndarray]:
    """The arrays named in ``shapes`` (``None``: any size), checked; ``ValueError`` if not."""
    with np.load(path, allow_pickle=False) as archive:
        missing = sorted(set(shapes) - set(archive.files))
        if missing:
            raise ValueError(f"{path}: missing arrays {', '.join(missing)}")
        arrays = {name: archive[name] for name in shapes}
    for name, shape in shapes.items():
        array = arrays[name]
        fits = array.ndim == len(shape) and all(
            want is None or got == want for got, want in zip(array.shape, shape, strict=True)
        )
        if not fits or not np.isfinite(array).all():
            raise ValueError(f"{path}: {name} has shape {array.shape} (expected {shape}) "
                             "or values that are not finite")  # fmt: skip
    return arrays


def load(hidden_dir: Path) -> HiddenData:
    ids, _, splits = read_hidden_labels(hidden_dir / LABELS)
    n_test = len(ids)
    if not np.array_equal(ids, np.arange(n_test)):
        raise ValueError(f"{hidden_dir / LABELS}: ids must be 0..{n_test - 1} in order")
    params = read_npz(hidden_dir / CLASSIFIER, param_shapes())
    width = LAYERS[-2]
    features = read_npz(hidden_dir / FEATURES, {"test_features": (n_test, width)})
    memo = read_npz(hidden_dir / MEMORIZATION, {
        "mean": (LAYERS[0],), "components": (LAYERS[0], N_COMPONENTS),
        "train_codes": (None, N_COMPONENTS), "test_codes": (n_test, N_COMPONENTS),
        "test_to_train": (n_test,), "train_to_test": (None,),
    })  # fmt: skip
    if len(memo["train_to_test"]) != len(memo["train_codes"]):
        raise ValueError(f"{hidden_dir / MEMORIZATION}: train_to_test and train_codes differ")
    public = splits == PUBLIC
    if public.all() or not public.any():
        raise ValueError(f"{hidden_dir / LABELS}: needs both public and private ids")
    return HiddenData(
        params={name: params[name].astype(np.float32) for name in PARAMS},
        test_features=features["test_features"].astype(np.float32),
        public=public,
        book=Codebook(*(memo[name].astype(np.float32) for name in CODEBOOK)),
        taus=thresholds(memo["test_to_train"], memo["train_to_test"]),
    )

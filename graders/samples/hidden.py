"""The hidden files of a ``samples`` challenge: written by its ``prepare.py``, read by
the grader. Trusted, but checked on read, because a broken file is an instructor's
bug that must never be blamed on a student (it raises ``ValueError``: a platform
error, retried, never a failed submission).

    hidden/labels.csv        id,label,split: each test image's index, digit and split
    hidden/classifier.npz    the feature network (features.py): int8 weights w1 w2 w3,
                             int64 biases b1 b2 b3, shift, unit; shipped with the bundle
    hidden/components.npz    components [784, 64] int16: the codebook's projection
                             (memorization.py); shipped with the bundle
    hidden/features.npz      test_features [N_test, 64] uint16: the test images' features
    hidden/memorization.npz  train_codes [N_train, 64], test_codes [N_test, 64] int32: the
                             real images' codes; test_to_train [N_test], train_to_test
                             [N_train] float64: their nearest distances, whose quantiles
                             are the thresholds

Every one of them is the same, byte for byte, on every machine: the shipped files
are copied, the others computed from them in exact integer arithmetic.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from graders.hidden import read_hidden_labels
from graders.samples.features import LAYERS, LAYOUT, FeatureNetwork
from graders.samples.memorization import (
    N_COMPONENTS,
    Codebook,
    Thresholds,
    check_components,
    thresholds,
)
from graders.splits import PUBLIC

LABELS = "labels.csv"
CLASSIFIER = "classifier.npz"
COMPONENTS = "components.npz"
FEATURES = "features.npz"
MEMORIZATION = "memorization.npz"
Layout = Mapping[str, tuple[tuple[int | None, ...], np.dtype[np.generic]]]
COMPONENTS_LAYOUT: Layout = {"components": ((LAYERS[0], N_COMPONENTS), np.dtype(np.int16))}
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed member timestamps: the same arrays give the same bytes


@dataclass(frozen=True)
class HiddenData:
    network: FeatureNetwork
    test_features: np.ndarray  # [N_test, 64] uint16, row i = test id i
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
                np.lib.format.write_array(  # type: ignore[no-untyped-call]
                    member, np.asarray(array, order="C"), allow_pickle=False
                )


def read_npz(path: Path, layout: Layout) -> dict[str, np.ndarray]:
    """The arrays named in ``layout`` (name -> (shape, dtype); ``None``: any size), checked;
    ``ValueError`` if one is missing, of another shape or dtype, or not finite."""
    with np.load(path, allow_pickle=False) as archive:
        missing = sorted(set(layout) - set(archive.files))
        if missing:
            raise ValueError(f"{path}: missing arrays {', '.join(missing)}")
        arrays = {name: archive[name] for name in layout}
    for name, (shape, dtype) in layout.items():
        array = arrays[name]
        fits = array.ndim == len(shape) and all(
            want is None or got == want for got, want in zip(array.shape, shape, strict=True)
        )
        if not fits or array.dtype != dtype or not np.isfinite(array).all():
            raise ValueError(
                f"{path}: {name} is {array.dtype}{list(array.shape)} (expected {dtype}"
                f"{[n if n is not None else 'N' for n in shape]}) or has values that are not finite"
            )
    return arrays


def load(hidden_dir: Path) -> HiddenData:
    ids, _, splits = read_hidden_labels(hidden_dir / LABELS)
    n_test = len(ids)
    if not np.array_equal(ids, np.arange(n_test)):
        raise ValueError(f"{hidden_dir / LABELS}: ids must be 0..{n_test - 1} in order")
    network = FeatureNetwork.from_arrays(read_npz(hidden_dir / CLASSIFIER, LAYOUT))
    components = read_npz(hidden_dir / COMPONENTS, COMPONENTS_LAYOUT)["components"]
    check_components(components)
    features = read_npz(
        hidden_dir / FEATURES, {"test_features": ((n_test, LAYERS[-2]), np.dtype(np.uint16))}
    )
    codes, distances = np.dtype(np.int32), np.dtype(np.float64)
    memo = read_npz(
        hidden_dir / MEMORIZATION,
        {
            "train_codes": ((None, N_COMPONENTS), codes),
            "test_codes": ((n_test, N_COMPONENTS), codes),
            "test_to_train": ((n_test,), distances),
            "train_to_test": ((None,), distances),
        },
    )
    if len(memo["train_to_test"]) != len(memo["train_codes"]):
        raise ValueError(f"{hidden_dir / MEMORIZATION}: train_to_test and train_codes differ")
    public = splits == PUBLIC
    if public.all() or not public.any():
        raise ValueError(f"{hidden_dir / LABELS}: needs both public and private ids")
    return HiddenData(
        network=network,
        test_features=features["test_features"],
        public=public,
        book=Codebook(components, memo["train_codes"], memo["test_codes"]),
        taus=thresholds(memo["test_to_train"], memo["train_to_test"]),
    )

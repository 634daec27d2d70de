"""The contamination scan against its corpus (tests/support/embeddings.py): every
way of embedding hidden text, labels or images is found, through every layer;
what is not hidden data is not."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from graders.contamination import Fingerprints, Match, build_fingerprints, scan
from graders.contamination.layers import BUDGET_BYTES
from graders.splits import assign_splits, write_hidden_labels
from tests.support.digits import digit_like
from tests.support.embeddings import BYTES_FORMS, MAIN, label_forms

WORDS = [
    "thou",
    "art",
    "the",
    "king",
    "of",
    "naught",
    "but",
    "shadows",
    "and",
    "the",
    "night",
    "is",
    "long",
    "my",
    "lord",
]


def _text(seed: int, words: int = 6000) -> str:
    return " ".join(np.random.default_rng(seed).choice(WORDS, size=words)) + "\n"


@pytest.fixture(scope="module")
def text_hidden(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Fingerprints]:
    hidden = tmp_path_factory.mktemp("text")
    (hidden / "text.txt").write_text(_text(1), encoding="utf-8")
    write_hidden_labels(hidden / "labels.csv", ids=[0, 1], labels=[300, 9000],
                        splits=["public", "private"])  # fmt: skip
    return hidden, build_fingerprints(hidden)


@pytest.fixture(scope="module")
def label_hidden(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, Fingerprints]:
    hidden = tmp_path_factory.mktemp("labels")
    labels = np.random.default_rng(2).integers(0, 10, size=2000)
    splits = assign_splits(len(labels), public_fraction=0.5, seed=3)
    write_hidden_labels(hidden / "labels.csv", ids=range(len(labels)), labels=labels.tolist(),
                        splits=splits)  # fmt: skip
    return labels, build_fingerprints(hidden)


@pytest.fixture(scope="module")
def image_hidden(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, Fingerprints]:
    hidden = tmp_path_factory.mktemp("images")
    images = digit_like(300, seed=4)
    np.save(hidden / "test_images.npy", images)
    write_hidden_labels(hidden / "labels.csv", ids=range(300), labels=[0] * 300,
                        splits=["public", "private"] * 150)  # fmt: skip
    return images, build_fingerprints(hidden)


@pytest.mark.parametrize("form", list(BYTES_FORMS))
def test_hidden_text_is_found_in_every_form(form: str, text_hidden):  # type: ignore[no-untyped-def]
    hidden, fingerprints = text_hidden
    text = (hidden / "text.txt").read_bytes()
    name, upload = BYTES_FORMS[form](text[5000:5400])
    match = scan(name, upload, fingerprints)
    assert isinstance(match, Match) and match.what == "hidden text", form
    assert match.shown.strip("'") in text.decode()


@pytest.mark.parametrize("form", list(label_forms(np.zeros(1, dtype=int))))
def test_hidden_labels_are_found_in_every_form(form: str, label_hidden):  # type: ignore[no-untyped-def]
    labels, fingerprints = label_hidden
    name, upload = label_forms(labels[700:1000])[form]
    match = scan(name, upload, fingerprints)
    assert match is not None and match.what.startswith("hidden labels"), form


@pytest.mark.parametrize("form", list(BYTES_FORMS))
def test_hidden_test_images_are_found_in_every_form(form: str, image_hidden):  # type: ignore[no-untyped-def]
    images, fingerprints = image_hidden
    name, upload = BYTES_FORMS[form](images[40:43].tobytes())
    match = scan(name, upload, fingerprints)
    assert match is not None and match.what == "a hidden test image", form


def test_public_text_other_labels_and_noise_are_not_hidden_data(
    text_hidden, label_hidden, image_hidden
):  # type: ignore[no-untyped-def]
    _, text_prints = text_hidden
    labels, label_prints = label_hidden
    _, image_prints = image_hidden
    assert scan("main.py", MAIN + _text(9).encode()[:3000], text_prints) is None
    shuffled = np.random.default_rng(5).permutation(labels)
    for name, upload in label_forms(shuffled[:500]).items():
        assert scan(upload[0], upload[1], label_prints) is None, name
    noise = os.urandom(1 << 20)
    for prints in (text_prints, label_prints, image_prints):
        assert scan("weights.bin", noise, prints) is None
    assert scan("main.py", np.zeros(1 << 16, np.uint8).tobytes(), label_prints) is None
    assert scan("x.npy", digit_like(5, seed=99).tobytes(), image_prints) is None


def test_63_characters_are_not_a_window_but_64_are(text_hidden):  # type: ignore[no-untyped-def]
    hidden, fingerprints = text_hidden
    text = (hidden / "text.txt").read_bytes()
    assert scan("main.py", b"x = " + repr(text[100:163]).encode(), fingerprints) is None
    assert scan("main.py", b"x = " + repr(text[100:164]).encode(), fingerprints) is not None


def test_a_run_of_one_label_is_no_evidence(tmp_path: Path):
    write_hidden_labels(tmp_path / "labels.csv", ids=range(400), labels=[0] * 200 + [1] * 200,
                        splits=["public", "private"] * 200)  # fmt: skip
    fingerprints = build_fingerprints(tmp_path)
    assert len(fingerprints.labels) == 0 or scan("z.bin", bytes(4096), fingerprints) is None


def test_a_decompression_bomb_costs_the_scan_its_budget_not_the_memory(text_hidden):  # type: ignore[no-untyped-def]
    _, fingerprints = text_hidden
    bomb = gzip_bomb(256 << 20)  # eight times what a scan may unpack
    tracemalloc.start()
    try:
        assert scan("b.gz", bomb, fingerprints) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The budget's worth of output, held twice while the decompressor hands it
    # over, and the scan's few-MiB work arrays: never the 256 MiB.
    assert peak < 3 * BUDGET_BYTES


def gzip_bomb(size: int) -> bytes:
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    return b"".join(packer.compress(chunk) for _ in range(size >> 20)) + packer.flush()

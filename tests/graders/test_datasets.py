"""The raw datasets as bundles read them: MNIST's IDX files and Tiny Shakespeare's
text, checked against their published checksums, and the catalogue
``fetch_datasets`` installs from."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from graders.datasets import CATALOG, DatasetChecksumError, mnist, shakespeare, verify
from graders.datasets.raw import read_content
from tests.support.paths import REPO

# Known class counts of the canonical split (LeCun, Cortes & Burges).
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def datasets_dir() -> Path:
    path = Path(os.environ.get("MILESTONES_DATASETS_DIR") or REPO.parent / "shared" / "datasets")
    if not (path / "mnist").is_dir():
        pytest.skip(f"raw datasets not installed in {path} (manage.py fetch_datasets)")
    return path


@pytest.fixture(scope="module")
def test_split(datasets_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    return mnist.load(datasets_dir, "test")


def _copy_mnist(datasets_dir: Path, target: Path) -> Path:
    shutil.copytree(datasets_dir / "mnist", target / "mnist")
    for path in (target / "mnist").iterdir():
        path.chmod(0o644)
    return target


def _gzip(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content, mtime=0))


def test_load_gives_the_canonical_training_split(datasets_dir: Path):
    images, labels = mnist.load(datasets_dir, "train")
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (60000,) and labels.dtype == np.uint8
    assert np.bincount(labels).tolist() == TRAIN_COUNTS
    assert images.min() == 0 and images.max() == 255


def test_load_gives_the_canonical_test_split(test_split: tuple[np.ndarray, np.ndarray]):
    images, labels = test_split
    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    assert np.bincount(labels).tolist() == TEST_COUNTS
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_idx_bytes_rebuilds_the_published_files_exactly(datasets_dir: Path, test_split):
    images, labels = test_split
    assert mnist.idx_bytes(images) == mnist.raw_bytes(datasets_dir, "test-images")
    assert mnist.idx_bytes(labels) == mnist.raw_bytes(datasets_dir, "test-labels")


def test_idx_round_trips_any_uint8_images_and_labels():
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    data = mnist.idx_bytes(images)
    assert data[:4] == b"\x00\x00\x08\x03" and len(data) == 16 + 24
    assert np.array_equal(mnist.parse_idx(data), images)
    labels = np.array([3, 1, 4], dtype=np.uint8)
    assert mnist.idx_bytes(labels)[:8] == b"\x00\x00\x08\x01\x00\x00\x00\x03"
    assert np.array_equal(mnist.parse_idx(mnist.idx_bytes(labels)), labels)


def test_parse_idx_refuses_what_is_not_idx_of_bytes():
    with pytest.raises(ValueError, match="magic"):
        mnist.parse_idx(b"PK\x03\x04" + bytes(20))


def test_idx_bytes_refuses_arrays_of_other_ranks():
    with pytest.raises(ValueError, match="images"):
        mnist.idx_bytes(np.zeros((4, 4), dtype=np.uint8))


def test_load_refuses_an_unknown_split(datasets_dir: Path):
    with pytest.raises(ValueError, match="split"):
        mnist.load(datasets_dir, "validation")


def test_a_missing_file_is_file_not_found(tmp_path: Path):
    # FileNotFoundError is what the server reports as "data not installed".
    with pytest.raises(FileNotFoundError):
        mnist.load(tmp_path, "test")


def test_a_file_with_other_content_fails_its_checksum(datasets_dir: Path, tmp_path: Path):
    root = _copy_mnist(datasets_dir, tmp_path)
    entry = mnist.FILES["test-labels"]
    _gzip(root / "mnist" / entry.name, b"\x00\x00\x08\x01" + bytes(entry.size - 4))
    with pytest.raises(DatasetChecksumError, match="SHA-256"):
        mnist.load(root, "test")


def test_a_file_of_the_wrong_size_says_so(datasets_dir: Path, tmp_path: Path):
    root = _copy_mnist(datasets_dir, tmp_path)
    entry = mnist.FILES["test-labels"]
    _gzip(root / "mnist" / entry.name, bytes(100))
    with pytest.raises(DatasetChecksumError, match=r"100 bytes, the published file's 10008"):
        mnist.raw_bytes(root, "test-labels")
    _gzip(root / "mnist" / entry.name, bytes(entry.size + 5000))
    with pytest.raises(DatasetChecksumError, match="more than 10008"):
        mnist.raw_bytes(root, "test-labels")


def test_a_truncated_archive_is_a_wrong_file_not_a_crash(datasets_dir: Path, tmp_path: Path):
    root = _copy_mnist(datasets_dir, tmp_path)
    path = root / "mnist" / mnist.FILES["test-images"].name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DatasetChecksumError, match="gzip"):
        mnist.load(root, "test")
    raw = next(r for r in mnist.RAW_FILES if r.name == path.name)
    with pytest.raises(DatasetChecksumError, match="gzip"):
        verify(path, raw)


def test_a_file_that_is_not_gzip_at_all_is_a_wrong_file(tmp_path: Path):
    raw = mnist.RAW_FILES[1]
    path = tmp_path / raw.relative_path
    path.parent.mkdir(parents=True)
    path.write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(DatasetChecksumError, match="not a readable gzip file"):
        verify(path, raw)


def test_the_checksum_is_of_the_content_so_any_compression_passes(datasets_dir, tmp_path):
    raw = next(r for r in mnist.RAW_FILES if r.name.startswith("t10k-labels"))
    content = read_content(raw.path(datasets_dir), raw)
    path = raw.path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(gzip.compress(content, compresslevel=1, mtime=12345))
    assert path.read_bytes() != raw.path(datasets_dir).read_bytes()
    verify(path, raw)


def test_every_file_of_the_catalogue_verifies(datasets_dir: Path):
    assert set(CATALOG) == {"mnist", "tinyshakespeare"}
    assert [raw.name for raw in CATALOG["mnist"]] == [f.name for f in mnist.FILES.values()]
    for files in CATALOG.values():
        for raw in files:
            verify(raw.path(datasets_dir), raw)


def test_tiny_shakespeare_is_read_whole_and_verified(datasets_dir: Path, tmp_path: Path):
    text = shakespeare.text(datasets_dir)
    assert len(text) == 1115394 and len(set(text)) == 65
    assert text.startswith("First Citizen:")
    damaged = shakespeare.FILE.path(tmp_path)
    damaged.parent.mkdir(parents=True)
    damaged.write_text(text.replace("Citizen", "Citizan", 1), encoding="utf-8")
    with pytest.raises(DatasetChecksumError, match="SHA-256"):
        shakespeare.text(tmp_path)

"""The strict .npy reader of the samples kind: hostile files fail with one plain line."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import numpy as np
import pytest

from graders.errors import InvalidOutput
from graders.samples.npy import MAGIC, read_uint8_images

SHAPE = (10, 28, 28)  # small, to keep the files tiny; one test uses the challenge's own
FULL = (10000, 28, 28)


def npy_bytes(array: np.ndarray, *, version: tuple[int, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version, allow_pickle=True)
    return buffer.getvalue()


def images(shape: tuple[int, ...] = SHAPE) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)


def header(text: str) -> bytes:
    """A version-1 .npy preamble holding ``text`` as its header."""
    raw = text.encode("latin-1")
    return MAGIC + b"\x01\x00" + len(raw).to_bytes(2, "little") + raw


def reason(path: Path, shape: tuple[int, ...] = SHAPE) -> str:
    with pytest.raises(InvalidOutput) as caught:
        read_uint8_images(path, shape=shape)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 250, message
    return message


# --- what is accepted -------------------------------------------------------------------


def test_a_file_written_by_np_save_is_read_back_exactly(tmp_path: Path):
    expected = images(FULL)
    np.save(tmp_path / "samples.npy", expected)
    got = read_uint8_images(tmp_path / "samples.npy", shape=FULL)
    assert got.dtype == np.uint8 and got.shape == FULL
    assert np.array_equal(got, expected)


@pytest.mark.parametrize("version", [(1, 0), (2, 0), (3, 0)])
def test_every_npy_format_version_is_accepted(write_file, version):
    path = write_file("samples.npy", npy_bytes(images(), version=version))
    assert np.array_equal(read_uint8_images(path, shape=SHAPE), images())


# --- wrong dtypes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "named"),
    [(np.float32, "float32"), (np.float64, "float64"), (np.int64, "int64"), (np.bool_, "bool")],
)
def test_a_wrong_dtype_is_named_and_the_fix_is_given(write_file, dtype, named):
    path = write_file("samples.npy", npy_bytes(images().astype(dtype)))
    message = reason(path)
    assert f"dtype is {named}" in message and "expected uint8" in message
    assert "astype(np.uint8)" in message


def test_a_pickled_object_array_is_refused_without_unpickling(write_file, tmp_path: Path):
    marker = tmp_path / "unpickled"

    class Boom:
        def __reduce__(self):  # unpickling this would create the marker file
            return (Path.touch, (marker,))

    array = np.empty(SHAPE[0], dtype=object)
    array[:] = [Boom() for _ in range(SHAPE[0])]
    path = write_file("samples.npy", npy_bytes(array))
    assert "Python objects (pickled)" in reason(path)
    assert not marker.exists()


def test_a_structured_dtype_is_refused(write_file):
    array = np.zeros(SHAPE[0], dtype=[("pixels", np.uint8, (28, 28))])
    assert "structured dtype" in reason(write_file("samples.npy", npy_bytes(array)))


def test_signed_bytes_are_not_uint8(write_file):
    path = write_file("samples.npy", npy_bytes(images().astype(np.int8)))
    assert "int8" in reason(path)


# --- wrong shapes and order --------------------------------------------------------------


@pytest.mark.parametrize(
    "shape", [(10, 784), (9, 28, 28), (11, 28, 28), (10, 28, 28, 1), (10, 1, 28, 28), (10, 32, 32)]
)
def test_a_wrong_shape_is_shown_beside_the_expected_one(write_file, shape):
    path = write_file("samples.npy", npy_bytes(np.zeros(shape, dtype=np.uint8)))
    assert reason(path) == f"samples.npy: shape is {shape}, expected {SHAPE}"


def test_fortran_order_is_refused_with_the_fix(write_file):
    path = write_file("samples.npy", npy_bytes(np.asfortranarray(images())))
    assert "Fortran order" in reason(path) and "ascontiguousarray" in reason(path)


# --- damaged files and files that are not .npy ------------------------------------------


def test_a_truncated_file_is_refused(write_file):
    data = npy_bytes(images())
    message = reason(write_file("samples.npy", data[:-100]))
    assert "truncated" in message and f"promises {np.prod(SHAPE)} bytes" in message


@pytest.mark.parametrize("keep", [0, 3, 8, 9, 40])
def test_a_file_cut_inside_its_header_is_refused(write_file, keep):
    message = reason(write_file("samples.npy", npy_bytes(images())[:keep]))
    assert "truncated" in message or "not a NumPy .npy file" in message


def test_bytes_after_the_array_are_refused(write_file):
    message = reason(write_file("samples.npy", npy_bytes(images()) + b"\x00" * 7))
    assert message == "samples.npy: has 7 unexpected bytes after the array"


@pytest.mark.parametrize(
    "content",
    [b"", b"id,label\n0,1\n", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"\x93NUMP"],
    ids=["empty", "csv", "png", "almost-magic"],
)
def test_a_file_that_is_not_npy_at_all_says_how_to_save_one(write_file, content):
    assert "not a NumPy .npy file" in reason(write_file("samples.npy", content))


def test_an_npz_archive_is_recognised(tmp_path: Path):
    np.savez(tmp_path / "archive.npz", samples=images())
    (tmp_path / "archive.npz").rename(tmp_path / "samples.npy")
    assert ".npz archive" in reason(tmp_path / "samples.npy")


def test_an_unknown_format_version_is_refused(write_file):
    data = bytearray(npy_bytes(images()))
    data[6] = 9
    assert "unknown .npy format version" in reason(write_file("samples.npy", bytes(data)))


@pytest.mark.parametrize(
    "text",
    [
        "{'descr': __import__('os').system('touch /tmp/x'), 'fortran_order': False, 'shape': (10, 28, 28), }\n",
        "(" * 1500 + ")" * 1500 + "\n",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (10, 28, 28), 'extra': 1}\n",
        "{'descr': '|u1', 'fortran_order': False}\n",
        "[1, 2, 3]\n",
        "not python at all\n",
    ],
    ids=["code", "deep-nesting", "extra-key", "missing-key", "not-a-dict", "garbage"],
)
def test_a_header_that_is_not_a_plain_arrays_is_refused(write_file, text):
    path = write_file("samples.npy", header(text) + bytes(np.prod(SHAPE)))
    assert "header is not that of a .npy array" in reason(path)


def test_a_header_without_its_newline_is_refused(write_file):
    text = "{'descr': '|u1', 'fortran_order': False, 'shape': (10, 28, 28), }"
    path = write_file("samples.npy", header(text) + bytes(np.prod(SHAPE)))
    assert "does not end with a newline" in reason(path)


def test_a_header_longer_than_any_plain_arrays_is_refused_unread(write_file):
    data = MAGIC + b"\x02\x00" + (1 << 30).to_bytes(4, "little") + b" " * 64
    assert "more than a plain array needs" in reason(write_file("samples.npy", data))


# --- files that are not regular files, or are too large ------------------------------------


def sparse_file(path: Path, head: bytes, size: int) -> Path:
    """``head`` followed by zeros up to ``size`` bytes, without using the disk for them."""
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


HUGE = 16 << 30  # reading 16 GB, even of holes, would take far longer than a second


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"", "not a NumPy .npy file"),
        (npy_bytes(images(FULL))[:128], f"has {HUGE - 128 - 7840000} unexpected bytes"),
        (npy_bytes(np.zeros((1, 1)))[:128], "dtype is float64"),
    ],
    ids=["zeros", "right-header", "float-header"],
)
def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path, head, expected):
    path = sparse_file(tmp_path / "samples.npy", head, HUGE)
    started = time.perf_counter()
    assert expected in reason(path, FULL)
    assert time.perf_counter() - started < 1.0


def test_a_float64_file_of_the_right_shape_gets_the_dtype_message(write_file):
    path = write_file("samples.npy", npy_bytes(np.zeros(FULL)))  # 63 MB, eight times too big
    assert reason(path, FULL).startswith("samples.npy: dtype is float64 ('<f8'), expected uint8")


def test_a_symlink_is_not_followed(tmp_path: Path):
    target = tmp_path / "real.npy"
    np.save(target, images())
    (tmp_path / "samples.npy").symlink_to(target)
    assert reason(tmp_path / "samples.npy") == "samples.npy: is a symbolic link, not a regular file"


def test_a_fifo_does_not_block_the_grader(tmp_path: Path):
    os.mkfifo(tmp_path / "samples.npy")
    started = time.perf_counter()
    assert "named pipe" in reason(tmp_path / "samples.npy")
    assert time.perf_counter() - started < 1.0


def test_a_directory_is_refused(tmp_path: Path):
    (tmp_path / "samples.npy").mkdir()
    assert "a directory, not a regular file" in reason(tmp_path / "samples.npy")


def test_a_missing_file_names_the_path_to_write(tmp_path: Path):
    assert reason(tmp_path / "samples.npy") == "did not write /output/samples.npy"

"""A NumPy ``.npy`` file written by sandboxed code, read strictly: uint8 images
(the samples kind) or a float32 matrix (the cloze kind's word vectors).

``np.load(allow_pickle=False)`` alone is not enough for hostile input: it
follows symlinks, blocks on a fifo, reads a file of any size and accepts any
dtype, shape and memory order. Here the file is opened as the untrusted reader
opens files (no symlink, no blocking, a regular file only); at most a few
kilobytes are read for the header, which this module parses and which must
describe exactly the expected array (format version 1, 2 or 3, the dtype, C
order, the shape); the file's size must then be exactly the header plus the
data, checked before the data are read.
"""

from __future__ import annotations

import ast
import math
import os
import stat
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from graders.errors import InvalidOutput

# The untrusted reader's opening rules (O_NOFOLLOW, O_NONBLOCK for fifos, the errno
# each refusal maps to) are exactly the ones wanted here: shared, not copied.
from graders.readers.untrusted import describe_kind, open_untrusted, read_at_most, show

MAGIC = b"\x93NUMPY"
MAX_HEADER_BYTES = 4096  # numpy writes 118; a larger header is not a plain array's
PREAMBLE_MAX = len(MAGIC) + 2 + 4 + MAX_HEADER_BYTES  # magic, version, length, header
_LENGTH_BYTES = {1: 2, 2: 4, 3: 4}  # format version -> size of the header-length field
_HEADER_KEYS = {"descr", "fortran_order", "shape"}
_DTYPE_NAMES = {
    "|b1": "bool",
    "|i1": "int8",
    "<i2": "int16",
    "<i4": "int32",
    "<i8": "int64",
    "<u2": "uint16",
    "<u4": "uint32",
    "<u8": "uint64",
    "<f2": "float16",
    "<f4": "float32",
    "<f8": "float64",
    "|O": "Python objects (pickled)",
}
HOW_TO_SAVE = "np.save(path, images.astype(np.uint8))"


def read_uint8_images(path: Path, *, shape: Sequence[int]) -> np.ndarray:
    """The array of ``path`` (uint8, exactly ``shape``, read-only) or ``InvalidOutput``
    with one line a student can act on."""
    shape = tuple(shape)
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        # The header first (a bounded read): a wrong dtype or shape is the likeliest
        # mistake, and deserves its own message rather than one about the file's size.
        offset = _check_header(path.name, read_at_most(fd, PREAMBLE_MAX), shape)
        _check_size(path.name, size - offset, math.prod(shape))
        os.lseek(fd, offset, os.SEEK_SET)
        data = read_at_most(fd, math.prod(shape) + 1)
    finally:
        os.close(fd)
    _check_size(path.name, len(data), math.prod(shape))  # it changed while being read
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


def open_regular(path: Path) -> int:
    """A read-only descriptor of a regular file, never through a symlink, never blocking."""
    fd = open_untrusted(path)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InvalidOutput(f"{path.name}: is {describe_kind(mode)}, not a regular file")
    return fd


def _check_size(name: str, found: int, n_bytes: int) -> None:
    if found < n_bytes:
        raise InvalidOutput(
            f"{name}: is truncated: the header promises {n_bytes} bytes of pixels, "
            f"the file holds {found} (was it still being written?)"
        )
    if found > n_bytes:
        raise InvalidOutput(f"{name}: has {found - n_bytes} unexpected bytes after the array")


def _split_header(name: str, data: bytes) -> tuple[str, int]:
    """The header's text and where the array's bytes begin."""
    if not data.startswith(MAGIC):
        if data.startswith(b"PK\x03\x04"):
            raise InvalidOutput(f"{name}: is a .npz archive, not a .npy file: use {HOW_TO_SAVE}")
        raise InvalidOutput(f"{name}: is not a NumPy .npy file (save it with {HOW_TO_SAVE})")
    version = data[len(MAGIC)] if len(data) > len(MAGIC) else None
    if version not in _LENGTH_BYTES or data[len(MAGIC) + 1 : len(MAGIC) + 2] != b"\x00":
        raise InvalidOutput(f"{name}: unknown .npy format version (save it with {HOW_TO_SAVE})")
    start = len(MAGIC) + 2 + _LENGTH_BYTES[version]
    if len(data) < start:
        raise InvalidOutput(f"{name}: is truncated inside its header")
    length = int.from_bytes(data[len(MAGIC) + 2 : start], "little")
    if length > MAX_HEADER_BYTES:
        raise InvalidOutput(f"{name}: its header is {length} bytes, more than a plain array needs")
    if len(data) < start + length:
        raise InvalidOutput(f"{name}: is truncated inside its header")
    raw = data[start : start + length]
    try:
        text = raw.decode("utf-8" if version == 3 else "latin-1")
    except UnicodeDecodeError:
        raise InvalidOutput(f"{name}: its header is not valid text") from None
    return text, start + length


def _check_header(
    name: str, head: bytes, shape: tuple[int, ...], *, descr: str = "|u1", dtype: str = "uint8"
) -> int:
    """Check the header at the start of ``head``; return where the array's bytes begin."""
    offset, found = _check_layout(name, head, descr=descr, dtype=dtype, how=HOW_TO_SAVE)
    if found != shape:
        raise InvalidOutput(f"{name}: shape is {_shape_text(found)}, expected {shape}")
    return offset


def _check_layout(
    name: str, head: bytes, *, descr: str, dtype: str, how: str
) -> tuple[int, object]:
    """The header's dtype and memory order, checked; where the bytes begin and the shape."""
    text, offset = _split_header(name, head)
    header = _parse_header(name, text)
    found_descr, fortran = header["descr"], header["fortran_order"]
    if found_descr != descr:
        kind = (
            _DTYPE_NAMES.get(found_descr) if isinstance(found_descr, str) else "a structured dtype"
        )
        described = f"{kind} ({show(str(found_descr))})" if kind else show(str(found_descr))
        advice = ": scale pixels to 0..255 and save " if dtype == "uint8" else "; save "
        raise InvalidOutput(f"{name}: dtype is {described}, expected {dtype}{advice}{how}")
    if fortran is not False:
        raise InvalidOutput(
            f"{name}: is stored in Fortran order; save a C-ordered array (np.ascontiguousarray)"
        )
    return offset, header["shape"]


def read_float32_rows(path: Path, *, rows: int, max_columns: int) -> np.ndarray:
    """The float32 array of ``path``, exactly ``rows`` by 1 to ``max_columns``, every
    value finite (read-only), or ``InvalidOutput`` with one line a student can act on."""
    how = "np.save(path, vectors.astype(np.float32))"
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        offset, found = _check_layout(
            path.name, read_at_most(fd, PREAMBLE_MAX), descr="<f4", dtype="float32", how=how
        )
        if not (
            isinstance(found, tuple)
            and len(found) == 2
            and found[0] == rows
            and type(found[1]) is int
            and 1 <= found[1] <= max_columns
        ):
            raise InvalidOutput(
                f"{path.name}: shape is {_shape_text(found)}, expected ({rows}, D) "
                f"with 1 <= D <= {max_columns}"
            )
        n_bytes = 4 * rows * found[1]
        _check_size(path.name, size - offset, n_bytes)
        os.lseek(fd, offset, os.SEEK_SET)
        data = read_at_most(fd, n_bytes + 1)
    finally:
        os.close(fd)
    _check_size(path.name, len(data), n_bytes)
    array = np.frombuffer(data, dtype="<f4").reshape(rows, found[1])
    if not np.isfinite(array).all():
        raise InvalidOutput(f"{path.name}: holds values that are not finite numbers (nan or inf)")
    return array


def _parse_header(name: str, text: str) -> dict[str, object]:
    if not text.endswith("\n"):
        raise InvalidOutput(f"{name}: its header does not end with a newline (a damaged file?)")
    try:
        # literal_eval builds literals only (no names, no calls); the text is at most
        # MAX_HEADER_BYTES, and deep nesting raises rather than recursing without end.
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        header = None
    if not isinstance(header, dict) or set(header) != _HEADER_KEYS:
        raise InvalidOutput(f"{name}: its header is not that of a .npy array")
    return header


def _shape_text(shape: object) -> str:
    if isinstance(shape, tuple) and all(type(n) is int for n in shape):
        return str(shape) if len(str(shape)) <= 60 else f"a {len(shape)}-dimensional shape"
    return show(str(shape))

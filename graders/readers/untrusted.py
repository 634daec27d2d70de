"""Bytes of a file written by sandboxed code, read without trusting anything about it.

Each rule answers an attack seen on this platform: a symlink planted in
``/output`` (e.g. at the hidden labels) must not be followed, a fifo must not
block the worker, and a huge or growing file must not be read whole.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from graders.errors import InvalidOutput

# Where the program sees its output directory; named in messages to students.
SANDBOX_OUTPUT_DIR = "/output"
SHOWN_CHARS = 40
_CHUNK = 1 << 20
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_SYMLINK_ERRNOS = {errno.ELOOP, errno.EMLINK}  # EMLINK: O_NOFOLLOW on a link, on BSDs
_NOT_A_FILE_ERRNOS = {errno.ENXIO, errno.ENODEV, errno.EOPNOTSUPP}  # sockets, devices


def show(text: str) -> str:
    """Quote untrusted text for a message: at most ``SHOWN_CHARS`` characters, and
    control or invisible characters escaped (``repr``), so a reason stays one line."""
    clipped = text[:SHOWN_CHARS]
    return repr(clipped) + ("…" if len(text) > SHOWN_CHARS else "")


def format_size(n_bytes: int) -> str:
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n_bytes} bytes"


def read_untrusted_text(path: Path, *, max_bytes: int) -> str:
    """Return the file's text (UTF-8, one leading BOM dropped) or raise ``InvalidOutput``."""
    data = _read_bytes(path, max_bytes=max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidOutput(
            f"{path.name}: is not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None
    return text.removeprefix("\ufeff")


def _read_bytes(path: Path, *, max_bytes: int) -> bytes:
    fd = open_untrusted(path)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidOutput(
                f"{path.name}: is {describe_kind(info.st_mode)}, not a regular file"
            )
        if info.st_size > max_bytes:
            raise InvalidOutput(_too_large(path, info.st_size, max_bytes))
        data = read_at_most(fd, max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew after fstat
        raise InvalidOutput(_too_large(path, None, max_bytes))
    return data


def open_untrusted(path: Path) -> int:
    try:
        return os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise InvalidOutput(f"did not write {SANDBOX_OUTPUT_DIR}/{path.name}") from None
    except PermissionError:
        raise InvalidOutput(f"{path.name}: cannot be read (permission denied)") from None
    except OSError as exc:
        if exc.errno in _SYMLINK_ERRNOS:
            raise InvalidOutput(f"{path.name}: is a symbolic link, not a regular file") from None
        if exc.errno in _NOT_A_FILE_ERRNOS:
            raise InvalidOutput(f"{path.name}: is not a regular file") from None
        raise  # anything else is the platform's problem, not the student's


def read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = os.read(fd, min(_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def describe_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _too_large(path: Path, size: int | None, max_bytes: int) -> str:
    actual = f" ({format_size(size)})" if size is not None else ""
    return f"{path.name}: is larger than the limit of {format_size(max_bytes)}{actual}"

"""Raw dataset files: where each lies under ``DATASETS_DIR`` and how to tell it is
the published one.

A file's checksum is that of its *content*: for a ``.gz`` file, of the bytes
inside. Mirrors compress the same data differently, and a reader only ever sees
the content, so that is what has to match.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


class DatasetChecksumError(ValueError):
    """A raw file is present but is not the published one; ``reason`` says how."""

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


@dataclass(frozen=True)
class RawFile:
    dataset: str  # its folder under DATASETS_DIR, e.g. "mnist"
    name: str  # the file's name in that folder, e.g. "t10k-labels-idx1-ubyte.gz"
    sha256: str  # of the content (uncompressed, for a .gz file)
    size: int  # bytes of content

    @property
    def relative_path(self) -> str:
        return f"{self.dataset}/{self.name}"

    @property
    def gzipped(self) -> bool:
        return self.name.endswith(".gz")

    def path(self, datasets_dir: Path) -> Path:
        return Path(datasets_dir) / self.dataset / self.name


def read_content(path: Path, raw: RawFile) -> bytes:
    """The whole verified content of ``path`` (``FileNotFoundError`` if absent,
    ``DatasetChecksumError`` if it is not ``raw``)."""
    with _content_stream(path, raw) as stream:
        data = _read_at_most(stream, raw.size + 1, path)
    _check(path, raw, len(data), hashlib.sha256(data).hexdigest())
    return data


def verify(path: Path, raw: RawFile) -> None:
    """Check ``path`` against ``raw`` without holding its content in memory."""
    digest, size = hashlib.sha256(), 0
    with _content_stream(path, raw) as stream:
        while size <= raw.size:
            chunk = _read_chunk(stream, min(CHUNK, raw.size + 1 - size), path)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
    _check(path, raw, size, digest.hexdigest())


@contextmanager
def _content_stream(path: Path, raw: RawFile) -> Iterator[BinaryIO]:
    with Path(path).open("rb") as handle:  # FileNotFoundError here means "not installed"
        if not raw.gzipped:
            yield handle
            return
        with gzip.GzipFile(fileobj=handle, mode="rb") as stream:
            yield stream  # type: ignore[misc]


def _read_at_most(stream: BinaryIO, limit: int, path: Path) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = _read_chunk(stream, min(CHUNK, limit - size), path)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _read_chunk(stream: BinaryIO, size: int, path: Path) -> bytes:
    # A truncated or garbled archive is a wrong file, not a platform failure.
    try:
        return stream.read(size)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        reason = f"not a readable gzip file ({exc})"
        raise DatasetChecksumError(f"{path}: {reason}", reason=reason) from exc


def _check(path: Path, raw: RawFile, size: int, digest: str) -> None:
    if size != raw.size:
        found = f"more than {raw.size}" if size > raw.size else str(size)
        reason = f"its content has {found} bytes, the published file's {raw.size}"
    elif digest != raw.sha256:
        reason = f"SHA-256 of its content is {digest}, not {raw.sha256}"
    else:
        return
    raise DatasetChecksumError(f"{path}: {reason}", reason=reason)

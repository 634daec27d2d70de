"""The layers a student might wrap hidden data in, peeled: an upload becomes the
blobs to scan — itself, its zip members, every gzip, zlib, bz2 or lzma stream
found in it, the literals of its Python files, every long base64 run decoded — and each of those again, a few
layers deep. Hostile input: every layer is capped, and so is the total a scan
may unpack, so a bomb costs the scan its budget, never the worker its memory."""

from __future__ import annotations

import binascii
import bz2
import codecs
import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_DEPTH = 4
BUDGET_BYTES = 32 << 20  # everything one scan may unpack, all layers together
_PIECE = 1 << 20
MAX_STREAMS = 32  # compressed streams tried per blob (a magic number can occur by chance)
# A one-line string or bytes literal of at least 64 characters (escapes counted whole).
_LITERAL = re.compile(rb"'((?:[^'\\\n]|\\.){64,})'" + rb'|"((?:[^"\\\n]|\\.){64,})"')
MIN_BASE64 = 88  # characters: the shortest run that decodes to a 64-byte window
_EDGE = np.zeros(1, dtype=np.int8)
_BASE64 = np.zeros(256, dtype=bool)
_BASE64[
    np.frombuffer(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n", np.uint8
    )
] = True


@dataclass(frozen=True)
class Blob:
    path: str  # how it was reached: "main.py", "model.zip > weights.bin > gzip@12"
    data: bytes | bytearray


class Budget:
    def __init__(self, total: int) -> None:
        self.left = total

    def take(self, count: int) -> None:
        self.left -= count


def expand(name: str, data: bytes, *, budget_bytes: int = BUDGET_BYTES) -> Iterator[Blob]:
    """``data`` and every layer found inside it, outermost first."""
    yield from _expand(Blob(name, data), 0, Budget(budget_bytes))


def _expand(blob: Blob, depth: int, budget: Budget) -> Iterator[Blob]:
    yield blob
    if depth >= MAX_DEPTH:
        return
    for child in _children(blob, budget):
        yield from _expand(child, depth + 1, budget)


def _children(blob: Blob, budget: Budget) -> Iterator[Blob]:
    yield from _zip_members(blob, budget)
    yield from _python_literals(blob, budget)
    yield from _streams(blob, budget)
    yield from _base64_runs(blob, budget)


def _zip_members(blob: Blob, budget: Budget) -> Iterator[Blob]:
    if not blob.data.startswith(b"PK\x03\x04"):
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob.data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    for member in members:
        if budget.left <= 0:
            return
        try:
            with archive.open(member) as stream:
                content = stream.read(budget.left)
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            RuntimeError,
            EOFError,
            NotImplementedError,
        ):
            continue  # damaged or encrypted: unreadable, so hiding nothing readable
        budget.take(len(content))
        yield Blob(f"{blob.path} > {member.filename[:80]}", content)


def _python_literals(blob: Blob, budget: Budget) -> Iterator[Blob]:
    """The escaped string and bytes literals of a Python file, decoded ("\\x9c"):
    the bytes they stand for are not the bytes of the file. Only lines with a
    backslash can hold one; the rest are skipped at C speed."""
    if not blob.path.endswith(".py"):
        return
    data = bytes(blob.data)
    at = data.find(b"\\")
    while at >= 0 and budget.left > 0:
        start, end = data.rfind(b"\n", 0, at) + 1, data.find(b"\n", at)
        end = len(data) if end < 0 else end
        for found in _LITERAL.finditer(data, start, end):
            body = found.group(1) or found.group(2)
            try:
                value, _ = codecs.escape_decode(body)
            except (ValueError, UnicodeDecodeError):
                continue
            if len(value) >= 64 and b"\\" in body:
                budget.take(len(value))
                yield Blob(f"{blob.path} > literal@{found.start()}", bytes(value))
        at = data.find(b"\\", end)


Decompressor = Callable[[], Any]  # a fresh zlib, bz2 or lzma decompressor
_MAGIC: tuple[tuple[str, bytes, Decompressor], ...] = (
    ("gzip", b"\x1f\x8b\x08", lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)),
    ("zlib", b"\x78\x9c", lambda: zlib.decompressobj()),
    ("zlib", b"\x78\xda", lambda: zlib.decompressobj()),
    ("zlib", b"\x78\x01", lambda: zlib.decompressobj()),
    ("zlib", b"\x78\x5e", lambda: zlib.decompressobj()),
    ("bz2", b"BZh", lambda: bz2.BZ2Decompressor()),
    ("xz", b"\xfd7zXZ\x00", lambda: lzma.LZMADecompressor()),
    ("lzma", b"\x5d\x00\x00", lambda: lzma.LZMADecompressor(lzma.FORMAT_ALONE)),
)


def _streams(blob: Blob, budget: Budget) -> Iterator[Blob]:
    tried = 0
    for kind, magic, make in _MAGIC:
        start = blob.data.find(magic)
        while start >= 0 and tried < MAX_STREAMS and budget.left > 0:
            tried += 1
            content = _decompress(make(), memoryview(blob.data)[start:], budget.left)
            if len(content) >= 64:
                budget.take(len(content))
                yield Blob(f"{blob.path} > {kind}@{start}", content)
            start = blob.data.find(magic, start + 1)


def _decompress(decompressor: Any, data: bytes | bytearray | memoryview, limit: int) -> bytearray:
    """At most ``limit`` bytes of the stream at the start of ``data``, a MiB at a
    time into one growing buffer (never the whole of a bomb, never two copies)."""
    out = bytearray()
    pending: bytes | bytearray | memoryview = memoryview(data)
    try:
        while len(out) < limit:
            piece = decompressor.decompress(pending, max_length=min(_PIECE, limit - len(out)))
            pending = getattr(decompressor, "unconsumed_tail", b"")  # zlib hands input back
            out += piece
            if not piece or decompressor.eof:
                break
    except (zlib.error, OSError, EOFError, ValueError, lzma.LZMAError):
        pass  # what came before the damage is still worth scanning
    return out


def _base64_runs(blob: Blob, budget: Budget) -> Iterator[Blob]:
    for start, end in _base64_spans(blob.data):
        if budget.left <= 0:
            return
        run = blob.data[start:end].replace(b"\n", b"").replace(b"\r", b"")
        try:
            content = binascii.a2b_base64(run[: len(run) // 4 * 4])
        except binascii.Error:
            continue
        budget.take(len(content))
        yield Blob(f"{blob.path} > base64@{start}", content)


def _base64_spans(data: bytes | bytearray, chunk: int = 1 << 22) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of at least MIN_BASE64 base64 characters, found a
    chunk at a time (the masks stay a few MiB whatever the blob)."""
    view = np.frombuffer(data, dtype=np.uint8)
    carried: int | None = None  # the start of a run still open at the last chunk's end
    for offset in range(0, len(view), chunk):
        inside = _BASE64[view[offset : offset + chunk]].astype(np.int8)
        edges = np.diff(np.concatenate((_EDGE, inside, _EDGE)))  # int8 throughout
        starts = np.flatnonzero(edges == 1) + offset
        ends = np.flatnonzero(edges == -1) + offset
        if carried is not None and inside[0]:
            starts[0] = carried  # the run began in an earlier chunk
        carried = None
        if inside[-1]:  # the last run goes on into the next chunk
            carried, starts, ends = int(starts[-1]), starts[:-1], ends[:-1]
        yield from _long(starts, ends)
    if carried is not None and len(view) - carried >= MIN_BASE64:
        yield carried, len(view)


def _long(starts: np.ndarray, ends: np.ndarray) -> Iterator[tuple[int, int]]:
    keep = (ends - starts) >= MIN_BASE64
    yield from zip(starts[keep].tolist(), ends[keep].tolist(), strict=True)

"""Grader artifacts: the files a challenge's ``prepare.py`` writes to ``hidden/``, which
decide every score (labels, and for some challenges a feature network, a codebook,
thresholds), and one checksum that names them all.

Every bundle makes them identical, byte for byte, on every machine and under any
thread count (seeded generators, exact integer arithmetic, or files shipped with
the bundle and checked by ``read_shipped``). Two scores are comparable when they
were computed against artifacts of the same checksum, which is why it is recorded
with each score.

The checksum is the SHA-256 of a manifest with one line per regular file under the
hidden folder, ``<SHA-256 of its bytes>  <its path relative to the folder>\\n``
(paths with ``/``, sorted by code point): what ``sha256sum`` prints, so that for
ordinary file names an operator can recompute it with

    cd HIDDEN && find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum | sha256sum
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

CHUNK = 1 << 20


def checksum(hidden_dir: Path) -> str:
    """The hex SHA-256 of ``manifest(hidden_dir)``."""
    return hashlib.sha256(manifest(hidden_dir).encode("utf-8")).hexdigest()


def manifest(hidden_dir: Path) -> str:
    """``<sha256>  <relative path>`` lines of every file under ``hidden_dir``, sorted by
    path. ``ValueError`` for a symbolic link or anything but a regular file or folder
    (a checksum must name the files themselves); ``FileNotFoundError`` if there is no
    such folder."""
    root = Path(hidden_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"no hidden folder at {root}")
    lines = [f"{file_sha256(path)}  {name}\n" for name, path in sorted(_files(root).items())]
    return "".join(lines)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_shipped(path: Path, sha256: str) -> bytes:
    """The bytes of a file shipped with a bundle, checked against the SHA-256 the bundle
    records for it (``ValueError`` if they differ: a damaged or replaced file must never
    quietly grade anything)."""
    data = Path(path).read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != sha256:
        raise ValueError(f"{path}: SHA-256 {found}, not the shipped file's {sha256}")
    return data


def _files(root: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for folder, dirs, names in os.walk(root):
        for name in [*dirs, *names]:
            path = Path(folder) / name
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode):
                files[path.relative_to(root).as_posix()] = path
            elif not stat.S_ISDIR(mode):
                raise ValueError(f"{path}: not a regular file or folder, cannot be checksummed")
    return files

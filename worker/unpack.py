"""Unpacking a stored upload into the run's code folder, treating it as hostile:
sizes are counted while extracting (declared sizes can lie), paths must stay
inside the folder, links and special files are refused."""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

_CHUNK = 64 * 1024


class UnpackRejected(Exception):
    """The upload cannot be used; ``str(exc)`` is the reason shown to the student."""


def unpack_submission(
    source: BinaryIO, *, name: str, target: Path, entrypoint: str, max_bytes: int, max_files: int
) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if name.lower().endswith(".zip"):
        _extract_zip(source, target, max_bytes=max_bytes, max_files=max_files)
    else:
        _copy_capped(source, target / entrypoint, max_bytes)
    if not (target / entrypoint).is_file():
        raise UnpackRejected(f"The submission has no {entrypoint} at its root.")
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _extract_zip(source: BinaryIO, target: Path, *, max_bytes: int, max_files: int) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise UnpackRejected("The .zip file is damaged or not a zip archive.") from exc
    with archive:
        members = archive.infolist()
        if len(members) > max_files:
            raise UnpackRejected(f"The zip holds more than {max_files} entries.")
        budget = max_bytes
        for member in members:
            destination = _destination(member, target)
            if member.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as stream:
                budget -= _copy_capped(stream, destination, budget)


def _destination(member: zipfile.ZipInfo, target: Path) -> Path:
    path = PurePosixPath(member.filename)
    if path.is_absolute() or ".." in path.parts or "\\" in member.filename:
        raise UnpackRejected(f"The zip holds an unsafe path: {member.filename[:60]!r}.")
    kind = stat.S_IFMT(member.external_attr >> 16)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        raise UnpackRejected(f"The zip holds a link or special file: {member.filename[:60]!r}.")
    destination = (target / path).resolve()
    if not destination.is_relative_to(target.resolve()):
        raise UnpackRejected(f"The zip holds an unsafe path: {member.filename[:60]!r}.")
    return destination


def _copy_capped(stream: BinaryIO, destination: Path, budget: int) -> int:
    written = 0
    with destination.open("wb") as sink:
        while chunk := stream.read(_CHUNK):
            written += len(chunk)
            if written > budget:
                raise UnpackRejected("The submission unpacks to more than the size limit.")
            sink.write(chunk)
    return written


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)

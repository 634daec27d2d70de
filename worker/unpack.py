"""Unpacking a stored upload into the run's code folder, treating it as hostile:
sizes are counted while extracting (declared sizes can lie), paths must stay
inside the folder, links and special files are refused."""

from __future__ import annotations

import errno
import shutil
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO

from graders.readers.zips import SHOWN, archive_problem, member_problem

# Failures of the worker's own disk: never the submission's fault.
_PLATFORM_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EROFS, errno.ENOMEM}

_CHUNK = 64 * 1024


class UnpackRejected(Exception):
    """The upload cannot be used; ``str(exc)`` is the reason shown to the student."""


def unpack_submission(
    source: IO[bytes], *, name: str, target: Path, entrypoint: str, max_bytes: int, max_files: int
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


def _extract_zip(source: IO[bytes], target: Path, *, max_bytes: int, max_files: int) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise UnpackRejected("The .zip file is damaged or not a zip archive.") from exc
    with archive:
        members = archive.infolist()
        if len(members) > max_files:
            raise UnpackRejected(f"The zip holds more than {max_files} entries.")
        clash = archive_problem(members)
        if clash is not None:
            raise UnpackRejected(clash.sentence())
        budget = max_bytes
        for member in members:
            try:
                budget -= _extract(archive, member, target, budget)
            except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as exc:
                raise UnpackRejected(_damaged(member, exc)) from exc
            except OSError as exc:
                if exc.errno in _PLATFORM_ERRNOS:
                    raise  # our disk, not their zip: a platform error, retried
                raise UnpackRejected(_damaged(member, exc)) from exc


def _extract(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, budget: int) -> int:
    destination = _destination(member, target)
    if member.is_dir():
        destination.mkdir(parents=True, exist_ok=True)
        return 0
    destination.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(member) as stream:
        return _copy_capped(stream, destination, budget)


def _damaged(member: zipfile.ZipInfo, exc: BaseException) -> str:
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"The zip's entry {member.filename[:SHOWN]!r} cannot be unpacked ({why})."


def _destination(member: zipfile.ZipInfo, target: Path) -> Path:
    problem = member_problem(member)
    if problem is not None:
        raise UnpackRejected(problem.sentence())
    destination = (target / PurePosixPath(member.filename)).resolve()
    if not destination.is_relative_to(target.resolve()):  # defence in depth
        raise UnpackRejected(f"The zip holds an unsafe path: {member.filename[:SHOWN]!r}.")
    return destination


def _copy_capped(stream: IO[bytes], destination: Path, budget: int) -> int:
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

"""Unpacking an instructor's uploaded bundle zip, safely.

Every member is checked before anything is written: absolute paths, ``..``,
backslashes, links, special files, encryption, too many files, too many bytes.
Unsafe members are never extracted; they are reported together with whatever
the bundle's own validation finds in the rest, so one round trip shows every
problem. Sizes are counted while writing too: a zip's declared sizes can lie."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO

from graders.readers.zips import archive_problem, member_problem

CHUNK = 1024 * 1024


class ArchiveProblems(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def extract_bundle(
    source: IO[bytes], *, target: Path, max_bytes: int, max_files: int
) -> tuple[Path | None, list[str]]:
    """Extract the safe members of the zip ``source`` into ``target``. Returns the
    bundle's root (``target`` or its single top folder; None when no
    challenge.toml is found) and the problems seen. Raises ArchiveProblems when
    the file is no usable zip at all."""
    try:
        archive = zipfile.ZipFile(source)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveProblems(["the file is not a zip archive (or it is damaged)"]) from exc
    with archive:
        problems = _member_problems(members)
        clash = archive_problem(members)
        if clash is not None:
            raise ArchiveProblems([str(clash)])
        if len(members) > max_files:
            raise ArchiveProblems(
                [f"the zip holds {len(members)} entries; the limit is {max_files}"]
            )
        declared = sum(m.file_size for m in members)
        if declared > max_bytes:
            raise ArchiveProblems(
                [f"the zip unpacks to {declared:,} bytes; the limit is {max_bytes:,}"]
            )
        target.mkdir(parents=True, exist_ok=True)
        problems += _extract_safe(archive, members, target, max_bytes)
    return _bundle_root(target), problems


def _member_problems(members: list[zipfile.ZipInfo]) -> list[str]:
    return [str(problem) for member in members if (problem := member_problem(member)) is not None]


def _extract_safe(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], target: Path, max_bytes: int
) -> list[str]:
    problems: list[str] = []
    written = 0
    for member in members:
        if member_problem(member) is not None or "__MACOSX" in PurePosixPath(member.filename).parts:
            continue
        destination = target.joinpath(*PurePosixPath(member.filename).parts)
        if member.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.exists():
            problems.append(f"the zip holds {member.filename[:80]!r} twice")
            continue
        try:
            with archive.open(member) as reader, destination.open("xb") as writer:
                while chunk := reader.read(CHUNK):
                    written += len(chunk)
                    if written > max_bytes:
                        raise ArchiveProblems([f"the zip unpacks to more than {max_bytes:,} bytes"])
                    writer.write(chunk)
        except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, OSError) as exc:
            problems.append(f"the zip's entry {member.filename[:80]!r} cannot be unpacked ({exc})")
    return problems


def _bundle_root(target: Path) -> Path | None:
    """challenge.toml at the zip's root, or inside its one top-level folder."""
    if (target / "challenge.toml").is_file():
        return target
    tops = [p for p in target.iterdir() if not p.name.startswith(".")]
    if len(tops) == 1 and tops[0].is_dir() and (tops[0] / "challenge.toml").is_file():
        return tops[0]
    return None

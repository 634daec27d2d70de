"""Which members of an untrusted zip may be unpacked: one rule for a student's
submission (checked by the site before it is stored, and again by the worker as
it unpacks) and an instructor's bundle.

A member is refused when its path could land outside the folder it is unpacked
into (absolute, ``..``, a backslash, a NUL, a drive letter), when it is a link or
a special file, or when it is encrypted (it could not be read anyway). An archive
is refused when its members cannot all be written: a name too long for a file
system, a name given twice, or one that is a file and a folder at once.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

SHOWN = 80  # how much of a hostile name a message quotes
LONGEST_PART = 255  # bytes in one file or folder name (ext4, xfs, tmpfs)
LONGEST_PATH = 1024  # bytes in a whole path inside the archive


@dataclass(frozen=True)
class MemberProblem:
    what: str  # "unsafe path", ...
    article: str  # "an", so a sentence reads "The zip holds an unsafe path"
    name: str  # the member's name, cut to SHOWN characters

    def __str__(self) -> str:
        return f"{self.what} in the zip: {self.name!r}"

    def sentence(self) -> str:
        """The problem as one sentence for the student."""
        return f"The zip holds {self.article} {self.what}: {self.name!r}."


def member_problem(member: zipfile.ZipInfo) -> MemberProblem | None:
    """Why ``member`` must not be unpacked, or None when it may."""
    name = member.filename
    parts = PurePosixPath(name).parts
    drive = bool(parts) and ":" in parts[0]  # C:/... on the machine that made it
    if name.startswith("/") or "\\" in name or "\x00" in name or ".." in parts or drive:
        return MemberProblem("unsafe path", "an", name[:SHOWN])
    kind = stat.S_IFMT(member.external_attr >> 16)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return MemberProblem("link or special file", "a", name[:SHOWN])
    if member.flag_bits & 0x1:
        return MemberProblem("encrypted entry", "an", name[:SHOWN])
    return None


def archive_problem(members: list[zipfile.ZipInfo]) -> MemberProblem | None:
    """Why these members cannot all be unpacked side by side, or None."""
    files: set[str] = set()
    folders: set[str] = set()
    for member in members:
        name = member.filename.rstrip("/")
        parts = PurePosixPath(name).parts
        if len(name.encode()) > LONGEST_PATH or any(len(p.encode()) > LONGEST_PART for p in parts):
            return MemberProblem("name too long to unpack", "a", name[:SHOWN])
        prefixes = {"/".join(parts[:i]) for i in range(1, len(parts))}
        if member.is_dir():
            prefixes.add(name)
        elif name in files:
            return MemberProblem("name given twice", "a", name[:SHOWN])
        else:
            files.add(name)
        folders |= prefixes
    clash = sorted(files & folders)
    return MemberProblem("file that is also a folder", "a", clash[0][:SHOWN]) if clash else None

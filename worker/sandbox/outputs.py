"""The host side of /output: handing it to the sandbox uid, measuring it, taking it back.

Everything here treats the directory as hostile: it is walked without following
symlinks, and sizes are counted so that sparse files and swarms of empty files
both count (a file costs its apparent size or its blocks, whichever is more,
and at least one entry).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

# More entries than this is an output limit too: a million empty files is a
# disk full of inodes and a grader that never ends.
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Usage:
    bytes: int
    entries: int

    def over(self, *, max_bytes: int, max_entries: int = MAX_ENTRIES) -> bool:
        return self.bytes > max_bytes or self.entries > max_entries


def usage(top: Path, *, stop_above: int, max_entries: int = MAX_ENTRIES) -> Usage:
    """Bytes and entries under ``top``; stops counting once either is over its cap."""
    total = entries = 0
    stack = [str(top)]
    while stack:
        with contextlib.suppress(OSError), os.scandir(stack.pop()) as listing:
            for entry in listing:
                entries += 1
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    total += max(info.st_size, info.st_blocks * 512)
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                if total > stop_above or entries > max_entries:
                    return Usage(total, entries)
    return Usage(total, entries)


@dataclass(frozen=True)
class Owner:
    uid: int
    gid: int
    mode: int


def hand_over(top: Path, *, uid: int, gid: int) -> Owner:
    """Make ``top`` (and anything already in it) the sandbox uid's; return who had it."""
    info = top.lstat()
    _chown_tree(top, uid, gid)
    top.chmod(0o700)  # the sandbox uid's and root's only
    return Owner(uid=info.st_uid, gid=info.st_gid, mode=info.st_mode & 0o7777)


def take_back(top: Path, *, owner: Owner) -> None:
    """Give everything under ``top`` back to its owner."""
    _chown_tree(top, owner.uid, owner.gid)
    top.chmod(owner.mode)


def _chown_tree(top: Path, uid: int, gid: int) -> None:
    # Links are changed, never followed: the tree was written by the sandbox.
    for root, dirs, files in os.walk(top, followlinks=False):
        for name in dirs + files:
            with contextlib.suppress(OSError):
                os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)
    os.chown(top, uid, gid, follow_symlinks=False)

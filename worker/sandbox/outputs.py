"""The host side of /output: handing it to the sandbox uid, measuring it, taking it back.

Everything here treats the directory as hostile: it is walked without following
symlinks, and sizes are counted so that sparse files and swarms of empty files
both count (a file costs its apparent size or its blocks, whichever is more,
and at least one entry).

Walks go through directory file descriptors (``openat`` with ``O_NOFOLLOW``),
never through joined paths: a program that nests directories with long names
past PATH_MAX would otherwise hide whole files from the count (every lookup
fails with ENAMETOOLONG), and Python's recursive ``os.walk``/``shutil.rmtree``
die of RecursionError on a few thousand nested folders. Nesting is capped
(``MAX_DEPTH``): deeper is an output limit, and after the run whatever lies
below the cap is removed, so the grader and the worker's cleanup only ever
meet a shallow tree.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# More entries than this is an output limit too: a million empty files is a
# disk full of inodes and a grader that never ends.
MAX_ENTRIES = 10_000
# Folders nested deeper than this under /output are an output limit: nobody
# needs them, and deep trees break tools that recurse (and PATH_MAX).
MAX_DEPTH = 32
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class Usage:
    bytes: int
    entries: int
    too_deep: bool = False

    def over(self, *, max_bytes: int, max_entries: int = MAX_ENTRIES) -> bool:
        return self.bytes > max_bytes or self.entries > max_entries or self.too_deep


def usage(top: Path, *, stop_above: int, max_entries: int = MAX_ENTRIES) -> Usage:
    """Bytes and entries under ``top``; stops counting once either is over its cap."""
    total = entries = 0
    for _, _, info, depth in _entries(top):
        entries += 1
        total += max(info.st_size, info.st_blocks * 512)
        if depth > MAX_DEPTH:
            return Usage(total, entries, too_deep=True)
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
    """Give everything under ``top`` back to its owner, once nothing of the run is left.

    What is nested deeper than MAX_DEPTH is removed first (the run was an output
    limit anyway), so that nothing after us has to walk it.
    """
    prune(top)
    _chown_tree(top, owner.uid, owner.gid)
    top.chmod(owner.mode)


def prune(top: Path) -> None:
    """Remove whatever lies deeper than MAX_DEPTH under ``top`` (the tree must be quiescent)."""
    for directory_fd, name, info, depth in _entries(top):
        if depth == MAX_DEPTH and stat.S_ISDIR(info.st_mode):
            with contextlib.suppress(OSError):
                _empty_directory(directory_fd, name)


def _chown_tree(top: Path, uid: int, gid: int) -> None:
    # Links are changed, never followed: the tree was written by the sandbox.
    for directory_fd, name, _, _ in _entries(top):
        with contextlib.suppress(OSError):
            os.chown(name, uid, gid, dir_fd=directory_fd, follow_symlinks=False)
    os.chown(top, uid, gid, follow_symlinks=False)


def copy_out(top: Path, target: Path, *, max_bytes: int) -> None:
    """Copy the folders and regular files under ``top`` into ``target``, up to ``max_bytes``.

    What the run made of links, devices, fifos and modes stays behind: the copy
    holds plain folders (0755) and files (0644) of the worker's. Anything over
    the limit is not copied (the run is an output limit then anyway).
    """
    copied = 0
    for directory_fd, name, info, depth, parents in _entries_at(top):
        if depth > MAX_DEPTH:
            continue
        destination = target.joinpath(*parents, name)
        with contextlib.suppress(OSError):  # e.g. a path past PATH_MAX: left behind
            if stat.S_ISDIR(info.st_mode):
                destination.mkdir(mode=0o755, exist_ok=True)
            elif stat.S_ISREG(info.st_mode) and copied + info.st_size <= max_bytes:
                copied += info.st_size
                _copy_file(directory_fd, name, destination)


def _copy_file(directory_fd: int, name: str, destination: Path) -> None:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    source = os.open(name, flags, dir_fd=directory_fd)
    with os.fdopen(source, "rb") as reader, destination.open("xb") as writer:
        shutil.copyfileobj(reader, writer, 1024 * 1024)
    destination.chmod(0o644)


def _entries(top: Path) -> Iterator[tuple[int, str, os.stat_result, int]]:
    for directory_fd, name, info, depth, _ in _entries_at(top):
        yield directory_fd, name, info, depth


def _entries_at(top: Path) -> Iterator[tuple[int, str, os.stat_result, int, tuple[str, ...]]]:
    """(fd of its folder, name, lstat, depth, its folder's path under ``top``) of
    everything under ``top``, depth first.

    Descends at most MAX_DEPTH + 1 levels (so that too deep is seen, never walked),
    holding one descriptor per level. A folder swapped for a link meanwhile is
    not entered (O_NOFOLLOW); entries that vanish are skipped.
    """
    try:
        root = os.open(top, _DIR_FLAGS)
    except OSError:
        return
    stack: list[tuple[int, Iterator[os.DirEntry[str]], tuple[str, ...]]] = []
    try:
        stack.append((root, _listing(root), ()))
        while stack:
            directory_fd, listing, parents = stack[-1]
            entry = next(listing, None)
            if entry is None:
                os.close(stack.pop()[0])
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            depth = len(stack)
            yield directory_fd, entry.name, info, depth, parents
            if stat.S_ISDIR(info.st_mode) and depth <= MAX_DEPTH:
                child = _open_directory(directory_fd, entry.name)
                if child is not None:
                    stack.append((child, _listing(child), (*parents, entry.name)))
    finally:
        for directory_fd, _, _ in stack:
            os.close(directory_fd)


def _listing(directory_fd: int) -> Iterator[os.DirEntry[str]]:
    # Listed whole, then closed: one descriptor per level, whatever the width.
    try:
        with os.scandir(directory_fd) as listing:
            entries = list(listing)
    except OSError:
        entries = []
    return iter(entries)


def _open_directory(parent_fd: int, name: str) -> int | None:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except OSError:
        return None


def _empty_directory(parent_fd: int, name: str) -> None:
    """Remove everything inside ``name`` (under ``parent_fd``), however deep.

    Iterative, with a single descriptor at a time: it climbs back through ".."
    (safe because the tree is quiescent and made of plain folders), so depth
    costs neither Python frames nor file descriptors.
    """
    current = _open_directory(parent_fd, name)
    if current is None:
        return
    pending: list[list[str]] = [_clear_files(current)]  # per level: subfolders left
    try:
        while pending:
            if pending[-1]:
                child = _open_directory(current, pending[-1][-1])
                if child is None:
                    pending[-1].pop()
                    continue
                os.close(current)
                current = child
                pending.append(_clear_files(current))
                continue
            pending.pop()
            if not pending:
                break
            parent = os.open("..", _DIR_FLAGS, dir_fd=current)
            os.close(current)
            current = parent
            with contextlib.suppress(OSError):
                os.rmdir(pending[-1].pop(), dir_fd=current)
    finally:
        os.close(current)


def _clear_files(directory_fd: int) -> list[str]:
    """Unlink every non-folder in the folder; return the names of its subfolders."""
    folders: list[str] = []
    for entry in _listing(directory_fd):
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
            if not is_folder:
                os.unlink(entry.name, dir_fd=directory_fd)
        except OSError:
            continue
        if is_folder:
            folders.append(entry.name)
    return folders

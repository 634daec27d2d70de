"""The run's log: stdout and stderr of the sandbox, appended to one host file.

A file, not a pipe: a pipe fills when its reader is slow and then blocks the
program (a time limit that is our fault), and reading it into memory lets a
flood exhaust the worker. The sandbox writes the file directly (O_APPEND), so
RLIMIT_FSIZE bounds it; while it runs the monitor trims it, so a program that
prints forever neither fills the disk nor loses its first or its final lines.

What is kept is the log's head (its first quarter of ``log_bytes``: how the run
began, e.g. a training loop's first iterations) and its end (the rest: the last
epochs, the traceback), with one line between them saying how many bytes were
left out (``MARKER``). Trimming cuts the middle out, after the head's blocks:
in one step where the filesystem can (``fallocate(FALLOC_FL_COLLAPSE_RANGE)``:
ext4, xfs), atomically with respect to the program's appends. On tmpfs (the
run's own disk, disk.py) it punches the middle out instead, as atomic, while the
file's size is far from RLIMIT_FSIZE. Otherwise it copies the end back after the
head and truncates, and lines printed during that instant may be lost or land
before the kept end: under load that instant stretched enough for a flood's last
line (the one that matters) to fall out of the end, so the atomic ways come first.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from pathlib import Path

# The line between the kept head and end; MARKER_ROOM bytes are set aside for it.
MARKER = "\n[... {count} bytes of the log left out here ...]\n"
MARKER_ROOM = 80
HEAD_SHARE = 4  # the head is a quarter of what is kept
_FALLOC_FL_KEEP_SIZE = 0x01
_FALLOC_FL_PUNCH_HOLE = 0x02
_FALLOC_FL_COLLAPSE_RANGE = 0x08
_libc = ctypes.CDLL(None, use_errno=True)
_libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]


def shares(log_bytes: int) -> tuple[int, int]:
    """(head, end): the bytes of each kept of a log kept in ``log_bytes``. A log
    kept in less than 1 KiB keeps its end only."""
    head = log_bytes // HEAD_SHARE if log_bytes >= 1024 else 0
    return head, max(0, log_bytes - head - MARKER_ROOM)


def marker(left_out: int, *, at_least: bool = False) -> str:
    count = f"{'at least ' if at_least else ''}{left_out:,}"
    return MARKER.format(count=count)


def kept_text(head: bytes, end: bytes, *, left_out: int, at_least: bool = False) -> str:
    """Head, the line saying how much was left out (when anything was), and end."""
    if left_out <= 0 and not at_least:
        return decode(head + end)
    return decode(head).rstrip("\n") + marker(left_out, at_least=at_least) + decode(end)


def keep_ends(raw: bytes, *, keep: int) -> str:
    """A whole log (``raw``) as kept in ``keep`` bytes: its head and its end."""
    if len(raw) <= keep:
        return decode(raw)
    head, end = shares(keep)
    return kept_text(raw[:head], raw[len(raw) - end :], left_out=len(raw) - head - end)


def open_log(path: Path) -> int:
    """Create the log, readable by the worker only; the fd is the sandbox's stdout/err."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)


def size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def allocated(path: Path) -> int:
    """Bytes of storage the log holds (after a punched middle, less than its size)."""
    try:
        return path.stat().st_blocks * 512
    except FileNotFoundError:
        return 0


@dataclass
class RunLog:
    """One run's log file: trimmed in its middle while it runs, read as head and end.

    ``cut_out`` counts the bytes taken out of the file (collapsed, or copied over
    and truncated; a punched middle keeps the file's size): the program printed
    ``size + cut_out`` bytes in all."""

    path: Path
    keep: int  # Limits.log_bytes
    size_limit: int  # the program's RLIMIT_FSIZE
    cut_out: int = 0
    # Seen at a trim: the program's writes to the log were failing (EFBIG at the
    # size limit, ENOSPC on a full run disk). Kept, because the cut that follows
    # takes the evidence away (a truncated size, freed blocks) before the
    # program, failing, has exited and its end is judged.
    overflowed: bool = False

    def trim(self) -> None:
        """Cut the middle out, keeping the head and about the last bytes."""
        head, end = shares(self.keep)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
        try:
            self.overflowed = self.overflowed or _writes_fail(fd, self.size_limit)
            collapsed = _collapse_middle(fd, head=head, end=end)
            if collapsed is not None:
                self.cut_out += collapsed
            elif not _punch_middle(fd, head=head, end=end, size_limit=self.size_limit):
                self.cut_out += _copy_end_after_head(fd, head=head, end=end)
        finally:
            os.close(fd)

    def read(self) -> str:
        """The log as it stands: whole, or its head, the line saying how much was
        left out, and its end (never the punched middle's zeros)."""
        head, end = shares(self.keep)
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return ""
        try:
            now = os.fstat(fd).st_size
            if self.cut_out == 0 and now <= self.keep:
                return decode(os.pread(fd, now, 0))
            end = min(end, max(0, now - head))
            left_out = now + self.cut_out - head - end
            return kept_text(os.pread(fd, head, 0), os.pread(fd, end, now - end), left_out=left_out)
        finally:
            os.close(fd)


def _writes_fail(fd: int, size_limit: int) -> bool:
    """Whether an append to the log fails now: at its size limit, or no disk left."""
    return os.fstat(fd).st_size >= size_limit or os.fstatvfs(fd).f_bavail == 0


def _round_up(value: int, unit: int) -> int:
    return -(-value // unit) * unit


def _collapse_middle(fd: int, *, head: int, end: int) -> int | None:
    """Drop whole blocks after the head's, keeping at least ``end`` bytes after
    them: the bytes dropped, or None where the filesystem cannot (tmpfs: EOPNOTSUPP).

    The range must be block-aligned and end before the end of the file, so up to
    a block more than ``end`` stays."""
    block = os.fstatvfs(fd).f_bsize
    start = _round_up(head, block)
    drop = (os.fstat(fd).st_size - end - start) // block * block
    if drop <= 0:
        return 0  # nothing whole to drop
    if _libc.fallocate(fd, _FALLOC_FL_COLLAPSE_RANGE, start, drop) != 0:
        return None
    return drop


def _punch_middle(fd: int, *, head: int, end: int, size_limit: int) -> bool:
    """Free the pages between the head's and the last ``end`` bytes (tmpfs, the run's disk).

    Atomic with respect to appends like a collapse, but the file keeps its size
    (its middle reads as zeros), so only while that is far from ``size_limit``.
    """
    now = os.fstat(fd).st_size
    if now > size_limit // 2:
        return False
    page = os.sysconf("SC_PAGE_SIZE")
    start = _round_up(head, page)
    stop = (now - end) // page * page
    if stop <= start:
        return True
    flags = _FALLOC_FL_PUNCH_HOLE | _FALLOC_FL_KEEP_SIZE
    return bool(_libc.fallocate(fd, flags, start, stop - start) == 0)


def _copy_end_after_head(fd: int, *, head: int, end: int) -> int:
    """Copy the last ``end`` bytes to just after the head and truncate there; the
    bytes taken out of the file."""
    now = os.fstat(fd).st_size
    if now <= head + end:
        return 0
    kept = os.pread(fd, end, now - end)
    os.ftruncate(fd, head)
    os.write(fd, kept)  # O_APPEND: right after the head
    return now - head - len(kept)


def read_tail(path: Path, *, keep: int) -> str:
    """The last ``keep`` bytes, decoded leniently: a program may print any bytes."""
    try:
        with open(path, "rb") as log:
            log.seek(max(0, size(path) - keep))
            return decode(log.read(keep))
    except FileNotFoundError:
        return ""


def decode(raw: bytes) -> str:
    """Text any database stores: invalid UTF-8 and NUL characters become U+FFFD.

    PostgreSQL refuses NUL in text: a program printing one would otherwise make
    saving its own verdict fail, a platform error retried and never charged.
    """
    return raw.decode("utf-8", errors="replace").replace("\x00", "\ufffd")

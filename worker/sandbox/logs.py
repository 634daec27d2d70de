"""The run's log: stdout and stderr of the sandbox, appended to one host file.

A file, not a pipe: a pipe fills when its reader is slow and then blocks the
program (a time limit that is our fault), and reading it into memory lets a
flood exhaust the worker. The sandbox writes the file directly (O_APPEND), so
RLIMIT_FSIZE bounds it; while it runs the monitor trims it to its last bytes, so
a program that prints forever neither fills the disk nor loses its final lines.

Trimming drops the head of the file in one step where the filesystem can
(``fallocate(FALLOC_FL_COLLAPSE_RANGE)``: ext4, xfs), atomically with respect to
the program's appends. On tmpfs (the run's own disk, disk.py) it punches the
head out instead, as atomic, while the file's size is far from RLIMIT_FSIZE.
Otherwise it copies the tail and truncates, and
lines printed during that instant may be lost or land before the kept tail:
under load that instant stretched enough for a flood's last line (the one that
matters) to fall out of the tail, so the atomic way is tried first.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

TRIM_NOTICE = b"\n[... earlier output dropped: the log keeps only its end ...]\n"
_FALLOC_FL_KEEP_SIZE = 0x01
_FALLOC_FL_PUNCH_HOLE = 0x02
_FALLOC_FL_COLLAPSE_RANGE = 0x08
_libc = ctypes.CDLL(None, use_errno=True)
_libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]


def open_log(path: Path) -> int:
    """Create the log, readable by the worker only; the fd is the sandbox's stdout/err."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)


def size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def allocated(path: Path) -> int:
    """Bytes of storage the log holds (after a punched head, less than its size)."""
    try:
        return path.stat().st_blocks * 512
    except FileNotFoundError:
        return 0


def trim(path: Path, *, keep: int, size_limit: int) -> None:
    """Cut the log down to about its last ``keep`` bytes (the program keeps appending).

    ``size_limit`` is the program's RLIMIT_FSIZE: a log punched instead of
    collapsed keeps its size, so it is copied and truncated before it nears that.
    """
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
    try:
        if not _collapse_head(fd, keep=keep) and not _punch_head(fd, keep, size_limit):
            end = os.fstat(fd).st_size
            tail = os.pread(fd, keep, max(0, end - keep))
            os.ftruncate(fd, 0)
            os.write(fd, TRIM_NOTICE + tail)
    finally:
        os.close(fd)


def _collapse_head(fd: int, *, keep: int) -> bool:
    """Drop whole blocks from the start, keeping at least ``keep`` bytes; False if unsupported.

    The range must be block-aligned and end before the end of the file, so up to
    a block more than ``keep`` stays.
    """
    block = os.fstatvfs(fd).f_bsize
    drop = (os.fstat(fd).st_size - keep) // block * block
    if drop <= 0:
        return True  # nothing whole to drop
    # Any failure (tmpfs: EOPNOTSUPP) means: copy and truncate instead.
    return bool(_libc.fallocate(fd, _FALLOC_FL_COLLAPSE_RANGE, 0, drop) == 0)


def _punch_head(fd: int, keep: int, size_limit: int) -> bool:
    """Free the blocks before the last ``keep`` bytes (tmpfs, the run's own disk).

    Atomic with respect to appends like a collapse, but the file keeps its size
    (its head reads as zeros), so only while that is far from ``size_limit``.
    """
    end = os.fstat(fd).st_size
    if end > size_limit // 2:
        return False
    page = os.sysconf("SC_PAGE_SIZE")
    drop = (end - keep) // page * page
    if drop <= 0:
        return True
    flags = _FALLOC_FL_PUNCH_HOLE | _FALLOC_FL_KEEP_SIZE
    return bool(_libc.fallocate(fd, flags, 0, drop) == 0)


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

"""A run's own disk: its /output and its log on a tmpfs mounted for the run alone.

Counting files by their size let a program take disk without growing any:
``fallocate(FALLOC_FL_KEEP_SIZE)`` on its stdout took 3 GiB in 7 ms, and a fast
writer filled much more than its output limit between two polls. On a tmpfs
mounted with ``size=`` and ``nr_inodes=``, every block and inode any syscall
allocates counts against the run's own cap, and the pages are charged to the
memory cgroup of the process that wrote them: the run's. Chosen over a
loop-mounted image (an mkfs and a file of the full size per run) and project
quotas (they need the worker's filesystem mounted with ``prjquota``, which a
worker cannot assume).

Mounting needs CAP_SYS_ADMIN (a root worker). Without it the run gets a plain
folder and its disk is bounded only by polling, as the worker says once in its
log. After the run, what /output holds is copied out (folders and regular files
only, within the output limit) to where the grader reads it, and the tmpfs is
unmounted: nothing of the run stays on the worker's disk.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import dataclasses
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from worker.sandbox import launch, outputs
from worker.sandbox.base import SandboxSpec

logger = logging.getLogger(__name__)

_MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 0x2, 0x4, 0x8
_MNT_DETACH = 0x2
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
# Inodes beyond /output's entry cap: the log, the folder itself, a margin.
_SPARE_INODES = 16
_warned = False
# Removes unmounted run disks' folders off the run's path (joined at exit); one
# per process: a forked worker child does not inherit its parent's thread.
_cleanups: dict[int, concurrent.futures.ThreadPoolExecutor] = {}


@dataclass(frozen=True)
class RunDisk:
    root: Path
    bounded: bool  # a tmpfs of the run's own; False: a plain folder on the worker's disk

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def log(self) -> Path:
        return self.root / "log"

    def full(self) -> bool:
        """Whether the run has used up its disk (its next write fails with ENOSPC)."""
        if not self.bounded:
            return False
        try:
            info = os.statvfs(self.root)
        except OSError:
            return False
        return info.f_bavail == 0 or info.f_favail == 0


def on_own_disk(
    spec: SandboxSpec,
    stack: contextlib.ExitStack,
    *,
    mount: bool = True,
    parent: Path | None = None,
) -> tuple[SandboxSpec, RunDisk]:
    """The spec with /output on a disk of the run's own, copied out when ``stack`` ends.

    Entered before anything that writes there, so it is unmounted last: the copy
    runs once the run's processes are gone and /output is the worker's again.
    """
    limits = spec.limits
    size = limits.output_bytes + launch.LOG_ROOM  # the log between two trims, beside /output
    own = stack.enter_context(run_disk(size_bytes=size, parent=parent, mount=mount))
    stack.callback(outputs.copy_out, own.output, spec.output_dir, max_bytes=limits.output_bytes)
    return dataclasses.replace(spec, output_dir=own.output), own


@contextlib.contextmanager
def run_disk(
    *, size_bytes: int, parent: Path | None = None, mount: bool = True
) -> Iterator[RunDisk]:
    """A fresh disk of ``size_bytes`` for one run (its log, and an empty output/),
    in ``parent`` (the system's temporary folder by default); ``mount=False``: a
    plain folder."""
    root = Path(tempfile.mkdtemp(prefix="milestones-disk-", dir=parent))
    inodes = outputs.MAX_ENTRIES + _SPARE_INODES
    bounded = mount and _mount_tmpfs(root, size_bytes=size_bytes, inodes=inodes)
    try:
        root.chmod(0o711)  # the run's uid only passes through, to its output/
        (root / "output").mkdir(mode=0o755)
        yield RunDisk(root=root, bounded=bounded)
    finally:
        if bounded:
            _unmount(root)  # its pages are freed with it
            # The empty mount point's rmdir waits out an RCU grace period after
            # the unmount (3 ms of every run here); nothing needs it gone first.
            _cleanup().submit(_remove_mount_point, root)
        else:
            shutil.rmtree(root, ignore_errors=True)


def _unmount(root: Path) -> None:
    if _libc.umount2(os.fsencode(root), _MNT_DETACH) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"cannot unmount a run's disk: {os.strerror(error)}", str(root))


def _cleanup() -> concurrent.futures.ThreadPoolExecutor:
    pid = os.getpid()
    if pid not in _cleanups:
        _cleanups[pid] = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="run-disk")
    return _cleanups[pid]


def _remove_mount_point(root: Path) -> None:
    try:
        root.rmdir()
    except OSError as exc:  # an empty folder left in the temporary folder, said
        logger.warning("cannot remove a run's unmounted disk folder %s: %s", root, exc)


def _mount_tmpfs(target: Path, *, size_bytes: int, inodes: int) -> bool:
    global _warned
    options = f"size={size_bytes},nr_inodes={inodes},mode=0711".encode()
    flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    if _libc.mount(b"tmpfs", os.fsencode(target), b"tmpfs", flags, options) == 0:
        return True
    if not _warned:
        _warned = True
        reason = os.strerror(ctypes.get_errno())
        logger.warning("cannot mount a run's own disk (%s): disk is bounded by polling", reason)
    return False

"""Host uids for sandboxed runs: one per concurrent run, and the sweep that uses it.

When the worker is root, each run drops to a host uid of its own (uid_base +
slot). Distinct uids matter: RLIMIT_NPROC counts every process of a uid, so two
runs sharing one would share a process budget, and "kill every process of this
uid" is only a safe sweep when the uid belongs to this run alone. A slot is an
flock on a file: the kernel releases it if the worker dies, so slots never leak.

A free slot whose uid still has zombies is passed over while another is clean:
the kernel counts a zombie against RLIMIT_NPROC until it is reaped, and the
sandbox's init, orphaned when a run is killed, is reaped by the host's pid 1,
which may take its time (seconds here). A run reusing that uid at once would
start with part of its process budget spent (a fork failing with EAGAIN).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from worker.sandbox.cgroups import KILL_PATIENCE_SECONDS

MAX_SLOTS = 256

logger = logging.getLogger(__name__)


class NoFreeSlot(RuntimeError):
    pass


@dataclass(frozen=True)
class Identity:
    """Who the sandbox runs as on the host; ``dedicated`` when the uid is the run's own."""

    uid: int
    gid: int
    dedicated: bool


@contextlib.contextmanager
def run_identity(*, lock_dir: Path, uid_base: int) -> Iterator[Identity]:
    """A dedicated uid when we are root; ourselves (no uid drop possible) otherwise."""
    if os.geteuid() != 0:
        yield Identity(uid=os.getuid(), gid=os.getgid(), dedicated=False)
        return
    with _slot(lock_dir, clean=lambda slot: not zombies_of(uid_base + slot)) as slot:
        uid = uid_base + slot
        # A worker that died mid-run may have left processes of this uid behind;
        # they would count against RLIMIT_NPROC and must not meet the next run.
        kill_processes_of(uid)
        yield Identity(uid=uid, gid=uid, dedicated=True)


@contextlib.contextmanager
def _slot(lock_dir: Path, *, clean: Callable[[int], bool]) -> Iterator[int]:
    """The first free slot that is ``clean``, else the first free one.

    ``clean`` is asked while the slot is locked: its uid's processes can then
    only be left from runs that held it before.
    """
    lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for only_clean in (True, False):
        for slot in range(MAX_SLOTS):
            fd = try_lock(lock_dir / f"slot-{slot}.lock")
            if fd is None:
                continue
            if only_clean and not clean(slot):
                os.close(fd)
                continue
            if not only_clean:
                logger.warning("every free sandbox uid has zombies; the run shares their count")
            try:
                yield slot
            finally:
                os.close(fd)  # closing releases the flock
            return
    raise NoFreeSlot(f"all {MAX_SLOTS} sandbox uid slots in {lock_dir} are taken")


def try_lock(path: Path) -> int | None:
    """An fd holding the flock on ``path``; None when someone else holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def processes_of(uid: int) -> list[int]:
    """Live pids with ``uid`` as their real, effective, saved or filesystem uid.

    Read from /proc/PID/status, not the owner of /proc/PID: a process that makes
    itself non-dumpable shows /proc/PID as root's and would hide from a sweep.
    Zombies are skipped: they are dead already, only waiting for their parent
    (the sandbox's init is often one for a moment, reparented to the host's).
    """
    return _pids_of(uid, zombie=False)


def zombies_of(uid: int) -> list[int]:
    """Pids of zombies with ``uid``: dead, yet counted against its RLIMIT_NPROC."""
    return _pids_of(uid, zombie=True)


def _pids_of(uid: int, *, zombie: bool) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and uid in _uids(entry.name, zombie=zombie):
            found.append(int(entry.name))
    return found


def _uids(pid: str, *, zombie: bool) -> set[int]:
    """The uids of ``pid`` if it is a zombie (``zombie``) or a live process (not)."""
    # Bytes and a single read: this runs for every process of the host twice a
    # run, and parsing text line by line was a good part of a trivial run's cost.
    try:
        fd = os.open(f"/proc/{pid}/status", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return set()
    try:
        status = os.read(fd, 8192)
    except OSError:
        return set()
    finally:
        os.close(fd)
    state = status.find(b"\nState:\t")
    if (state >= 0 and status[state + 8 : state + 9] == b"Z") != zombie:
        return set()
    start = status.find(b"\nUid:\t")
    if start < 0:
        return set()
    end = status.find(b"\n", start + 1)
    return {int(value) for value in status[start + 6 : end if end >= 0 else None].split()}


def kill_processes_of(uid: int, *, patience: float = KILL_PATIENCE_SECONDS) -> bool:
    """SIGKILL every process of ``uid`` until none is left; True if none is.

    Patient for the same reason as ``RunCgroups.kill_all``: a killed process
    stuck in an uninterruptible call is gone only once the call returns.
    """
    deadline, pause = time.monotonic() + patience, 0.001
    while True:
        pids = processes_of(uid)
        if not pids:
            return True
        if time.monotonic() > deadline:
            return False
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(pause)
        pause = min(2 * pause, 0.05)

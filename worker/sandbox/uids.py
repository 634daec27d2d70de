"""Host uids for sandboxed runs: one per concurrent run, and the sweep that uses it.

When the worker is root, each run drops to a host uid of its own (uid_base +
slot). Distinct uids matter: RLIMIT_NPROC counts every process of a uid, so two
runs sharing one would share a process budget, and "kill every process of this
uid" is only a safe sweep when the uid belongs to this run alone. A slot is an
flock on a file: the kernel releases it if the worker dies, so slots never leak.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from worker.sandbox.cgroups import KILL_PATIENCE_SECONDS

MAX_SLOTS = 256


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
    with _slot(lock_dir) as slot:
        uid = uid_base + slot
        # A worker that died mid-run may have left processes of this uid behind;
        # they would count against RLIMIT_NPROC and must not meet the next run.
        kill_processes_of(uid)
        yield Identity(uid=uid, gid=uid, dedicated=True)


@contextlib.contextmanager
def _slot(lock_dir: Path) -> Iterator[int]:
    lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for slot in range(MAX_SLOTS):
        fd = os.open(lock_dir / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield slot
        finally:
            os.close(fd)  # closing releases the flock
        return
    raise NoFreeSlot(f"all {MAX_SLOTS} sandbox uid slots in {lock_dir} are taken")


def processes_of(uid: int) -> list[int]:
    """Live pids with ``uid`` as their real, effective, saved or filesystem uid.

    Read from /proc/PID/status, not the owner of /proc/PID: a process that makes
    itself non-dumpable shows /proc/PID as root's and would hide from a sweep.
    Zombies are skipped: they are dead already, only waiting for their parent
    (the sandbox's init is often one for a moment, reparented to the host's).
    """
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and uid in _live_uids(entry.name):
            found.append(int(entry.name))
    return found


def _live_uids(pid: str) -> set[int]:
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
    if state >= 0 and status[state + 8 : state + 9] == b"Z":
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

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
import platform
import re
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from worker.sandbox.cgroups import KILL_PATIENCE_SECONDS

MAX_SLOTS = 256
# Whether /proc/PID is owned by the process's effective uid whatever its
# dumpable flag (see _owner); before 4.11 a non-dumpable one showed as root's.
_OWNER_IS_EUID = tuple(int(part) for part in re.findall(r"\d+", platform.release())[:2]) >= (4, 11)

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
    # One pass over /proc for every slot's uid (a pass per slot was most of a
    # trivial run's cost): which uids have zombies, which live processes.
    seen = _processes_by_uid(range(uid_base, uid_base + MAX_SLOTS))
    with _slot(lock_dir, clean=lambda slot: not seen[uid_base + slot].zombies) as slot:
        uid = uid_base + slot
        # A worker that died mid-run may have left processes of this uid behind;
        # they would count against RLIMIT_NPROC and must not meet the next run.
        # Processes of a uid exist only while its slot is locked, unless such a
        # worker left them: then they are still there, and the pass saw them.
        if seen[uid].live:
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

    Read from /proc/PID/status, not from the owner of the files in /proc/PID: a
    process that makes itself non-dumpable shows those as root's and would hide
    from a sweep. Zombies are skipped: they are dead already, only waiting for
    their parent (the sandbox's init is often one for a moment, reparented to
    the host's).
    """
    return _pids_of(uid, zombie=False)


def zombies_of(uid: int) -> list[int]:
    """Pids of zombies with ``uid``: dead, yet counted against its RLIMIT_NPROC."""
    return _pids_of(uid, zombie=True)


def _pids_of(uid: int, *, zombie: bool) -> list[int]:
    found = _processes_by_uid(range(uid, uid + 1))[uid]
    return found.zombies if zombie else found.live


@dataclass
class _Pids:
    live: list[int] = field(default_factory=list)
    zombies: list[int] = field(default_factory=list)


def _processes_by_uid(uids: range) -> dict[int, _Pids]:
    """Live and zombie pids of each uid in ``uids``, in one pass over /proc."""
    found = {uid: _Pids() for uid in uids}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        if _OWNER_IS_EUID and _owner(entry) not in found:
            continue
        zombie, ids = _status(entry.name)
        for uid in ids:
            if uid in found:
                pids = found[uid].zombies if zombie else found[uid].live
                if not pids or pids[-1] != int(entry.name):
                    pids.append(int(entry.name))
    return found


def _owner(entry: os.DirEntry[str]) -> int | None:
    """The effective uid of the process /proc/PID (``entry``) is, by its owner.

    A stat, where reading every process's status was most of the pass's cost.
    The folder itself (unlike the files in it) shows the effective uid even for
    a non-dumpable process or a zombie (Linux 4.11 on; older kernels read every
    status; tests/worker/sandbox/test_uids.py checks it). Every process of a run's uid has all four uids equal
    to it: the launcher sets them at once (setresuid), and inside the sandbox no
    other uid is mapped to change to. Status, read for those only, says the rest.
    """
    try:
        return entry.stat(follow_symlinks=False).st_uid
    except OSError:
        return None  # gone meanwhile


def _status(pid: str) -> tuple[bool, set[int]]:
    """Whether ``pid`` is a zombie, and its real, effective, saved and fs uids."""
    # Bytes and a single read: this runs for every process of the host, and
    # parsing text line by line was a good part of a trivial run's cost.
    try:
        fd = os.open(f"/proc/{pid}/status", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False, set()
    try:
        status = os.read(fd, 8192)
    except OSError:
        return False, set()
    finally:
        os.close(fd)
    state = status.find(b"\nState:\t")
    zombie = state >= 0 and status[state + 8 : state + 9] == b"Z"
    start = status.find(b"\nUid:\t")
    if start < 0:
        return zombie, set()
    end = status.find(b"\n", start + 1)
    return zombie, {int(v) for v in status[start + 6 : end if end >= 0 else None].split()}


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

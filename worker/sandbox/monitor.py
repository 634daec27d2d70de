"""The loop that watches one running sandbox and stops it when it must.

Every POLL_SECONDS it reaps the sandbox if it ended and enforces the wall clock;
every CHECK_SECONDS it reads CPU time (all processes, from the cgroup) and /output's
size, and sends the warning before a time limit when it is due (warning.py);
every poll, the log's size (trimming the log); without a memory cgroup it also
sums the resident memory of the process tree. About every TICK_SECONDS it calls
the caller's ``tick`` (False cancels the run). Whatever stops the run is
recorded, so the verdict never depends on what the program printed.
"""

from __future__ import annotations

import contextlib
import enum
import os
import resource
import select
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from worker.sandbox import logs, outputs
from worker.sandbox.base import Limits, Tick
from worker.sandbox.cgroups import RunCgroups
from worker.sandbox.warning import Limit, TimeWarning

POLL_SECONDS = 0.05
CHECK_SECONDS = 0.2
TICK_SECONDS = 0.5
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class Stop(enum.Enum):
    """Why the monitor killed the run."""

    WALL = "wall"
    CPU = "cpu"
    MEMORY = "memory"
    OUTPUT = "output"
    CANCELLED = "cancelled"


@dataclass
class Watched:
    pid: int
    limits: Limits
    output_dir: Path
    log: logs.RunLog  # its size_limit is RLIMIT_FSIZE: a log this long has hit the wall
    cgroups: RunCgroups
    tick: Tick | None = None
    disk_full: Callable[[], bool] = lambda: False  # the run's own disk (disk.py) is full
    # Sends the warning (SIGTERM) to the program if it listens; True when sent.
    warn: Callable[[], bool] = lambda: False


@dataclass
class Outcome:
    stop: Stop | None
    wait_status: int
    rusage: resource.struct_rusage
    wall_seconds: float
    peak_rss_bytes: int = 0  # polled; only filled without a memory cgroup
    log_overflowed: bool = False
    warned_of: Limit | None = None  # the warning was sent, before this limit


@dataclass
class _State:
    warning: TimeWarning
    started: float = field(default_factory=time.monotonic)
    next_check: float = 0.0
    next_tick: float = 0.0
    peak_rss_bytes: int = 0
    log_overflowed: bool = False


def watch(watched: Watched, *, kill: Callable[[], None]) -> Outcome:
    """Wait for ``watched.pid`` to end, killing it (``kill``) when a limit is crossed."""
    limits = watched.limits
    state = _State(warning=TimeWarning(limits.wall_seconds, limits.cpu_seconds))
    with _exit_waiter(watched.pid) as wait:
        while True:
            reaped = os.wait4(watched.pid, os.WNOHANG)
            if reaped[0] == watched.pid:
                return _outcome(None, reaped, state)
            stop = _due_stop(watched, state)
            if stop is not None:
                kill()
                return _outcome(stop, os.wait4(watched.pid, 0), state)
            wait(POLL_SECONDS)


@contextlib.contextmanager
def _exit_waiter(pid: int) -> Iterator[Callable[[float], None]]:
    """A sleep that ends early when ``pid`` exits (a pidfd turns readable then).

    Without it a short program would wait up to a whole poll for its end to be
    seen; that was most of the sandbox's cost for a trivial run.
    """
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # kernel < 5.3: plain sleeps
        yield time.sleep
        return

    def wait(seconds: float) -> None:
        select.select([pidfd], [], [], seconds)

    try:
        yield wait
    finally:
        os.close(pidfd)


def _due_stop(watched: Watched, state: _State) -> Stop | None:
    now = time.monotonic()
    if now - state.started > watched.limits.wall_seconds:
        return Stop.WALL
    # Every poll, not every check: a flood fills RLIMIT_FSIZE's 64 MiB in well
    # under CHECK_SECONDS; a stat per poll is cheap.
    _keep_log_short(watched, state)
    if now >= state.next_check:
        state.next_check = now + CHECK_SECONDS
        stop = _check_limits(watched, state)
        if stop is not None:
            return stop
    if watched.tick is not None and now >= state.next_tick:
        state.next_tick = now + TICK_SECONDS
        if not watched.tick():
            return Stop.CANCELLED
    return None


def _check_limits(watched: Watched, state: _State) -> Stop | None:
    limits = watched.limits
    usage = watched.cgroups.usage() if watched.cgroups.enabled else None
    cpu = usage.cpu_seconds if usage is not None else None
    if cpu is not None and cpu > limits.cpu_seconds:
        return Stop.CPU  # summed over every process; RLIMIT_CPU is per process
    _warn_if_due(watched, state, cpu)
    if not watched.cgroups.limits_memory:
        rss = tree_rss_bytes(watched.pid)
        state.peak_rss_bytes = max(state.peak_rss_bytes, rss)
        if rss > limits.memory_bytes:
            return Stop.MEMORY
    written = outputs.usage(watched.output_dir, stop_above=limits.output_bytes)
    if written.over(max_bytes=limits.output_bytes):
        return Stop.OUTPUT
    return None


def _warn_if_due(watched: Watched, state: _State, cpu: float | None) -> None:
    warning = state.warning
    limit = warning.due(wall=time.monotonic() - state.started, cpu=cpu)
    if limit is not None and watched.warn():
        warning.sent = limit


def _keep_log_short(watched: Watched, state: _State) -> None:
    log = watched.log
    if logs.size(log.path) >= log.size_limit or watched.disk_full():
        state.log_overflowed = True  # the program's writes to stdout now fail (EFBIG, ENOSPC)
    if logs.allocated(log.path) > trim_threshold(watched.limits.log_bytes):
        log.trim()
        state.log_overflowed = state.log_overflowed or log.overflowed


def trim_threshold(log_bytes: int) -> int:
    # Trim rarely (each trim may drop the lines written during it), but well
    # before RLIMIT_FSIZE so a fast printer is not cut off.
    return max(4 * log_bytes, 1024 * 1024)


def _outcome(
    stop: Stop | None, reaped: tuple[int, int, resource.struct_rusage], state: _State
) -> Outcome:
    return Outcome(
        stop=stop,
        wait_status=reaped[1],
        rusage=reaped[2],
        wall_seconds=time.monotonic() - state.started,
        peak_rss_bytes=state.peak_rss_bytes,
        log_overflowed=state.log_overflowed,
        warned_of=state.warning.sent,
    )


def tree_rss_bytes(root: int) -> int:
    """Resident memory of ``root`` and all its descendants (the no-cgroup fallback)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)  # field 4: ppid
        rss[pid] = int(fields[21]) * PAGE_SIZE  # field 24: rss in pages
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total

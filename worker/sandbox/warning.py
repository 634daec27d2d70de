"""The warning before a time limit: SIGTERM to the program a fixed time before
its wall-clock or CPU limit, so that it can write its predictions and end.

The rule: 30 s before a limit, or a tenth of the limit when the limit is under
300 s (so 6 s before a 60 s limit, 1 s before a 10 s one). Before the CPU limit
"30 s" is 30 s of the run's wall time at the pace it is using CPU (CPU seconds
per second, over the last second): a run busy on four cores is warned 120 s of
CPU before its CPU limit, so it too has about 30 s to write.

The signal goes to the program's main process (the first process the sandbox's
init started: the one running the entrypoint), never to its children, and only
once it catches SIGTERM: a program that does not listen for it is never sent it
and runs on to its limit exactly as it would without a warning (SIGTERM's default
action would otherwise end it a tenth of its time early). A program that starts
listening after the warning was due is sent it as soon as it does. One warning
per run; the limit it was for is recorded (``SandboxResult.warned_of``).

Each backend finds and signals the main process its own way, by the same rule
(``signal_main``): bubblewrap from the host's /proc (the monitor loop), docker by
running this function's source inside the container (``IN_CONTAINER``).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Literal

Limit = Literal["wall", "cpu"]
WALL: Limit = "wall"
CPU: Limit = "cpu"

MARGIN_SECONDS = 30.0  # how long before a limit of LONG_LIMIT_SECONDS or more
LONG_LIMIT_SECONDS = 300.0
RETRY_SECONDS = 0.5  # how often a due warning is tried again while nobody listens
PACE_WINDOW_SECONDS = 1.0

# What ``signal_main`` returns.
SENT, NOT_LISTENING, NO_PROGRAM = 0, 1, 2


def margin(limit_seconds: float) -> float:
    """How long before a limit of ``limit_seconds`` the warning comes."""
    if limit_seconds >= LONG_LIMIT_SECONDS:
        return MARGIN_SECONDS
    return limit_seconds / 10


@dataclass
class TimeWarning:
    """When one run's warning is due, and whether it was sent (the backend sends it)."""

    wall_limit: float
    cpu_limit: float
    sent: Limit | None = None
    _next_try: float = 0.0
    _mark: tuple[float, float] = (0.0, 0.0)  # (wall, cpu) at the start of the pace window
    _pace: float = 1.0  # CPU seconds per wall second, at least 1

    def due(self, *, wall: float, cpu: float | None) -> Limit | None:
        """The limit to warn of now, if any: at most every RETRY_SECONDS while unsent."""
        if cpu is not None:
            self._follow_pace(wall, cpu)
        if self.sent is not None or wall < self._next_try:
            return None
        limit = self._near(wall, cpu)
        if limit is not None:
            self._next_try = wall + RETRY_SECONDS
        return limit

    def _near(self, wall: float, cpu: float | None) -> Limit | None:
        if wall >= self.wall_limit - margin(self.wall_limit):
            return WALL
        if cpu is not None and cpu >= self.cpu_limit - margin(self.cpu_limit) * self._pace:
            return CPU
        return None

    def _follow_pace(self, wall: float, cpu: float) -> None:
        mark_wall, mark_cpu = self._mark
        if wall - mark_wall >= PACE_WINDOW_SECONDS:
            self._pace = max(1.0, (cpu - mark_cpu) / (wall - mark_wall))
            self._mark = (wall, cpu)


def signal_main(ancestor: int, generations: int = 1, proc: str = "/proc") -> int:
    """SIGTERM to the program's main process, if it catches SIGTERM: the oldest living
    child of ``ancestor`` (the sandbox's init), or of that child for ``generations=2``
    (bwrap's init is the child of the bwrap we started). SENT (0), NOT_LISTENING (1)
    or NO_PROGRAM (2).

    Self-contained (the standard library, imported here): the docker backend runs
    this source inside the container, where init is pid 1. The process is held by
    a pidfd before its status is read, so the pid cannot be another's when signalled.
    """
    import errno
    import os
    import signal

    def candidates(parent: int) -> list[str]:
        try:  # the kernel's list of a thread's children (CONFIG_PROC_CHILDREN)
            with open(f"{proc}/{parent}/task/{parent}/children") as listed:
                return listed.read().split()
        except OSError:
            return [name for name in os.listdir(proc) if name.isdigit()]

    def oldest_child(parent: int) -> int | None:
        oldest: tuple[int, int] | None = None
        for name in candidates(parent):
            try:
                with open(f"{proc}/{name}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue  # gone meanwhile
            if int(fields[1]) == parent:  # field 4: the parent
                started = (int(fields[19]), int(name))  # field 22: its start time
                oldest = started if oldest is None or started < oldest else oldest
        return None if oldest is None else oldest[1]

    pid: int | None = ancestor
    for _ in range(generations):
        pid = oldest_child(pid) if pid is not None else None
    if pid is None:
        return NO_PROGRAM
    handle: int | None = None
    try:
        handle = os.pidfd_open(pid)
    except OSError as exc:
        if exc.errno != errno.ENOSYS:  # a kernel before 5.3: by its pid, as kill(1) does
            return NO_PROGRAM
    try:
        with open(f"{proc}/{pid}/status") as status:
            caught = next((int(ln.split()[1], 16) for ln in status if ln.startswith("SigCgt:")), 0)
        if not caught >> (signal.SIGTERM - 1) & 1:
            return NOT_LISTENING
        if handle is None:
            os.kill(pid, signal.SIGTERM)
        else:
            signal.pidfd_send_signal(handle, signal.SIGTERM)
        return SENT
    except OSError:
        return NO_PROGRAM
    finally:
        if handle is not None:
            os.close(handle)


# A program for ``python -I -c``: the rule above, run inside a container (init is pid 1).
IN_CONTAINER = (
    f"{inspect.getsource(signal_main)}\n"
    f"SENT, NOT_LISTENING, NO_PROGRAM = {SENT}, {NOT_LISTENING}, {NO_PROGRAM}\n"
    "raise SystemExit(signal_main(1))\n"
)

"""From what a backend observed to a Status: one rule set for every backend.

Order matters: what the platform itself did (cancel, its own kills) wins over
what the program's exit looked like, because a killed program's exit code is
only the consequence of the kill.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass

from worker.sandbox.base import Status
from worker.sandbox.warning import CPU, WALL, Limit


@dataclass(frozen=True)
class Observed:
    exit_code: int | None  # None when the program died of a signal
    signal: int | None
    cancelled: bool = False
    time_exceeded: bool = False  # our wall clock, or CPU summed over the cgroup
    stopped_at: Limit | None = None  # which of the two, when time_exceeded
    warned_of: Limit | None = None  # SIGTERM was sent before this limit (warning.py)
    memory_exceeded: bool = False  # an OOM kill in the cgroup, or our RSS poll
    output_exceeded: bool = False  # /output over its cap, or the log hit RLIMIT_FSIZE
    cpu_seconds: float = 0.0
    cpu_limit: float = float("inf")


def decide(seen: Observed) -> Status:
    if seen.cancelled:
        return Status.CANCELLED
    if seen.time_exceeded:
        return Status.TIME_LIMIT
    if seen.output_exceeded:
        return Status.OUTPUT_LIMIT
    clean_exit = seen.exit_code == 0 and seen.signal is None
    if seen.memory_exceeded and not clean_exit:
        return Status.MEMORY_LIMIT
    if seen.signal == signal.SIGXCPU:
        return Status.TIME_LIMIT  # RLIMIT_CPU's soft limit
    if seen.signal == signal.SIGTERM and seen.warned_of is not None:
        return Status.TIME_LIMIT  # its handler of our warning ended it by the signal
    if seen.signal == signal.SIGKILL and seen.cpu_seconds >= seen.cpu_limit:
        return Status.TIME_LIMIT  # RLIMIT_CPU's hard limit
    if seen.signal == signal.SIGXFSZ:
        return Status.OUTPUT_LIMIT  # RLIMIT_FSIZE (Python ignores it; C code may not)
    return Status.OK if clean_exit else Status.CRASHED


def limit_hit(seen: Observed) -> Limit | None:
    """Which time limit ended the run, when its status is TIME_LIMIT."""
    if decide(seen) is not Status.TIME_LIMIT:
        return None
    if seen.time_exceeded:
        return seen.stopped_at or WALL
    if seen.signal == signal.SIGTERM and seen.warned_of is not None:
        return seen.warned_of
    return CPU  # RLIMIT_CPU: SIGXCPU, or its SIGKILL a second later

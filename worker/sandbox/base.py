"""The sandbox contract: ``run(spec) -> result``, the same for every backend.

A backend runs the entrypoint of ``spec.code_dir`` with ``/submission`` (read-only,
the code), ``/data`` (read-only, public data only), ``/output`` (writable, capped)
and ``/tmp`` (writable, capped). The result's status is decided by what the
sandbox observed (exit code, signals, limits it enforced), never by anything the
program printed.
"""

from __future__ import annotations

import enum
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from worker.sandbox.warning import Limit

MiB = 1024 * 1024


class Status(enum.StrEnum):
    OK = "ok"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    CRASHED = "crashed"
    OUTPUT_LIMIT = "output_limit"
    CANCELLED = "cancelled"  # the platform stopped the run (cancel, lost lease)


@dataclass(frozen=True)
class Limits:
    """What one run may use. Every value is the caller's: a challenge's come from
    its ``[limits]`` table, whose defaults and maxima live in ``server.bundles``."""

    wall_seconds: float
    cpu_seconds: float
    memory_bytes: int
    processes: int
    output_bytes: int
    tmp_bytes: int
    # How much of the log is kept (the sandbox's own): its first quarter and its
    # end, with a line saying how much was left out between them (logs.py).
    log_bytes: int = 64 * 1024


@dataclass(frozen=True)
class SandboxSpec:
    code_dir: Path
    data_dir: Path
    output_dir: Path
    runtime: str
    limits: Limits
    entrypoint: str = "main.py"
    gpu: int | None = None  # host GPU index granted to this run, if any
    # Host CPU cores granted to this run: it is pinned to them and gets as many
    # CPUs' worth of time. Empty: unpinned, the backend's default share.
    cpus: tuple[int, ...] = ()
    # MILESTONES_SEED in the program's environment: a seed it may use, recorded
    # with the run, so that the same run can be made again. None: not set.
    seed: int | None = None
    # MILESTONES_DRY_RUN=1 in its environment: a short check on a training sample
    # (server.dry_runs), so that the program may train briefly.
    dry_run: bool = False


@dataclass(frozen=True)
class SandboxResult:
    status: Status
    exit_code: int | None  # None when killed by a signal
    signal: int | None
    wall_seconds: float
    cpu_seconds: float
    peak_memory_bytes: int
    log_tail: str  # the log kept: its head and its end (logs.py), decoded
    # The limit the program was warned of (SIGTERM a little before it: warning.py),
    # if it was; and which limit stopped it, for a TIME_LIMIT status.
    warned_of: Limit | None = None
    limit_hit: Limit | None = None

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


class SandboxUnavailable(RuntimeError):
    """The platform cannot run sandboxes (missing tool, runtime, engine): our fault."""


# Called about every half second while a run is in progress; returning False
# stops the run (status CANCELLED). The worker uses it to heartbeat its lease.
Tick = Callable[[], bool]
# The run's log as it stands now (its kept end), decoded.
LogReader = Callable[[], str]


@dataclass(frozen=True)
class RunSoFar:
    """A running run as it stands: what it has used and its log (for live pages)."""

    cpu_seconds: float | None  # None: not measured by this backend
    memory_bytes: int | None  # its peak so far
    log: LogReader


class Watcher(ABC):
    """A tick that is also shown the run as it goes: the backend calls ``see`` just
    before each tick (``launch.until_finished``). Backends that measure nothing
    only tick it."""

    @abstractmethod
    def __call__(self) -> bool:
        """The tick: False stops the run."""

    @abstractmethod
    def see(self, so_far: RunSoFar) -> None:
        """The run as it stands; must be quick and must not raise."""


class Channel(ABC):
    """The platform's end of an interactive run: it writes the program's stdin and
    reads its stdout. Everything else is as in any run: stderr is the capped log,
    every limit holds, everything is killed at the end, the status is observed.

    A backend given a channel calls ``converse`` in a thread of its own once the
    program has started, and stops the run once ``finished()`` is true (the status
    is then CANCELLED: the platform ended it). When the run is over it sets
    ``ended``, waits for ``converse`` to return, and only then closes the pipes.
    ``converse`` must never block without a deadline and must return soon after
    ``ended`` is set; it must not close the descriptors it is given.
    ``log_so_far`` returns the run's log as it stands (its kept end): a channel
    about to show the program something it must not pass on reads it first."""

    @abstractmethod
    def converse(
        self,
        *,
        to_program: int,
        from_program: int,
        ended: threading.Event,
        log_so_far: LogReader,
    ) -> None:
        """Talk with the program: write its stdin (``to_program``), read its stdout."""

    @abstractmethod
    def finished(self) -> bool:
        """Whether the conversation is over, so the run may be stopped."""


class SandboxBackend(ABC):
    name: ClassVar[str]

    @abstractmethod
    def run(
        self, spec: SandboxSpec, *, tick: Tick | None = None, channel: Channel | None = None
    ) -> SandboxResult:
        """Run the spec to completion, enforce its limits, leave nothing running.

        With a ``channel``, the program's stdin and stdout are connected to it."""

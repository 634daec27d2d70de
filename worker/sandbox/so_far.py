"""How each backend shows a ``Watcher`` tick the run as it stands (``RunSoFar``):
its CPU time and peak memory so far and its log's kept end, read only when asked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from worker.sandbox import logs
from worker.sandbox.base import RunSoFar, SandboxSpec
from worker.sandbox.cgroups import RunCgroups


def of_bubblewrap(cgroups: RunCgroups, log_path: Path, *, keep: int) -> Callable[[], RunSoFar]:
    """The run's cgroup counters and its log file (trimmed by the monitor meanwhile)."""

    def so_far() -> RunSoFar:
        usage = cgroups.usage() if cgroups.enabled else None
        return RunSoFar(
            cpu_seconds=usage.cpu_seconds if usage else None,
            memory_bytes=usage.peak_memory_bytes if usage else None,
            log=lambda: logs.read_tail(log_path, keep=keep),
        )

    return so_far


class Followed(Protocol):
    """What the docker backend's watch of a container holds (``docker._Watch``)."""

    container: Any
    spec: SandboxSpec
    cpu_seconds: float
    peak_memory: int
    log_stdout: bool


def of_docker(watch: Followed) -> RunSoFar:
    """The stats the watch last sampled, and the end of the container's log."""

    def log() -> str:
        try:
            # The whole log, as at the run's end: the engine keeps it short
            # (docker._log_config), and podman's ``tail`` dropped and doubled lines.
            raw = watch.container.logs(stdout=watch.log_stdout, stderr=True)
        except Exception:  # the engine's errors are of many types; nothing is shown then
            return ""
        return logs.decode(bytes(raw)[-watch.spec.limits.log_bytes :])

    return RunSoFar(cpu_seconds=watch.cpu_seconds, memory_bytes=watch.peak_memory, log=log)

"""Which worker process owns a sandbox container, and removing those whose owner died.

Each container is labelled with its worker's ``host:pid:start`` (the process's
start time in clock ticks since boot): a worker SIGKILLed mid-run never reaches
its ``finally``, and the next backend on that host to connect removes what it
left. The start time tells a dead owner from a new process with the same pid: a
worker container restarted after a crash has the same host name and, starting the
same way, the same pids.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

LABEL = "milestones.sandbox.run"
OWNER_LABEL = "milestones.sandbox.owner"

Alive = Callable[[int, int | None], bool]  # (pid, start time or None) -> alive


def process_start(pid: int) -> int | None:
    """When ``pid`` started, in clock ticks since boot (None: no such process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The fields after the command's closing parenthesis start with the third (state);
    # the 22nd is the start time. The command itself may hold spaces and parentheses.
    return int(stat.rpartition(")")[2].split()[19])


def owner_label() -> str:
    """``host:pid:start`` of this process."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{process_start(pid) or 0}"


def process_alive(pid: int, start: int | None) -> bool:
    """Whether ``pid`` runs and is the process that started at ``start`` (any, if None)."""
    if start is not None:
        return process_start(pid) == start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _parse(owner: str) -> tuple[str, int, int | None] | None:
    """``host:pid:start`` (or ``host:pid``, as labelled before) -> its parts."""
    parts = owner.split(":")
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[0], int(parts[1]), int(parts[2])
    if len(parts) == 2 and parts[1].isdigit():
        return parts[0], int(parts[1]), None
    return None


def remove_orphans(client: Any, *, alive: Alive = process_alive) -> list[str]:
    """Remove this host's sandbox containers whose worker process is gone. Returns
    their ids."""
    host = socket.gethostname()
    removed = []
    # ignore_removed: another worker on this host may remove its own container meanwhile.
    listed = client.containers.list(all=True, filters={"label": LABEL}, ignore_removed=True)
    for container in listed:
        owner = _parse(str(container.labels.get(OWNER_LABEL, "")))
        if owner is None or owner[0] != host or alive(owner[1], owner[2]):
            continue
        with contextlib.suppress(Exception):  # already gone is fine
            container.remove(force=True, v=True)
        removed.append(str(container.id))
    return removed

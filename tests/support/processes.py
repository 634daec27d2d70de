"""Reading the process tree from /proc: which processes a worker (or this test
process) started, so a test can check that none of them outlives a kill."""

from __future__ import annotations

import os
import time


def _parent_and_start(pid: int) -> tuple[int, int] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] == b"Z":
        return None  # a zombie is dead already
    return int(fields[1]), int(fields[19])  # ppid, start time (clock ticks)


def descendants(root: int) -> dict[int, int]:
    """Live descendants of ``root``: {pid: start time}, so a reused pid is not confused."""
    children: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            found = _parent_and_start(int(entry.name))
            if found is not None:
                children.setdefault(found[0], []).append(int(entry.name))
                starts[int(entry.name)] = found[1]
    result: dict[int, int] = {}
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        result[pid] = starts[pid]
        stack.extend(children.get(pid, []))
    return result


def alive(processes: dict[int, int]) -> dict[int, int]:
    """Those of ``processes`` still running (same pid, same start time)."""
    left = {}
    for pid, start in processes.items():
        found = _parent_and_start(pid)
        if found is not None and found[1] == start:
            left[pid] = start
    return left


def wait_all_gone(processes: dict[int, int], *, timeout: float) -> float:
    """Seconds until none of ``processes`` runs; AssertionError after ``timeout``."""
    started = time.monotonic()
    while alive(processes):
        if time.monotonic() - started > timeout:
            raise AssertionError(f"still running after {timeout} s: {sorted(alive(processes))}")
        time.sleep(0.02)
    return time.monotonic() - started


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""

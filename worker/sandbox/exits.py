"""Waiting for killed processes to be gone, woken by their pidfds instead of fixed sleeps.

After a run the sandbox's init is usually still tearing its namespaces down
(state D) when bwrap has been reaped; a fixed 1 ms sleep overshot its exit by
most of a millisecond. A pidfd turns readable when its process has exited
(every thread, the namespace's others reaped first when it is a pid namespace's
init). cgroup.procs hides a process as soon as it starts dying, so an empty
group is not yet an exited one: ``wait_all`` waits for every process seen.
"""

from __future__ import annotations

import contextlib
import os
import select
import time
from collections.abc import Iterable, Iterator

# The most processes watched at once (a fork bomb's are bounded by pids.max).
MAX_WATCHED = 256


class Exits:
    """pidfds of the processes seen so far, closed once each has exited."""

    def __init__(self) -> None:
        self._fds: dict[int, int] = {}  # pid -> pidfd

    def watch(self, pids: Iterable[int]) -> None:
        for pid in pids:
            if pid not in self._fds and len(self._fds) < MAX_WATCHED:
                with contextlib.suppress(OSError):  # gone already, or no pidfds here
                    self._fds[pid] = os.pidfd_open(pid)

    def wait_one(self, timeout: float) -> None:
        """Sleep up to ``timeout``, ending as soon as a watched process exits."""
        if not self._fds:  # none alive to watch, or pidfds unsupported: as before
            time.sleep(timeout)
            return
        ready, _, _ = select.select(list(self._fds.values()), [], [], timeout)
        self._forget(ready)

    def wait_all(self, deadline: float) -> None:
        """Until every watched process has exited, or ``deadline`` (monotonic) passes."""
        while self._fds and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select(list(self._fds.values()), [], [], left)
            self._forget(ready)

    def close(self) -> None:
        self._forget(list(self._fds.values()))

    def _forget(self, fds: Iterable[int]) -> None:
        gone = set(fds)
        for pid, fd in list(self._fds.items()):
            if fd in gone:
                os.close(fd)
                del self._fds[pid]


@contextlib.contextmanager
def watching() -> Iterator[Exits]:
    exits = Exits()
    try:
        yield exits
    finally:
        exits.close()

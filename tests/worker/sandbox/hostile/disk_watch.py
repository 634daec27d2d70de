"""The worker's free disk space, sampled while a hostile program runs and after.

A run may take from the worker's disk what its limits declare (its /output, its
/tmp, room for its log), never more, whatever syscalls it uses: the sampler
records the lowest free space of each filesystem it watches, every 20 ms, from
before the run starts until it is stopped after the run has been cleaned up.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from worker.sandbox import Limits
from worker.sandbox.launch import LOG_ROOM

MiB = 1024 * 1024
SAMPLE_SECONDS = 0.02
# What the machine's other writers (the engine's container files, other test
# runs) may take meanwhile, beyond the run's own share.
MARGIN_BYTES = 32 * MiB


def declared_disk_bytes(limits: Limits) -> int:
    """What a run may hold on the worker's disk: /output, /tmp and the log's room."""
    return limits.output_bytes + limits.tmp_bytes + LOG_ROOM


class FreeSpaceSampler:
    """The largest drop in free space of each watched filesystem since the start."""

    def __init__(self, paths: list[Path]) -> None:
        by_device = {os.stat(path).st_dev: path for path in paths}  # one path per filesystem
        self.paths = list(by_device.values())
        self.baseline = {path: _free(path) for path in self.paths}
        self.lowest = dict(self.baseline)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="free-space", daemon=True)

    def drops(self) -> dict[Path, int]:
        return {path: self.baseline[path] - self.lowest[path] for path in self.paths}

    def problems(self, limits: Limits) -> list[str]:
        declared = declared_disk_bytes(limits)
        return [
            f"free space of {path}'s filesystem dropped by {drop / MiB:.0f} MiB "
            f"(the run declares {declared / MiB:.0f} MiB)"
            for path, drop in self.drops().items()
            if drop > declared + MARGIN_BYTES
        ]

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._take()
        self._take()  # once more after the run: what it left behind

    def _take(self) -> None:
        for path in self.paths:
            self.lowest[path] = min(self.lowest[path], _free(path))

    @contextmanager
    def running(self) -> Iterator[FreeSpaceSampler]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()


def _free(path: Path) -> int:
    found = os.statvfs(path)
    return found.f_bavail * found.f_frsize

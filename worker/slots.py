"""Which GPU and which CPU cores one run gets on this host.

A GPU worker runs one job per device: a job holds its GPU's slot (an flock on
``gpu-N.lock`` under SLOTS_DIR) for as long as it runs, so two jobs never share
a device, even when several worker processes share the host. A job also takes a
group of cores the same way (one lock per core) and the sandbox pins it there.
The kernel drops a lock when its process dies, so a killed worker never leaks
a slot. When every core group is taken (more concurrent runs than groups), the
run goes unpinned with a one-CPU quota rather than wait: pinning is where it can.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from worker.sandbox.uids import try_lock

logger = logging.getLogger(__name__)
POLL_SECONDS = 0.2
_DEVICE = re.compile(r"nvidia(\d+)")
# Set by the worker's main process before it forks its pool (worker/celery.py).
_worker_concurrency = 1


class NoFreeGpu(RuntimeError):
    """Every GPU of this host stayed busy: the job goes back to the queue."""


@dataclass(frozen=True)
class Grant:
    gpu: int | None = None  # host GPU index, held for the run
    cpus: tuple[int, ...] = ()  # host cores the run is pinned to; () = unpinned


def set_worker_concurrency(processes: int) -> None:
    global _worker_concurrency
    _worker_concurrency = max(1, int(processes))


def configured_gpus(value: str | None = None, *, dev: Path = Path("/dev")) -> list[int]:
    """MILESTONES_GPUS: "" finds /dev/nvidiaN, "none" means no GPU, "0,2" those."""
    text = (settings.GPUS if value is None else value).strip().lower()
    if text == "none":
        return []
    if text:
        return sorted({int(item) for item in text.split(",") if item.strip()})
    try:
        names = os.listdir(dev)
    except OSError:
        return []
    return sorted(int(m.group(1)) for name in names if (m := _DEVICE.fullmatch(name)))


def cpus_per_run(*, cores: int, concurrency: int) -> int:
    """MILESTONES_SANDBOX_CPUS, or the host's cores shared by the concurrent runs."""
    chosen = settings.SANDBOX_CPUS or cores // max(1, concurrency)
    return max(1, min(chosen, cores))


def core_groups(cores: list[int], per_run: int) -> list[tuple[int, ...]]:
    """Disjoint groups of ``per_run`` cores, in order; leftover cores stay unused."""
    return [tuple(cores[i : i + per_run]) for i in range(0, len(cores) - per_run + 1, per_run)]


@contextlib.contextmanager
def granted(*, gpu: bool, gpu_wait_seconds: float | None = None) -> Iterator[Grant]:
    """Hold a GPU (when the job wants one and this host has any) and a core group."""
    wait = settings.GPU_WAIT_SECONDS if gpu_wait_seconds is None else gpu_wait_seconds
    with contextlib.ExitStack() as stack:
        device = _take_gpu(stack, wait) if gpu else None
        yield Grant(gpu=device, cpus=_take_cores(stack))


def _take_gpu(stack: contextlib.ExitStack, wait_seconds: float) -> int | None:
    devices = configured_gpus()
    if not devices:
        return None  # the caller decides whether a GPU was required
    deadline = time.monotonic() + wait_seconds
    while True:
        for index in devices:
            fd = _try_lock(f"gpu-{index}")
            if fd is not None:
                stack.callback(os.close, fd)
                return index
        if time.monotonic() >= deadline:
            raise NoFreeGpu(f"all GPUs {devices} stayed busy for {wait_seconds:.0f} s")
        time.sleep(POLL_SECONDS)


def _take_cores(stack: contextlib.ExitStack) -> tuple[int, ...]:
    cores = sorted(os.sched_getaffinity(0))
    per_run = cpus_per_run(cores=len(cores), concurrency=_worker_concurrency)
    for group in core_groups(cores, per_run):
        fds = [fd for core in group if (fd := _try_lock(f"cpu-{core}")) is not None]
        if len(fds) == len(group):
            for fd in fds:
                stack.callback(os.close, fd)
            return group
        for fd in fds:
            os.close(fd)
    logger.warning("every group of %s cores is busy: this run is not pinned", per_run)
    return ()


def _try_lock(name: str) -> int | None:
    directory = Path(settings.SLOTS_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return try_lock(directory / f"{name}.lock")

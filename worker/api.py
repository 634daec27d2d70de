"""The worker's door for the web: the one module of ``worker`` that ``server`` imports.

- ``request_dry_run``: send a dry run (uncharged, on a training sample) to a worker.
- ``request_dispatch``: ask a dispatcher to move pending submissions to the queue.
  It sends a task to the maintenance queue (the ``beat`` process runs it) instead
  of running the fair-share pass inside the web request.
- Queues: where a challenge's jobs go (``queue_for``) and how many messages wait.
- Health: the broker answers, the workers alive (their heartbeats), when the
  reaper last ran, and the platform incidents of the last day.
- Live runs: a running submission's live state (``live_state``) and the channel
  that says each renewal (``live_channel``), kept by ``worker.progress``.
- ``reap_now``: the reaper's pass, run here and now (``manage.py requeue_stale``).
- ``runtime_facts``: a runtime's packages (the pins, and every distribution when
  a built runtime's marker can be read here or a live worker has said it) and
  the cores the live workers give a run, for the challenge pages.
- ``largest_file_bytes``: the per-file cap a run gets, for the pages that tell students.
- ``warning_seconds``: how long before a time limit a run is sent SIGTERM (the
  rule of ``worker.sandbox.warning``), for the pages that tell students.
- Bundles: ``request_preparation`` sends an uploaded bundle's prepare.py to the
  sandbox (a maintenance task); ``install_prepared_data`` and its helpers install
  a prepared data set atomically (also for the repository's trusted bundles).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import redis
from django.conf import settings

from worker import broker, dispatch, dry_runs, preparation, reaper
from worker.incidents import Incident, incidents_since
from worker.installing import install as install_prepared_data
from worker.installing import prepared_problems, staging_beside
from worker.live_state import channel as live_channel
from worker.live_state import read as live_state
from worker.liveness import WorkerInfo, workers_alive
from worker.queues import SUBMISSION_QUEUES, Queue, queue_for, queues_serving
from worker.runtimes.build import RUNTIMES, read_installed
from worker.sandbox import launch, warning

__all__ = [
    "SUBMISSION_QUEUES",
    "Incident",
    "Queue",
    "RuntimeFacts",
    "WorkerInfo",
    "broker_problem",
    "incidents_since",
    "install_prepared_data",
    "largest_file_bytes",
    "live_channel",
    "live_state",
    "prepared_problems",
    "queue_depth",
    "queue_for",
    "reap_now",
    "reaper_seconds_since_last_run",
    "request_dispatch",
    "request_dry_run",
    "request_preparation",
    "runtime_facts",
    "staging_beside",
    "warning_seconds",
    "workers_alive",
]


def request_dispatch() -> None:
    """Ask a dispatcher for one fair-share pass soon (after an upload, a cancel, a
    rescore); see ``worker.dispatch.request``."""
    dispatch.request()


def request_dry_run(dry_run_id: int, *, gpu_mode: str) -> None:
    """Send a dry run (``worker.dry_runs``) to the short lane of its challenge's
    device (``gpu_mode``: the challenge's ``gpu``)."""
    dry_runs.request(dry_run_id, gpu_mode=gpu_mode)


def request_preparation(preparation_id: int) -> None:
    """Send an uploaded bundle version's prepare.py to a worker's sandbox."""
    preparation.request(preparation_id)


@dataclass(frozen=True)
class RuntimeFacts:
    pins: tuple[str, ...]  # what the runtime asks pip for
    installed: tuple[str, ...] | None  # every distribution in it; None: not known here
    cores: tuple[int, ...]  # cores per run of the live workers that say; () if none


def runtime_facts(runtime: str, *, gpu_mode: str) -> RuntimeFacts:
    """What a run of ``runtime`` gets, as far as this process can tell without
    running anything. The full list comes from the runtime's own marker when it
    is built where this process looks (``RUNTIMES_DIR``), else from a live
    worker's heartbeat (the site may be served by another machine); the cores
    from the heartbeats of the workers serving the challenge's queues
    (``gpu_mode``: its ``gpu``)."""
    alive = workers_alive() or []
    installed = read_installed(Path(settings.RUNTIMES_DIR) / runtime)
    heard = (w.runtimes[runtime] for w in alive if w.runtimes.get(runtime))
    installed = installed or next(heard, None)
    queues = set(queues_serving(gpu_mode))
    cores = {w.cpus_per_run for w in alive if w.cpus_per_run > 0 and queues & set(w.queues)}
    return RuntimeFacts(
        pins=tuple(RUNTIMES.get(runtime, ())),
        installed=tuple(installed) if installed else None,
        cores=tuple(sorted(cores)),
    )


def warning_seconds(limit_seconds: float) -> float:
    """How long before a time limit of ``limit_seconds`` the program is sent SIGTERM."""
    return warning.margin(limit_seconds)


def largest_file_bytes(*, output_mb: int, tmp_mb: int) -> int:
    """The largest file a run may write anywhere (RLIMIT_FSIZE, ``worker.sandbox.launch``)."""
    MiB = 1024 * 1024
    return launch.largest_file(output_bytes=output_mb * MiB, tmp_bytes=tmp_mb * MiB)


def queue_depth(queue: str) -> int | None:
    """Messages waiting in ``queue`` (not those a worker has taken); None when
    Redis cannot be read."""
    return broker.queue_depth(queue)


def broker_problem() -> str | None:
    """Why the broker's Redis does not answer, or None when it does."""
    try:
        broker.client().ping()
    except redis.RedisError as exc:
        return str(exc)
    return None


def reaper_seconds_since_last_run() -> float | None:
    return reaper.seconds_since_last_run()


def reap_now() -> None:
    reaper.reap()

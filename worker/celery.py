"""The Celery app. Tasks live in worker.tasks; configuration comes from Django's
settings (the CELERY_* names), so the environment is still read in one place.
What is policy rather than configuration (routes, what a worker does when it
starts and stops) is set here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery, signals
from django.conf import settings

from worker import liveness, slots
from worker.queues import GPU_QUEUES, Queue
from worker.runtimes.build import installed_runtimes

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.milestones.settings")

app = Celery("milestones", include=["worker.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
# The platform's own housekeeping never waits behind a student's hour-long run.
app.conf.task_routes = {
    "worker.tasks.reap_stale": {"queue": Queue.MAINTENANCE.value},
    "worker.tasks.dispatch_pending": {"queue": Queue.MAINTENANCE.value},
    "worker.tasks.prepare_bundle": {"queue": Queue.MAINTENANCE.value},
}
# A lost broker connection must not kill the runs in progress: they hold
# leases in the database, finish, and a redelivered message is a no-op.
app.conf.worker_cancel_long_running_tasks_on_connection_loss = False

_heartbeat: liveness.Heartbeat | None = None


@signals.celeryd_after_setup.connect
def _remember_concurrency(sender: str, instance: Any, **_: Any) -> None:
    # Runs in the main process before the pool forks: every child inherits it
    # and sizes its CPU share from it (worker.slots).
    slots.set_worker_concurrency(int(instance.concurrency or 1))


@signals.worker_ready.connect
def _start_heartbeat(sender: Any, **_: Any) -> None:
    global _heartbeat
    queues = sorted(sender.app.amqp.queues.consume_from)
    concurrency = int(getattr(sender.controller, "concurrency", 1) or 1)
    _heartbeat = liveness.Heartbeat(
        name=sender.hostname,
        queues=queues,
        concurrency=concurrency,
        gpus=slots.configured_gpus() if set(queues) & set(GPU_QUEUES) else [],
        cpus_per_run=slots.cpus_per_run(
            cores=len(os.sched_getaffinity(0)), concurrency=concurrency
        ),
        runtimes=installed_runtimes(Path(settings.RUNTIMES_DIR)),
    )
    _heartbeat.start()


@signals.worker_shutdown.connect
def _stop_heartbeat(**_: Any) -> None:
    if _heartbeat is not None:
        _heartbeat.stop()

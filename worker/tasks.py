"""Celery tasks: thin, idempotent, taking ids. A redelivered task is a no-op
because every transition in server.submissions.lifecycle is a guarded UPDATE.
Tasks are sent by name (``app.send_task``), so no sender imports this module."""

from __future__ import annotations

from worker import dispatch, dry_runs, preparation, reaper
from worker.celery import app
from worker.execution import execute_submission

# Longer than any challenge's wall limit may be: the sandbox enforces the real one.
HARD_LIMIT_SECONDS = 7 * 3600


@app.task(
    name="worker.tasks.run_submission",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=HARD_LIMIT_SECONDS,
)
def run_submission(submission_id: int) -> None:
    execute_submission(submission_id=submission_id)


# Routed to the maintenance queue (worker/celery.py); beat sends it with an
# expiry, so a reaper that was down does not find a backlog of runs to replay.
@app.task(name="worker.tasks.reap_stale", ignore_result=True, time_limit=120)
def reap_stale() -> None:
    reaper.reap()


# Sent by worker.dispatch.request (after an upload, a cancel, a rescore),
# on the maintenance queue: the web request never runs the fair-share pass.
@app.task(name="worker.tasks.dispatch_pending", ignore_result=True, time_limit=120)
def dispatch_pending() -> None:
    dispatch.forget_request()  # first: a request made from now on sends a new pass
    dispatch.dispatch_pending()


# An uploaded bundle's prepare.py, in the sandbox (worker.preparation), on the
# maintenance queue: never in the web request. Idempotent: a redelivered task
# finds its preparation no longer staged and does nothing.
@app.task(
    name="worker.tasks.prepare_bundle",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=HARD_LIMIT_SECONDS,
)
def prepare_bundle(preparation_id: int) -> None:
    preparation.prepare_uploaded(preparation_id=preparation_id)


# A dry run (worker.dry_runs), on its device's short lane: uncharged, capped at
# DRY_RUN_SECONDS. Idempotent: a redelivered task finds it no longer queued.
@app.task(name="worker.tasks.dry_run", acks_late=True, ignore_result=True, time_limit=600)
def dry_run(dry_run_id: int) -> None:
    dry_runs.execute_dry_run(dry_run_id=dry_run_id)

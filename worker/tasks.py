"""Celery tasks: thin, idempotent, taking ids. A redelivered task is a no-op
because the claim in worker.lifecycle is a guarded UPDATE."""

from __future__ import annotations

from worker.celery import app

# Longer than any challenge's wall limit may be: the sandbox enforces the real one.
_HARD_LIMIT_SECONDS = 7 * 3600


@app.task(
    name="worker.tasks.run_submission",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=_HARD_LIMIT_SECONDS,
)
def run_submission(submission_id: int) -> None:
    from worker.execution import execute_submission

    execute_submission(submission_id=submission_id)


# Routed to the maintenance queue (worker/celery.py); beat sends it with an
# expiry, so a reaper that was down does not find a backlog of runs to replay.
@app.task(name="worker.tasks.reap_stale", ignore_result=True, time_limit=120)
def reap_stale() -> None:
    from worker.reaper import reap

    reap()

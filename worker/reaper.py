"""The periodic safety net (Celery beat, every REAPER_EVERY_SECONDS, on the
maintenance queue): nothing stays stuck because a worker died or froze, or the
broker lost its messages. Every step is idempotent; two reapers at once are
harmless (each move is a conditional UPDATE)."""

from __future__ import annotations

import logging
import time

import redis

from server.submissions import lifecycle
from worker import broker, dispatch
from worker.incidents import record_incident

logger = logging.getLogger(__name__)
LAST_RUN_KEY = "milestones:reaper:last-run"


def reap() -> None:
    released = lifecycle.requeue_expired_leases()
    for submission_id, state in released.items():
        record_incident(submission_id, f"lease expired ({state})")
        if state == lifecycle.State.QUEUED:
            dispatch.resend(submission_id)  # now, rather than after the grace period
    resent = dispatch.redispatch_lost()
    sent = dispatch.dispatch_pending()
    dispatch.forget_stale_markers()
    _record_run()
    if released or resent or sent:
        logger.info("reaper: lease expired %s, resent %s, dispatched %s", released, resent, sent)


def _record_run() -> None:
    # Read by the beat service's health check: the reaper really runs.
    try:
        broker.client().set(LAST_RUN_KEY, f"{time.time():.3f}")
    except redis.RedisError:
        logger.warning("could not record the reaper's run in Redis")


def seconds_since_last_run() -> float | None:
    try:
        value = broker.client().get(LAST_RUN_KEY)
    except redis.RedisError:
        return None
    return None if value is None else time.time() - float(value)

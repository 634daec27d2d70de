"""The periodic safety net (Celery beat): nothing stays stuck because a worker
died or the broker lost its messages."""

from __future__ import annotations

import logging

from worker import dispatch, lifecycle

logger = logging.getLogger(__name__)


def reap() -> None:
    requeued = lifecycle.requeue_expired_leases()
    resent = dispatch.redispatch_stale_queued()
    # Re-queued rows need a message too: send them now rather than after the delay.
    for submission_id in requeued:
        dispatch.resend(submission_id)
    sent = dispatch.dispatch_pending()
    if requeued or resent or sent:
        logger.info("reaper: requeued %s, resent %s, dispatched %s", requeued, resent, sent)

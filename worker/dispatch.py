"""Moving submissions from the database to the broker, fairly.

The database is the source of truth; a broker message is only a hint that a
queued submission is waiting. Each participant has at most
MAX_ACTIVE_JOBS_PER_USER submissions queued or running, so one student's fifty
uploads wait in ``pending`` while everyone else's first upload goes straight to
the queue."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from worker.queues import queue_for

logger = logging.getLogger(__name__)


def _submissions():  # type: ignore[no-untyped-def]
    return apps.get_model("submissions", "Submission").objects


def dispatch_pending(*, batch: int = 200) -> list[int]:
    """pending -> queued for every participant under their cap; sends the tasks."""
    active = Counter(
        dict(
            _submissions()
            .filter(state__in=("queued", "running"))
            .values_list("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
    )
    candidates = (
        _submissions()
        .filter(state="pending")
        .order_by("created_at", "id")
        .values_list("id", "user_id", "challenge__gpu")[:batch]
    )
    sent = []
    for submission_id, user_id, gpu_mode in candidates:
        if active[user_id] >= settings.MAX_ACTIVE_JOBS_PER_USER:
            continue
        moved = (
            _submissions()
            .filter(id=submission_id, state="pending")
            .update(state="queued", queued_at=timezone.now())
        )
        if moved:
            active[user_id] += 1
            _send(submission_id, queue_for(gpu_mode))
            sent.append(submission_id)
    return sent


def redispatch_stale_queued() -> list[int]:
    """Queued submissions whose message may be lost (a Redis flush or restart) are
    sent again; the worker's guarded claim makes an extra message a no-op."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.REDISPATCH_AFTER_SECONDS)
    stale = _submissions().filter(state="queued", queued_at__lt=cutoff)
    resent = []
    for submission_id, queued_at, gpu_mode in stale.values_list(
        "id", "queued_at", "challenge__gpu"
    ):
        touched = _submissions().filter(id=submission_id, state="queued", queued_at=queued_at)
        if touched.update(queued_at=timezone.now()):
            _send(submission_id, queue_for(gpu_mode))
            resent.append(submission_id)
    return resent


def _send(submission_id: int, queue: str) -> None:
    from worker.tasks import run_submission

    try:
        run_submission.apply_async(args=[submission_id], queue=queue)
    except Exception:
        # The row stays queued; redispatch_stale_queued sends it again later.
        logger.exception("could not send submission %s to the broker", submission_id)


def resend(submission_id: int) -> None:
    """Send the task of one queued submission (after its lease was reaped)."""
    row = _submissions().filter(id=submission_id, state="queued").values_list("challenge__gpu")
    gpu_mode = row.first()
    if gpu_mode is not None:
        _send(submission_id, queue_for(gpu_mode[0]))

"""Moving submissions from the database to the broker, fairly.

The database is the source of truth; a broker message is only a hint that a
queued submission is waiting. Two rules keep anyone from being starved:

- a cap: each participant has at most MAX_ACTIVE_JOBS_PER_USER submissions
  queued or running, so the broker never holds more than that of one person
  and their next job joins the end of the queue only when one of theirs ends
  (round-robin between everyone who is waiting);
- a fair-share order when several can go at once (after a restart, a flush,
  a burst): first the participants with the fewest jobs active, oldest first.

The cap is checked and the row moved under a lock on the participant's row, so
two dispatchers running at once (the site, a worker, the reaper) never let
anyone past it. Messages are sent after the transaction, never inside it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from worker import broker
from worker.queues import queue_for

logger = logging.getLogger(__name__)
ACTIVE = ("queued", "running")


def _submissions():  # type: ignore[no-untyped-def]
    return apps.get_model("submissions", "Submission").objects


@dataclass(frozen=True)
class Candidate:
    submission_id: int
    user_id: int
    gpu_mode: str
    rank: int  # 1 for the participant's oldest pending submission, 2 for the next...
    created_at: dt.datetime


def fair_order(candidates: list[Candidate], active: Counter[int]) -> list[Candidate]:
    """Whoever would hold the fewest jobs goes first; ties by age (round-robin)."""
    return sorted(
        candidates,
        key=lambda c: (active[c.user_id] + c.rank, c.created_at, c.submission_id),
    )


def dispatch_pending(*, batch: int = 500) -> list[int]:
    """pending -> queued for every participant under their cap, fairly; sends the tasks."""
    cap = settings.MAX_ACTIVE_JOBS_PER_USER
    active = _active_counts()
    moved: list[Candidate] = []
    for candidate in fair_order(_candidates(cap, batch), active):
        if active[candidate.user_id] >= cap:
            continue
        if _move_to_queue(candidate, cap):
            active[candidate.user_id] += 1
            moved.append(candidate)
    for candidate in moved:
        _send(candidate.submission_id, queue_for(candidate.gpu_mode))
    return [c.submission_id for c in moved]


def _active_counts() -> Counter[int]:
    rows = (
        _submissions()
        .filter(state__in=ACTIVE)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    return Counter(dict(rows))


def _candidates(cap: int, batch: int) -> list[Candidate]:
    """Each participant's oldest ``cap`` pending submissions: one student's
    thousand uploads cannot hide everyone else's from the batch."""
    ranked = (
        _submissions()
        .filter(state="pending")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("user_id")],
                order_by=[F("created_at").asc(), F("id").asc()],
            )
        )
        .filter(rank__lte=cap)
        .order_by("created_at", "id")
        .values_list("id", "user_id", "challenge__gpu", "rank", "created_at")[:batch]
    )
    return [Candidate(*row) for row in ranked]


def _move_to_queue(candidate: Candidate, cap: int) -> bool:
    """pending -> queued if the participant is still under the cap, decided under
    a lock on their row (SQLite: the IMMEDIATE transaction serialises writers)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    with transaction.atomic():
        user_model.objects.select_for_update().filter(pk=candidate.user_id).exists()
        if _held(candidate.user_id) >= cap:
            return False
        moved = (
            _submissions()
            .filter(id=candidate.submission_id, state="pending")
            .update(state="queued", queued_at=timezone.now())
        )
    return moved == 1


def _held(user_id: int) -> int:
    return int(_submissions().filter(user_id=user_id, state__in=ACTIVE).count())


def redispatch_lost() -> list[int]:
    """Queued submissions whose message is gone are sent again.

    Gone: no sent marker (a Redis flush or restart took marker and message
    together) once REDISPATCH_GRACE_SECONDS have passed, or queued for longer
    than REDISPATCH_AFTER_SECONDS whatever the marker says (the slow safety net
    for a message taken by a worker that died before claiming it). The worker's
    guarded claim makes an extra message a no-op.
    """
    now = timezone.now()
    grace = now - dt.timedelta(seconds=settings.REDISPATCH_GRACE_SECONDS)
    too_old = now - dt.timedelta(seconds=settings.REDISPATCH_AFTER_SECONDS)
    sent = broker.sent_ids()
    rows = _submissions().filter(state="queued", queued_at__lt=grace)
    resent = []
    for submission_id, queued_at, gpu_mode in rows.values_list("id", "queued_at", "challenge__gpu"):
        if sent is None and queued_at >= too_old:
            continue  # Redis unreadable: only the slow safety net applies
        if sent is not None and submission_id in sent and queued_at >= too_old:
            continue
        # One reaper wins the resend even if two run at once.
        touched = _submissions().filter(id=submission_id, state="queued", queued_at=queued_at)
        if touched.update(queued_at=timezone.now()):
            _send(submission_id, queue_for(gpu_mode))
            resent.append(submission_id)
    return resent


def forget_stale_markers() -> None:
    """Drop sent markers of submissions no longer queued (claimed, cancelled)."""
    sent = broker.sent_ids()
    if not sent:
        return
    queued = set(_submissions().filter(id__in=sent, state="queued").values_list("id", flat=True))
    broker.forget_sent(sent - queued)


def resend(submission_id: int) -> None:
    """Send the task of one queued submission (after its lease was reaped, or a
    platform failure put it back)."""
    row = _submissions().filter(id=submission_id, state="queued").values_list("challenge__gpu")
    gpu_mode = row.first()
    if gpu_mode is not None:
        _send(submission_id, queue_for(gpu_mode[0]))


def _send(submission_id: int, queue: str) -> None:
    from worker.tasks import run_submission

    try:
        run_submission.apply_async(args=[submission_id], queue=queue)
    except Exception:
        # The row stays queued without a marker; the reaper sends it again.
        logger.exception("could not send submission %s to the broker", submission_id)
        return
    broker.mark_sent(submission_id)

"""Moving submissions from the database to the broker, fairly, each to its lane.

The database is the source of truth; a broker message is only a hint that a
queued submission is waiting. Two rules keep anyone from being starved:

- a cap: each participant has at most MAX_ACTIVE_JOBS_PER_USER submissions
  queued or running, so the broker never holds more than that of one person
  and their next job joins the end of the queue only when one of theirs ends;
- a fair-share order when several can go at once: first the participants who
  used the least compute in the last 24 hours, then those holding the fewest
  jobs, oldest first.

A run that would go past its entrant's compute budget on its challenge is
refused here, with the reason (``server.submissions.compute``: the same
accounting the fair share reads).

Each job goes to a queue by device and lane (``worker.queues``): a challenge's
expected duration (the median of its recent runs, or its wall limit) picks the
lane; its gpu mode and whether a GPU worker is alive pick the device. The cap is
checked and the row moved by ``lifecycle.enqueue`` under a lock on the
participant's row. Messages are sent by task name after the transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

import redis
from django.conf import settings
from django.utils import timezone

from server.submissions import lifecycle, queueing
from server.submissions.queueing import PendingRow
from worker import broker, liveness
from worker.celery import app
from worker.queues import GPU_QUEUES, Queue, device_for, lane_for, queue_for

logger = logging.getLogger(__name__)
RUN_TASK = "worker.tasks.run_submission"
DISPATCH_TASK = "worker.tasks.dispatch_pending"
DAY = dt.timedelta(hours=24)
# Set while a requested pass waits in the queue; the pass clears it before it
# reads the database, so a submission committed after that gets a pass of its own.
REQUESTED_KEY = "milestones:dispatch-requested"
REQUEST_TTL_SECONDS = 30


def fair_order(
    candidates: list[PendingRow], active: Counter[int], used: Counter[int] | None = None
) -> list[PendingRow]:
    """Least compute used in the last 24 hours first, then the fewest jobs held
    (round-robin), then the oldest."""
    spent = used or Counter()
    return sorted(
        candidates,
        key=lambda c: (spent[c.user_id], active[c.user_id] + c.rank, c.created_at, c.submission_id),
    )


def dispatch_pending(*, batch: int = 500) -> list[int]:
    """pending -> queued for every participant under their cap, fairly; sends the tasks."""
    cap = settings.MAX_ACTIVE_JOBS_PER_USER
    candidates = queueing.pending_rows(per_participant=cap, batch=batch)
    if not candidates:
        return []
    active = queueing.active_counts()
    used = queueing.cpu_seconds_since(timezone.now() - DAY)
    route = _Router(candidates)
    moved: list[tuple[int, Queue]] = []
    now = timezone.now()
    for row in fair_order(candidates, active, used):
        if active[row.user_id] >= cap:
            continue
        refusal = queueing.budget_refusal(row, now=now)
        if refusal is not None:
            lifecycle.refuse(submission_id=row.submission_id, reason=refusal)
            continue
        queue = route(row)
        if lifecycle.enqueue(
            submission_id=row.submission_id, user_id=row.user_id, cap=cap, queue=queue.value
        ):
            active[row.user_id] += 1
            moved.append((row.submission_id, queue))
    for submission_id, queue in moved:
        _send(submission_id, queue)
    return [submission_id for submission_id, _ in moved]


class _Router:
    """Each pending row's queue, from facts read once per pass."""

    def __init__(self, rows: list[PendingRow]) -> None:
        self.expected = queueing.recent_run_seconds(row.challenge_id for row in rows)
        self.gpu_worker_alive = gpu_worker_alive()

    def __call__(self, row: PendingRow) -> Queue:
        seconds = self.expected.get(row.challenge_id, row.wall_limit)
        lane = lane_for(seconds, short_lane_seconds=settings.SHORT_LANE_SECONDS)
        device = device_for(row.gpu_mode, gpu_worker_alive=self.gpu_worker_alive)
        return queue_for(device, lane)


def gpu_worker_alive() -> bool:
    """Whether a worker with GPUs takes GPU jobs now (Redis down: assume one does,
    so GPU work waits on its queue rather than running without its device)."""
    workers = liveness.workers_alive()
    if workers is None:
        return True
    return any(worker.gpus and set(worker.queues) & set(GPU_QUEUES) for worker in workers)


def request() -> None:
    """Ask for one pass soon, on the maintenance queue; requests made while one
    waits are folded into it. Best effort: without Redis, the reaper's periodic
    pass dispatches what is pending."""
    try:
        if broker.client().set(REQUESTED_KEY, "1", nx=True, ex=REQUEST_TTL_SECONDS):
            app.send_task(DISPATCH_TASK, queue=Queue.MAINTENANCE.value)
    except Exception:
        logger.warning("could not request a dispatch; the reaper will dispatch", exc_info=True)
        forget_request()


def forget_request() -> None:
    try:
        broker.client().delete(REQUESTED_KEY)
    except redis.RedisError:
        logger.warning("could not clear the dispatch request; it expires on its own")


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
    resent = []
    for submission_id, queued_at, queue in queueing.queued_before(grace):
        if sent is None and queued_at >= too_old:
            continue  # Redis unreadable: only the slow safety net applies
        if sent is not None and submission_id in sent and queued_at >= too_old:
            continue
        # One reaper wins the resend even if two run at once.
        if lifecycle.restamp_queued(submission_id=submission_id, queued_at=queued_at):
            _send(submission_id, _queue(queue))
            resent.append(submission_id)
    return resent


def forget_stale_markers() -> None:
    """Drop sent markers of submissions no longer queued (claimed, cancelled)."""
    sent = broker.sent_ids()
    if not sent:
        return
    broker.forget_sent(sent - queueing.still_queued(sent))


def resend(submission_id: int) -> None:
    """Send the task of one queued submission again, to the queue it was sent to
    (after its lease was reaped, or a platform failure put it back)."""
    queue = queueing.queue_if_queued(submission_id)
    if queue is not None:
        _send(submission_id, _queue(queue))


def _queue(name: str) -> Queue:
    # Rows queued before lanes existed hold no queue: the CPU's long lane takes anything.
    return Queue(name) if name in Queue._value2member_map_ else Queue.CPU_LONG


def _send(submission_id: int, queue: Queue) -> None:
    try:
        app.send_task(RUN_TASK, args=[submission_id], queue=queue.value)
    except Exception:
        # The row stays queued without a marker; the reaper sends it again.
        logger.exception("could not send submission %s to the broker", submission_id)
        return
    broker.mark_sent(submission_id)

"""What an instructor watches the night before a deadline: queue depth per queue,
the jobs running now and for how long, the workers alive (from their heartbeats),
and the failures of the last hour. Reads only: the database for submissions, the
worker's API for the broker, the heartbeats and the platform incidents.

An instructor sees the submissions of the challenges they manage; staff see all,
and the broker's own counts (which mix everyone's)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from server.competitions.selectors import challenges_managed_by
from server.submissions.models import Submission
from worker import api as worker_api

HOUR = dt.timedelta(hours=1)
State = Submission.State


@dataclass(frozen=True)
class QueueDepth:
    queue: str
    messages: int | None  # waiting in the broker; None when Redis is unreachable (or hidden)
    queued: int  # rows in state queued on this queue (the source of truth)


@dataclass(frozen=True)
class RunningJob:
    submission_id: int
    username: str
    challenge: str
    queue: str
    attempt: int
    worker: str
    started_at: dt.datetime | None
    elapsed_seconds: float
    lease_expires_at: dt.datetime | None

    @property
    def lease_expired(self) -> bool:
        return self.lease_expires_at is not None and self.lease_expires_at < timezone.now()


@dataclass(frozen=True)
class Failures:
    failed: int  # the code's fault, final
    errors: int  # the platform's fault after its retries, never charged
    incidents: list[worker_api.Incident]  # platform failures that were retried (or not)
    latest: list[tuple[int, str, str, dt.datetime | None]]  # id, state, reason, when


@dataclass(frozen=True)
class Snapshot:
    queues: list[QueueDepth]
    pending: int  # waiting for their participant's cap, on no queue yet
    running: list[RunningJob]
    workers: list[worker_api.WorkerInfo] | None  # None: Redis unreachable
    failures: Failures
    taken_at: dt.datetime
    everything: bool  # every challenge's (staff), or the viewer's own challenges'


def submissions_seen_by(user: Any) -> QuerySet[Submission]:
    """Every submission for staff; those of the challenges an instructor manages."""
    return Submission.objects.filter(challenge__in=challenges_managed_by(user=user))


def queue_depths(submissions: QuerySet[Submission] | None = None) -> list[QueueDepth]:
    everything = submissions is None
    rows = (
        (Submission.objects.all() if submissions is None else submissions)
        .filter(state=State.QUEUED)
        .values_list("queue")
        .annotate(n=Count("id"))
    )
    counts: Counter[str] = Counter(dict(rows))
    return [
        QueueDepth(
            queue=queue.value,
            messages=worker_api.queue_depth(queue.value) if everything else None,
            queued=counts[queue.value],
        )
        for queue in worker_api.SUBMISSION_QUEUES
    ]


def pending_count(submissions: QuerySet[Submission] | None = None) -> int:
    rows = Submission.objects.all() if submissions is None else submissions
    return int(rows.filter(state=State.PENDING).count())


def running_jobs(submissions: QuerySet[Submission] | None = None) -> list[RunningJob]:
    now = timezone.now()
    rows = (
        (Submission.objects.all() if submissions is None else submissions)
        .filter(state=State.RUNNING)
        .order_by("started_at", "id")
        .values_list(
            "id",
            "user__username",
            "challenge__slug",
            "queue",
            "attempt",
            "lease_owner",
            "started_at",
            "lease_expires_at",
        )
    )
    return [
        RunningJob(
            submission_id=sid,
            username=user,
            challenge=slug,
            queue=queue,
            attempt=attempt,
            worker=owner,
            started_at=started,
            elapsed_seconds=(now - started).total_seconds() if started else 0.0,
            lease_expires_at=lease,
        )
        for sid, user, slug, queue, attempt, owner, started, lease in rows
    ]


def failures_last_hour(
    submissions: QuerySet[Submission] | None = None, *, latest: int = 10
) -> Failures:
    since = timezone.now() - HOUR
    ended = (Submission.objects.all() if submissions is None else submissions).filter(
        state__in=(State.FAILED, State.ERROR), finished_at__gte=since
    )
    by_state = Counter(dict(ended.values_list("state").annotate(n=Count("id"))))
    recent = ended.order_by("-finished_at", "-id").values_list(
        "id", "state", "failure_reason", "finished_at"
    )[:latest]
    return Failures(
        failed=by_state[State.FAILED],
        errors=by_state[State.ERROR],
        incidents=_seen(worker_api.incidents_since(since), submissions),
        latest=list(recent),
    )


def _seen(
    incidents: list[worker_api.Incident], submissions: QuerySet[Submission] | None
) -> list[worker_api.Incident]:
    if submissions is None:
        return incidents
    ids = {incident.submission_id for incident in incidents}
    seen = set(submissions.filter(id__in=ids).values_list("id", flat=True))
    return [incident for incident in incidents if incident.submission_id in seen]


def snapshot(*, user: Any) -> Snapshot:
    """The page as ``user`` sees it: everything for staff, their challenges' for instructors."""
    submissions = None if user.is_staff else submissions_seen_by(user)
    return Snapshot(
        queues=queue_depths(submissions),
        pending=pending_count(submissions),
        running=running_jobs(submissions),
        workers=worker_api.workers_alive(),
        failures=failures_last_hour(submissions),
        taken_at=timezone.now(),
        everything=submissions is None,
    )

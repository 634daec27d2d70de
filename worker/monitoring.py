"""What an instructor watches the night before a deadline: queue depth per
queue, the jobs running now and for how long, the workers alive (from their
heartbeats), and the failures of the last hour. Reads only; the database for
submissions, Redis for the broker's queues, heartbeats and platform incidents.

A platform incident (a lease that expired, a run our code failed) usually ends
in a retry, not in a final state, so it is logged in a Redis sorted set by time
and kept for a day: the page can show that a worker died at 3 a.m. even though
every submission it held was scored in the end.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass

import redis
from django.apps import apps
from django.db.models import Count
from django.utils import timezone

from worker import broker, liveness
from worker.queues import SUBMISSION_QUEUES, queue_for

logger = logging.getLogger(__name__)
INCIDENTS_KEY = "milestones:incidents"
KEEP_INCIDENTS_SECONDS = 24 * 3600
HOUR = dt.timedelta(hours=1)


def _submissions():  # type: ignore[no-untyped-def]
    return apps.get_model("submissions", "Submission").objects


@dataclass(frozen=True)
class QueueDepth:
    queue: str
    messages: int | None  # waiting in the broker; None when Redis is unreachable
    queued: int  # rows in state queued (the source of truth)
    pending: int  # waiting for their participant's cap


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
class Incident:
    submission_id: int
    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class Failures:
    failed: int  # the code's fault, final
    errors: int  # the platform's fault after its retries, never charged
    incidents: list[Incident]  # platform failures that were retried (or not)
    latest: list[tuple[int, str, str, dt.datetime | None]]  # id, state, reason, when


@dataclass(frozen=True)
class Snapshot:
    queues: list[QueueDepth]
    running: list[RunningJob]
    workers: list[liveness.WorkerInfo] | None  # None: Redis unreachable
    failures: Failures
    taken_at: dt.datetime


def queue_depths() -> list[QueueDepth]:
    rows = (
        _submissions()
        .filter(state__in=("pending", "queued"))
        .values_list("challenge__gpu", "state")
        .annotate(n=Count("id"))
    )
    counts: Counter[tuple[str, str]] = Counter()
    for gpu_mode, state, n in rows:
        counts[(queue_for(gpu_mode).value, state)] += n
    return [
        QueueDepth(
            queue=q.value,
            messages=broker.queue_depth(q.value),
            queued=counts[(q.value, "queued")],
            pending=counts[(q.value, "pending")],
        )
        for q in SUBMISSION_QUEUES
    ]


def running_jobs() -> list[RunningJob]:
    now = timezone.now()
    rows = (
        _submissions()
        .filter(state="running")
        .order_by("started_at", "id")
        .values_list(
            "id",
            "user__username",
            "challenge__slug",
            "challenge__gpu",
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
            queue=queue_for(gpu).value,
            attempt=attempt,
            worker=owner,
            started_at=started,
            elapsed_seconds=(now - started).total_seconds() if started else 0.0,
            lease_expires_at=lease,
        )
        for sid, user, slug, gpu, attempt, owner, started, lease in rows
    ]


def failures_last_hour(*, latest: int = 10) -> Failures:
    since = timezone.now() - HOUR
    ended = _submissions().filter(state__in=("failed", "error"), finished_at__gte=since)
    by_state = Counter(dict(ended.values_list("state").annotate(n=Count("id"))))
    recent = ended.order_by("-finished_at", "-id").values_list(
        "id", "state", "failure_reason", "finished_at"
    )[:latest]
    return Failures(
        failed=by_state["failed"],
        errors=by_state["error"],
        incidents=incidents_since(since),
        latest=list(recent),
    )


def snapshot() -> Snapshot:
    return Snapshot(
        queues=queue_depths(),
        running=running_jobs(),
        workers=liveness.workers_alive(),
        failures=failures_last_hour(),
        taken_at=timezone.now(),
    )


def record_incident(submission_id: int, reason: str) -> None:
    now = time.time()
    member = json.dumps({"id": submission_id, "reason": reason, "at": now})
    try:
        pipe = broker.client().pipeline(transaction=False)
        pipe.zadd(INCIDENTS_KEY, {member: now})
        pipe.zremrangebyscore(INCIDENTS_KEY, "-inf", now - KEEP_INCIDENTS_SECONDS)
        pipe.execute()
    except redis.RedisError:
        logger.warning("could not record the platform incident of submission %s", submission_id)


def incidents_since(since: dt.datetime) -> list[Incident]:
    try:
        members = broker.client().zrangebyscore(INCIDENTS_KEY, since.timestamp(), "+inf")
    except redis.RedisError:
        return []
    found = []
    for member in members:
        data = json.loads(member)
        at = dt.datetime.fromtimestamp(float(data["at"]), tz=dt.UTC)
        found.append(Incident(submission_id=int(data["id"]), reason=str(data["reason"]), at=at))
    return sorted(found, key=lambda incident: incident.at, reverse=True)

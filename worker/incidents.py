"""Platform incidents: a lease that expired, a run our code failed. Each usually
ends in a retry, not in a final state, so it is logged in a Redis sorted set by
time and kept for a day: the operations page can show that a worker died at
3 a.m. even though every submission it held was scored in the end."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass

import redis

from worker import broker

logger = logging.getLogger(__name__)
INCIDENTS_KEY = "milestones:incidents"
KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Incident:
    submission_id: int
    reason: str
    at: dt.datetime


def record_incident(submission_id: int, reason: str) -> None:
    now = time.time()
    member = json.dumps({"id": submission_id, "reason": reason, "at": now})
    try:
        pipe = broker.client().pipeline(transaction=False)
        pipe.zadd(INCIDENTS_KEY, {member: now})
        pipe.zremrangebyscore(INCIDENTS_KEY, "-inf", now - KEEP_SECONDS)
        pipe.execute()
    except redis.RedisError:
        logger.warning("could not record the platform incident of submission %s", submission_id)


def incidents_since(since: dt.datetime) -> list[Incident]:
    """The incidents recorded since ``since``, newest first (none when Redis is down)."""
    try:
        members: list[bytes] = broker.client().zrangebyscore(  # type: ignore[assignment]
            INCIDENTS_KEY, since.timestamp(), "+inf"
        )
    except redis.RedisError:
        return []
    found = []
    for member in members:
        data = json.loads(member)  # bytes: our own JSON
        at = dt.datetime.fromtimestamp(float(data["at"]), tz=dt.UTC)
        found.append(Incident(submission_id=int(data["id"]), reason=str(data["reason"]), at=at))
    return sorted(found, key=lambda incident: incident.at, reverse=True)

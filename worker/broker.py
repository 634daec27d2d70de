"""What the platform keeps in the broker's Redis beside Celery's messages.

The database is the source of truth; Redis only holds hints. The one that
matters is the *sent marker*: a hash entry written after a submission's task
was published. It lives in the same Redis database as the messages, so a
flush or a restart without persistence wipes both together: a queued row with
no marker has, in all likelihood, lost its message, and the reaper sends it
again at once instead of waiting out a long timeout. Every function here is
best effort: Redis being down must never break a state transition.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

SENT_KEY = "milestones:sent"
# kombu's Redis transport keeps a queue's prioritised messages in sibling lists.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")
_clients: dict[str, redis.Redis] = {}


def client() -> redis.Redis:
    """A client of the broker's Redis (CELERY_BROKER_URL: where Celery publishes)."""
    url = str(settings.CELERY_BROKER_URL)
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30
        )
    return _clients[url]


def mark_sent(submission_id: int) -> None:
    try:
        client().hset(SENT_KEY, str(submission_id), f"{time.time():.3f}")
    except redis.RedisError:
        logger.warning("could not record that submission %s was sent", submission_id)


def forget_sent(submission_ids: Iterable[int]) -> None:
    fields = [str(i) for i in submission_ids]
    if not fields:
        return
    try:
        client().hdel(SENT_KEY, *fields)
    except redis.RedisError:
        logger.warning("could not clear the sent markers of %s", fields)


def sent_ids() -> set[int] | None:
    """Submissions whose message was published and not yet claimed; None when
    Redis cannot be read (then nobody can tell what was lost: resend nothing)."""
    try:
        return {int(field) for field in client().hkeys(SENT_KEY)}
    except redis.RedisError:
        logger.warning("cannot read the sent markers; lost messages are not resent this time")
        return None


def queue_depth(queue: str) -> int | None:
    """Messages waiting in ``queue`` (not those a worker has already taken)."""
    try:
        pipe = client().pipeline(transaction=False)
        for suffix in _PRIORITY_SUFFIXES:
            pipe.llen(queue + suffix)
        return int(sum(pipe.execute()))
    except redis.RedisError:
        return None

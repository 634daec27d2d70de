"""Word of a submission's change, the moment it is committed: every transition
publishes the submission's id on a Redis channel of its own (the broker's Redis,
which the site and every worker reach), and a page that shows it listens through
server-sent events (``views.events``) and fetches its new state at once. A
running submission's live state (``live``) is announced on the same channel.
Best effort on both ends: without Redis the pages fall back to polling."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import redis
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)
PREFIX = "milestones:submission:"
LIVE = "live"
_clients: dict[str, redis.Redis] = {}


def redis_client() -> redis.Redis:
    """The broker's Redis (one client per URL: settings change in tests)."""
    url = str(settings.CELERY_BROKER_URL)
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    return _clients[url]


def announce(submission_id: int) -> None:
    """Tell the submission's listeners it changed, once the change is committed."""
    transaction.on_commit(lambda: _publish(submission_id))


def _publish(submission_id: int, word: str = "changed") -> None:
    try:
        redis_client().publish(f"{PREFIX}{submission_id}", word)
    except redis.RedisError:
        logger.warning("could not announce the change of submission %s", submission_id)


def announce_live(submission_id: int) -> None:
    """Tell the submission's listeners its live state (``live``) was renewed."""
    _publish(submission_id, LIVE)


def changes(submission_id: int, *, seconds: float, beat: float = 15.0) -> Iterator[str | None]:
    """For ``seconds``: "changed" each time the submission changes, "live" each time
    its live state is renewed, None every ``beat`` seconds without either (a
    keep-alive); ends early when Redis fails."""
    pubsub = redis_client().pubsub(ignore_subscribe_messages=True)
    try:
        pubsub.subscribe(f"{PREFIX}{submission_id}")
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            message = pubsub.get_message(timeout=min(beat, left))
            yield None if message is None else _word(message.get("data"))
    except redis.RedisError:
        logger.warning("lost the change feed of submission %s", submission_id)
    finally:
        pubsub.close()


def _word(data: object) -> str:
    return LIVE if data in (LIVE, LIVE.encode()) else "changed"

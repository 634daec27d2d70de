"""Word of a submission's change, the moment it is committed: every transition
publishes the submission's id on a Redis channel of its own (the broker's Redis,
which the site and every worker reach), and a page that shows it listens through
server-sent events (``views.events``) and fetches its new state at once. The
page also listens to a running submission's live feed (``worker.api.live_channel``).
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
_clients: dict[str, redis.Redis] = {}


def _client() -> redis.Redis:
    url = str(settings.CELERY_BROKER_URL)
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    return _clients[url]


def announce(submission_id: int) -> None:
    """Tell the submission's listeners it changed, once the change is committed."""
    transaction.on_commit(lambda: _publish(submission_id))


def _publish(submission_id: int) -> None:
    try:
        _client().publish(f"{PREFIX}{submission_id}", "changed")
    except redis.RedisError:
        logger.warning("could not announce the change of submission %s", submission_id)


def changes(
    submission_id: int, *, seconds: float, beat: float = 15.0, live_feed: str = ""
) -> Iterator[str | None]:
    """For ``seconds``: "changed" each time the submission changes, "live" each time
    a message comes on ``live_feed`` (its running run's live state was renewed:
    ``worker.api.live_channel``), None every ``beat`` seconds without either (a
    keep-alive); ends early when Redis fails."""
    pubsub = _client().pubsub(ignore_subscribe_messages=True)
    try:
        pubsub.subscribe(f"{PREFIX}{submission_id}", *([live_feed] if live_feed else []))
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            message = pubsub.get_message(timeout=min(beat, left))
            yield None if message is None else _word(message.get("channel"), live_feed)
    except redis.RedisError:
        logger.warning("lost the change feed of submission %s", submission_id)
    finally:
        pubsub.close()


def _word(channel: object, live_feed: str) -> str:
    live = bool(live_feed) and channel in (live_feed, live_feed.encode())
    return "live" if live else "changed"

"""Where a running submission's live state is kept (``worker.progress`` writes it):
the broker's Redis, for a few seconds past each renewal, and each renewal said
on a channel of its own, which the submission's page listens to beside its
change channel (``server.submissions.events``). Best effort: a Redis failure
costs the live view, never the run."""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

from worker import broker

logger = logging.getLogger(__name__)
KEY = "milestones:live:"
CHANNEL = "milestones:live-feed:"
# A state older than this is stale (its worker died): the page shows the clock only.
KEEP_SECONDS = 15
MAX_STATE_BYTES = 256 * 1024


def channel(submission_id: int) -> str:
    """The channel that says each renewal of the submission's live state."""
    return f"{CHANNEL}{submission_id}"


def keep(submission_id: int, state: dict[str, Any]) -> None:
    """Keep ``state`` as the submission's live state and say so on its channel."""
    data = json.dumps(state, allow_nan=False)
    if len(data) > MAX_STATE_BYTES:
        return
    try:
        client = broker.client()
        client.set(f"{KEY}{submission_id}", data, ex=KEEP_SECONDS)
        client.publish(channel(submission_id), "live")
    except redis.RedisError:
        logger.warning("could not keep the live state of submission %s", submission_id)


def read(submission_id: int) -> dict[str, Any]:
    """The submission's live state as last kept; empty when none is (or Redis fails)."""
    try:
        raw = broker.client().get(f"{KEY}{submission_id}")
    except redis.RedisError:
        return {}
    if not isinstance(raw, bytes | str):
        return {}
    try:
        state = json.loads(raw)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}

"""A running submission's live state: what its worker publishes about every half
second (elapsed time, CPU and peak memory so far, the end of its log, its
progress and curves: ``worker.progress``), kept in Redis for a few seconds and
announced on its change channel (``events``), and what one viewer may see of it.

Who sees it is who sees the final log (the page's own check). An interactive
run's log, resources and curves are not shown live to those a sealed run hides
them from (``sealing.hidden_from``): while it runs, nobody knows yet whether a
query went out, so its author sees only the clock until the run ends."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import redis

from graders.readers.progress_lines import Point, stored_series
from server.submissions import events, sealing
from server.submissions.models import Submission

logger = logging.getLogger(__name__)
PREFIX = "milestones:live:"
# A state older than this is stale (its worker died): the page shows the clock only.
KEEP_SECONDS = 15
MAX_STATE_BYTES = 256 * 1024


def publish(*, submission_id: int, state: dict[str, Any]) -> None:
    """Keep ``state`` as the submission's live state and tell its listeners."""
    data = json.dumps(state, allow_nan=False)
    if len(data) > MAX_STATE_BYTES:
        return
    try:
        events.redis_client().set(f"{PREFIX}{submission_id}", data, ex=KEEP_SECONDS)
    except redis.RedisError:
        logger.warning("could not keep the live state of submission %s", submission_id)
        return
    events.announce_live(submission_id)


def _stored(submission_id: int) -> dict[str, Any]:
    try:
        raw = events.redis_client().get(f"{PREFIX}{submission_id}")
    except redis.RedisError:
        return {}
    if not isinstance(raw, bytes | str):
        return {}
    try:
        state = json.loads(raw)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


@dataclass(frozen=True)
class LiveView:
    """What one viewer sees of a running submission, beyond its clock."""

    shown: bool  # False: the clock only (no state yet, or sealed from this viewer)
    cpu_seconds: float | None = None
    memory_bytes: int | None = None
    log: str = ""
    progress: float | None = None
    left_seconds: float | None = None  # the estimated time left, from its progress
    series: dict[str, list[Point]] = field(default_factory=dict)

    @property
    def progress_percent(self) -> int | None:
        return None if self.progress is None else round(self.progress * 100)


def live_view(*, user: Any, submission: Submission) -> LiveView:
    """The live state of a running submission as ``user`` (who may see it) sees it."""
    if submission.state != Submission.State.RUNNING:
        return LiveView(shown=False)
    state = _stored(submission.id)
    if state.get("attempt") != submission.attempt:
        return LiveView(shown=False)  # none yet, or a taken-over run's
    if state.get("interactive") and sealing.hidden_from(user=user, submission=submission):
        return LiveView(shown=False)
    return LiveView(
        shown=True,
        cpu_seconds=_number(state.get("cpu_seconds")),
        memory_bytes=int(memory) if (memory := _number(state.get("memory_bytes"))) else None,
        log=str(state.get("log", "")),
        progress=_number(state.get("progress")),
        left_seconds=_left(state.get("ends_at")),
        series=stored_series(state.get("curves")),
    )


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _left(ends_at: object) -> float | None:
    """Seconds until the estimated end (a Unix time the worker computed)."""
    end = _number(ends_at)
    return None if end is None else max(end - time.time(), 0.0)


def ends_at(*, elapsed: float, progress: float | None) -> float | None:
    """When a run that is ``progress`` done after ``elapsed`` seconds should end, at
    its pace so far (a Unix time); None until it has made some progress."""
    if progress is None or progress <= 0.0 or elapsed <= 0.0:
        return None
    left = elapsed * (1.0 - progress) / progress
    return time.time() + min(left, dt.timedelta(days=7).total_seconds())

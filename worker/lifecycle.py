"""A submission's state transitions, each one conditional UPDATE whose row count
decides who owns the change (never check-then-act). A running submission is
owned by (state=running, attempt=N): a worker whose lease was taken over can
neither heartbeat nor finish it, so a submission is scored exactly once."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)


def _submissions():  # type: ignore[no-untyped-def]
    return apps.get_model("submissions", "Submission").objects


def _lease_end() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.LEASE_SECONDS)


def claim(*, submission_id: int, worker_id: str) -> int | None:
    """queued -> running under a new attempt; None when someone else has it (or it ended)."""
    with transaction.atomic():
        now = timezone.now()
        claimed = (
            _submissions()
            .filter(id=submission_id, state="queued")
            .update(
                state="running",
                attempt=F("attempt") + 1,
                lease_owner=worker_id,
                lease_expires_at=_lease_end(),
                started_at=now,
            )
        )
        if not claimed:
            return None
        return int(_submissions().values_list("attempt", flat=True).get(id=submission_id))


def heartbeat(*, submission_id: int, attempt: int) -> bool:
    """Renew the lease; False means the run is no longer ours (cancelled or taken over)."""
    renewed = (
        _submissions()
        .filter(id=submission_id, state="running", attempt=attempt)
        .update(lease_expires_at=_lease_end())
    )
    return renewed == 1


def still_ours(*, submission_id: int, attempt: int) -> bool:
    """A read between renewals: a cancel or a take-over is seen within one tick."""
    return bool(_submissions().filter(id=submission_id, state="running", attempt=attempt).exists())


@dataclass(frozen=True)
class RunFacts:
    sandbox_status: str = ""
    wall_seconds: float | None = None
    cpu_seconds: float | None = None
    peak_memory_bytes: int | None = None
    log_tail: str = ""


def finish_scored(*, submission_id: int, attempt: int, public: float, private: float,
                  facts: RunFacts) -> bool:  # fmt: skip
    return _finish(submission_id, attempt, facts, state="scored",
                   public_score=public, private_score=private)  # fmt: skip


def finish_failed(*, submission_id: int, attempt: int, reason: str, facts: RunFacts) -> bool:
    return _finish(submission_id, attempt, facts, state="failed", failure_reason=reason)


def _finish(submission_id: int, attempt: int, facts: RunFacts, **fields: object) -> bool:
    """The one write of a result, guarded by (running, attempt): a run whose lease
    was taken over (or that was cancelled) cannot score, so a score is written once."""
    updated = (
        _submissions()
        .filter(id=submission_id, state="running", attempt=attempt)
        .update(
            finished_at=timezone.now(),
            lease_expires_at=None,
            sandbox_status=facts.sandbox_status,
            wall_seconds=facts.wall_seconds,
            cpu_seconds=facts.cpu_seconds,
            peak_memory_bytes=facts.peak_memory_bytes,
            log_tail=facts.log_tail,
            **fields,
        )
    )
    if updated:
        logger.info("submission %s attempt %s ended %s", submission_id, attempt, fields["state"])
    else:
        logger.warning("submission %s attempt %s is no longer this run's (cancelled or "
                       "taken over): its result is discarded", submission_id, attempt)  # fmt: skip
    return updated == 1


def release_after_platform_failure(*, submission_id: int, attempt: int, reason: str) -> str | None:
    """Our fault: queue it again, or end it as ``error`` once the retries are spent.
    Returns the new state, or None when the run was no longer ours."""
    return _release(_submissions().filter(id=submission_id, state="running", attempt=attempt),
                    reason)  # fmt: skip


def requeue_expired_leases() -> dict[int, str]:
    """Running submissions whose worker stopped heartbeating (died, froze, lost
    its network) go back to the queue, counted as a platform failure; past the
    retries they end ``error``. Returns {submission id: new state}."""
    now = timezone.now()
    expired = _submissions().filter(state="running", lease_expires_at__lt=now)
    reaped = {}
    for submission_id, attempt in expired.values_list("id", "attempt"):
        rows = _submissions().filter(
            id=submission_id, state="running", attempt=attempt, lease_expires_at__lt=now
        )
        state = _release(rows, "the worker running it stopped responding")
        if state is not None:
            reaped[submission_id] = state
    return reaped


def _release(rows, reason: str) -> str | None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    retry = rows.filter(platform_failures__lt=settings.MAX_PLATFORM_ATTEMPTS - 1).update(
        state="queued", queued_at=now, lease_owner="", lease_expires_at=None,
        platform_failures=F("platform_failures") + 1, failure_reason="",
    )  # fmt: skip
    if retry:
        return "queued"
    ended = rows.update(
        state="error", finished_at=now, lease_expires_at=None,
        platform_failures=F("platform_failures") + 1,
        failure_reason=f"The platform could not run this submission ({reason}). "
        "It is not counted against your daily limit.",
    )  # fmt: skip
    return "error" if ended else None

"""A submission's state machine: every transition, and the reads that decide them.

    (upload) --create--> pending --enqueue--> queued --claim--> running --finish--> scored
                            ^                   ^                  |    \\--------> held
                  rescore   |                   +----release-------+     \\-------> failed
         (scored|held|failed)                        (our fault, or its lease expired;
                                                      once the retries are spent: error)
    held --release--> scored (an instructor reviewed it)
    cancel: pending | queued | running --> cancelled
    refuse: pending --> cancelled (the dispatcher: past a compute budget)

Each transition is one conditional UPDATE (``WHERE state = ...``, and the attempt
for a running submission) whose row count decides who owns the change: never
check-then-act. A running submission is owned by (running, attempt N): a worker
whose lease was taken over can neither heartbeat nor finish it, so a submission
is scored exactly once. The site's services, the dispatcher, the workers and the
reaper all come here; nothing else writes ``state``. Each change is announced to
the submission's pages (``events``); asking a worker to dispatch after a change
is the caller's part (``worker.api.request_dispatch``).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from graders import Scores
from server.accounts.models import User
from server.competitions.models import Challenge
from server.leaderboards import standings
from server.site import clock
from server.submissions import events, notices
from server.submissions.allowance import check_allowed
from server.submissions.entrants import Entrant, entrant_of
from server.submissions.models import Submission
from server.teams.models import Team

logger = logging.getLogger(__name__)
State = Submission.State
ACTIVE = (State.QUEUED, State.RUNNING)
CANCELLABLE = (State.PENDING, State.QUEUED, State.RUNNING)
RESCORABLE = (State.SCORED, State.HELD, State.FAILED)
SEEDS = 2**31  # MILESTONES_SEED is below this: it fits every library's seed


def _announced(submission_id: int, changed: bool) -> bool:
    """Tell the submission's pages when it changed (``events``), once the change is
    committed; pass ``changed`` on."""
    if changed:
        transaction.on_commit(lambda: events.announce(submission_id))
    return changed


def _lock_participant(user_id: int) -> None:
    """Serialise this participant's limits (PostgreSQL: a row lock; SQLite: the
    IMMEDIATE transaction already serialises writers)."""
    list(User.objects.select_for_update().filter(pk=user_id).values_list("pk"))


def _lock_author(submission_id: int) -> Submission | None:
    """Lock the submission's author's row, then their team's (the order every
    writer of an entrant's rows takes), and return the submission as it is then."""
    row = Submission.objects.filter(id=submission_id).values_list("user_id", flat=True).first()
    if row is None:
        return None
    _lock_participant(row)
    submission = Submission.objects.select_related("challenge").get(id=submission_id)
    if submission.team_id is not None:
        list(Team.objects.select_for_update().filter(pk=submission.team_id).values_list("pk"))
    return submission


def _boards_changed(submission: Submission, *, joined: bool) -> None:
    """The entrant's standings again; the board's record line too (one more
    point when the submission joined the boards, all again when it left them)."""
    challenge = submission.challenge
    standings.refresh(challenge=challenge, user_id=submission.user_id, team_id=submission.team_id)
    if joined:
        standings.record_scored(challenge=challenge, submission_id=submission.pk)
    else:
        standings.records_rebuild(challenge=challenge)


def lock_entrant(*, user: User, challenge: Challenge) -> Entrant:
    """Lock the participant's row, then their team's (always in that order, so two
    members never wait on each other crosswise), and return who they enter as:
    every member's upload counts against the team's limits one after the other."""
    _lock_participant(user.pk)
    entrant = entrant_of(user=user, challenge=challenge)
    if entrant.team_id is not None:
        list(Team.objects.select_for_update().filter(pk=entrant.team_id).values_list("pk"))
    return entrant


# --- The site's transitions ----------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    """What the phase rules decided for a new submission (competitions.deadlines)."""

    phase_id: int | None = None
    late_days: int = 0


def create(
    *, user: User, challenge: Challenge, upload: UploadedFile, accepted: Accepted | None = None
) -> Submission:
    """A new submission in ``pending``, after the daily limit, disqualifications and
    the compute budget were checked under the entrant's locks: two simultaneous
    uploads (of one participant, or of two members of a team) count one after the
    other, so the last free slot of the day goes to exactly one of them."""
    accepted = accepted or Accepted()
    with transaction.atomic():
        entrant = lock_entrant(user=user, challenge=challenge)
        check_allowed(entrant=entrant, challenge=challenge, now=clock.now())
        submission = Submission(
            user=user,
            challenge=challenge,
            team_id=entrant.team_id,
            phase_id=accepted.phase_id,
            late_days=accepted.late_days,
            token=secrets.token_hex(16),
            original_name=(upload.name or "upload")[:200],
            created_at=clock.now(),
            seed=secrets.randbelow(SEEDS),
        )
        submission.upload.save(upload.name or "main.py", upload, save=False)
        submission.save()
    return submission


def cancel(*, submission_id: int) -> bool:
    """pending | queued | running -> cancelled (a running one is stopped by its
    worker's next tick). A cancelled submission is not charged."""
    cancelled = Submission.objects.filter(id=submission_id, state__in=CANCELLABLE).update(
        state=State.CANCELLED, finished_at=timezone.now(), lease_expires_at=None
    )
    return _announced(submission_id, cancelled == 1)


# What a rescore clears: the stored code runs again from pending, as if new, but
# keeps its creation time (the daily limit counts it exactly as before) and its
# seed (the same run again).
_RESET: dict[str, object] = {
    "state": State.PENDING,
    "public_score": None,
    "private_score": None,
    "public_low": None,
    "public_high": None,
    "private_low": None,
    "private_high": None,
    "hold_reason": "",
    "ran_on": {},
    "failure_reason": "",
    "log_tail": "",
    "sealed": False,
    "log_before_queries": "",
    "curves": {},
    "sandbox_status": "",
    "wall_seconds": None,
    "cpu_seconds": None,
    "gpu_seconds": None,
    "peak_memory_bytes": None,
    "warned_of": "",
    "queued_at": None,
    "started_at": None,
    "finished_at": None,
    "lease_owner": "",
    "lease_expires_at": None,
    "platform_failures": 0,
}


def release(*, submission_id: int) -> bool:
    """held -> scored: an instructor reviewed it and it goes on the boards."""
    with transaction.atomic():
        submission = _lock_author(submission_id)
        moved = Submission.objects.filter(id=submission_id, state=State.HELD)
        released = moved.update(state=State.SCORED) == 1
        if released and submission is not None:
            _boards_changed(submission, joined=True)
    return _announced(submission_id, released)


def refuse(*, submission_id: int, reason: str) -> bool:
    """pending -> cancelled by the dispatcher, with the reason (a compute budget it
    would go past). Like any cancellation, it is not charged."""
    refused = Submission.objects.filter(id=submission_id, state=State.PENDING).update(
        state=State.CANCELLED, finished_at=timezone.now(), failure_reason=reason
    )
    return _announced(submission_id, refused == 1)


def rescore(*, submission_id: int) -> bool:
    """scored | held | failed -> pending: the stored code runs again (off the boards
    until it is scored again)."""
    with transaction.atomic():
        submission = _lock_author(submission_id)
        moved = Submission.objects.filter(id=submission_id, state__in=RESCORABLE).update(**_RESET)
        if moved == 1 and submission is not None and submission.state == State.SCORED:
            _boards_changed(submission, joined=False)
    return _announced(submission_id, moved == 1)


def rescore_challenge(*, challenge_id: int) -> int:
    """Every scored, held or failed submission of a challenge -> pending (after a
    grader fix); its boards empty until they are scored again."""
    with transaction.atomic():
        rows = Submission.objects.filter(challenge_id=challenge_id, state__in=RESCORABLE)
        moved = int(rows.update(**_RESET))
        standings.rebuild(challenge=Challenge.objects.get(pk=challenge_id))
    return moved


# --- The dispatcher's transitions (what it reads: server.submissions.queueing) ---------


def enqueue(*, submission_id: int, user_id: int, cap: int, queue: str) -> bool:
    """pending -> queued on ``queue`` if the participant holds fewer than ``cap``
    active jobs, decided under the lock on their row, so two dispatchers never let
    them past it."""
    with transaction.atomic():
        _lock_participant(user_id)
        if _held(user_id) >= cap:
            return False
        moved = Submission.objects.filter(id=submission_id, state=State.PENDING).update(
            state=State.QUEUED, queued_at=timezone.now(), queue=queue
        )
    return _announced(submission_id, moved == 1)


def _held(user_id: int) -> int:
    return int(Submission.objects.filter(user_id=user_id, state__in=ACTIVE).count())


def restamp_queued(*, submission_id: int, queued_at: dt.datetime) -> bool:
    """queued -> queued with a new ``queued_at``: of two reapers resending one lost
    message, the one whose UPDATE matched sends it."""
    touched = Submission.objects.filter(id=submission_id, state=State.QUEUED, queued_at=queued_at)
    return touched.update(queued_at=timezone.now()) == 1


# --- The worker's transitions -------------------------------------------------------------


def _lease_end() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.LEASE_SECONDS)


def claim(*, submission_id: int, worker_id: str) -> int | None:
    """queued -> running under a new attempt; None when someone else has it (or it ended)."""
    with transaction.atomic():
        claimed = Submission.objects.filter(id=submission_id, state=State.QUEUED).update(
            state=State.RUNNING,
            attempt=F("attempt") + 1,
            lease_owner=worker_id,
            lease_expires_at=_lease_end(),
            started_at=timezone.now(),
        )
        if not claimed:
            return None
        _announced(submission_id, True)
        return int(Submission.objects.values_list("attempt", flat=True).get(id=submission_id))


def claimed(*, submission_id: int) -> Submission:
    """The claimed submission with its challenge, for the run."""
    return Submission.objects.select_related("challenge").get(id=submission_id)


def _running(submission_id: int, attempt: int) -> QuerySet[Submission]:
    return Submission.objects.filter(id=submission_id, state=State.RUNNING, attempt=attempt)


def heartbeat(*, submission_id: int, attempt: int) -> bool:
    """Renew the lease; False means the run is no longer ours (cancelled or taken over)."""
    return _running(submission_id, attempt).update(lease_expires_at=_lease_end()) == 1


def still_ours(*, submission_id: int, attempt: int) -> bool:
    """A read between renewals: a cancel or a take-over is seen within one tick."""
    return _running(submission_id, attempt).exists()


@dataclass(frozen=True)
class RunFacts:
    sandbox_status: str = ""
    wall_seconds: float | None = None
    cpu_seconds: float | None = None
    gpu_seconds: float | None = None  # wall seconds with a GPU held (0: a CPU run)
    peak_memory_bytes: int | None = None
    log_tail: str = ""
    warned_of: str = ""  # the time limit it was warned of ("wall", "cpu"), if it was
    ran_on: dict[str, object] = field(default_factory=dict)  # runtime, CPU, GPU, checksums
    # An interactive run that got a query: what it did after is sealed from its
    # author while the phase is open; the log as it stood before is what they see.
    sealed: bool = False
    log_before_queries: str = ""
    # Its progress and curves, read from its progress lines (worker.progress).
    curves: dict[str, object] = field(default_factory=dict)


def finish_scored(
    *, submission_id: int, attempt: int, scores: Scores, facts: RunFacts, hold_reason: str = ""
) -> bool:
    """running -> scored, or -> held when there is a reason to review it first."""
    public_low, public_high = scores.public_interval or (None, None)
    private_low, private_high = scores.private_interval or (None, None)
    return _finish(
        submission_id,
        attempt,
        facts,
        state=State.HELD if hold_reason else State.SCORED,
        hold_reason=hold_reason,
        public_score=scores.public,
        private_score=scores.private,
        public_low=public_low,
        public_high=public_high,
        private_low=private_low,
        private_high=private_high,
    )


def finish_failed(*, submission_id: int, attempt: int, reason: str, facts: RunFacts) -> bool:
    """running -> failed: the program's fault, final and charged."""
    return _finish(submission_id, attempt, facts, state=State.FAILED, failure_reason=reason)


def _finish(submission_id: int, attempt: int, facts: RunFacts, **fields: object) -> bool:
    """The one write of a result, guarded by (running, attempt): a run whose lease
    was taken over (or that was cancelled) cannot score, so a score is written once.
    A scored one joins its entrant's standings in the same transaction."""
    with transaction.atomic():
        submission = _lock_author(submission_id)
        updated = _finish_update(submission_id, attempt, facts, **fields)
        if updated and submission is not None and fields["state"] == State.SCORED:
            _boards_changed(submission, joined=True)
    if updated:
        logger.info("submission %s attempt %s ended %s", submission_id, attempt, fields["state"])
        notices.run_ended(submission_id)
    else:
        logger.warning(
            "submission %s attempt %s is no longer this run's (cancelled or taken over): "
            "its result is discarded",
            submission_id,
            attempt,
        )
    return _announced(submission_id, updated == 1)


def _facts(facts: RunFacts) -> dict[str, object]:
    """The columns a run's facts are written to."""
    return {
        "sandbox_status": facts.sandbox_status,
        "wall_seconds": facts.wall_seconds,
        "cpu_seconds": facts.cpu_seconds,
        "gpu_seconds": facts.gpu_seconds,
        "peak_memory_bytes": facts.peak_memory_bytes,
        "log_tail": facts.log_tail,
        "warned_of": facts.warned_of,
        "ran_on": facts.ran_on,
        "sealed": facts.sealed,
        "log_before_queries": facts.log_before_queries,
        "curves": facts.curves,
    }


def _finish_update(submission_id: int, attempt: int, facts: RunFacts, **fields: object) -> int:
    return _running(submission_id, attempt).update(
        finished_at=timezone.now(), lease_expires_at=None, **_facts(facts), **fields
    )


def record_cancelled_run(*, submission_id: int, attempt: int, facts: RunFacts) -> bool:
    """A cancelled run's log and resources, kept on its row (cancelled stays
    cancelled); guarded by the attempt, so a run taken over writes nothing."""
    kept = Submission.objects.filter(
        id=submission_id, state=State.CANCELLED, attempt=attempt, sandbox_status=""
    ).update(**_facts(facts))
    return _announced(submission_id, kept == 1)


def release_after_platform_failure(
    *, submission_id: int, attempt: int, reason: str
) -> State | None:
    """running -> queued (our fault: try again) or, once the retries are spent,
    -> error. Returns the new state, or None when the run was no longer ours."""
    state = _release(_running(submission_id, attempt), reason)
    _announced(submission_id, state is not None)
    if state == State.ERROR:
        notices.run_ended(submission_id)
    return state


def requeue_expired_leases() -> dict[int, State]:
    """Running submissions whose worker stopped heartbeating (died, froze, lost its
    network) are released as a platform failure. Returns {submission id: new state}."""
    now = timezone.now()
    expired = Submission.objects.filter(state=State.RUNNING, lease_expires_at__lt=now)
    released = {}
    for submission_id, attempt in expired.values_list("id", "attempt"):
        rows = _running(submission_id, attempt).filter(lease_expires_at__lt=now)
        state = _release(rows, "the worker running it stopped responding")
        if _announced(submission_id, state is not None) and state is not None:
            released[submission_id] = state
            if state == State.ERROR:
                notices.run_ended(submission_id)
    return released


def _release(rows: QuerySet[Submission], reason: str) -> State | None:
    now = timezone.now()
    retry = rows.filter(platform_failures__lt=settings.MAX_PLATFORM_ATTEMPTS - 1).update(
        state=State.QUEUED,
        queued_at=now,
        lease_owner="",
        lease_expires_at=None,
        platform_failures=F("platform_failures") + 1,
        failure_reason="",
    )
    if retry:
        return State.QUEUED
    ended = rows.update(
        state=State.ERROR,
        finished_at=now,
        lease_expires_at=None,
        platform_failures=F("platform_failures") + 1,
        failure_reason=f"The platform could not run this submission ({reason}). "
        "It is not counted against your daily limit.",
    )
    return State.ERROR if ended else None

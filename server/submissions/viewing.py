"""What one viewer sees of one submission: the rules the submission's page and
the API share (who may see the private score, the log they may read, the queue
position, what they may do with it). A rule that changes here reaches both.

A sealed run (an interactive one that received a query, so it has seen hidden
data) shows its author, while its phase is open, nothing the program chose after
that moment: its log ends where it stood before the first query, its failure
reason is one plain sentence (no exit code, no quoted output), its time, CPU and
memory are not shown, and its end is shown only at the next step of a coarse
grid (``sealing``: an eighth of the wall limit, at least a minute) from its
start, so the moment it ended carries at most three bits. Those who manage the challenge see
everything; everyone sees everything once the phase has closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from server.accounts.roles import can_manage, is_author, is_entrant
from server.competitions.selectors import finals_open_for, private_revealed
from server.submissions import sealing
from server.submissions.models import Submission
from server.submissions.selectors import QueueStatus, queue_status
from worker.api import warning_seconds

LOG_TAIL_LINES = 40
# How long a cancelled run's page waits for its worker to record what it ran.
AWAITING_RUN_FACTS = dt.timedelta(seconds=30)
SEALED_NOTE = (
    "[the rest of the log is sealed while the phase is open: after the grader's "
    "first query the program has seen hidden data; it is shown when the phase closes]"
)
SEALED_REASON = (
    "It failed after the grader's first query. What it did from then on (its "
    "output, its exit, the time and memory it used) is sealed while the phase is "
    "open; the log shows what it printed before."
)


def end_shown_at(submission: Submission) -> dt.datetime | None:
    """When a sealed run's end may be shown to its author (``sealing``)."""
    return sealing.end_shown_at(
        started=submission.started_at,
        ended=submission.finished_at,
        wall_limit_seconds=float(submission.challenge.limits.get("wall_seconds", 60)),
    )


def shown_state(*, user: Any, submission: Submission) -> str:
    """The state this viewer is shown: a sealed run is still "running" to its author
    until its end may be shown."""
    if submission.is_final and sealing.sealed_for(user=user, submission=submission):
        shown_at = end_shown_at(submission)
        if shown_at is not None and timezone.now() < shown_at:
            return Submission.State.RUNNING
    return str(submission.state)


def visible_log(*, user: Any, submission: Submission) -> str:
    """The log this viewer may read of a submission they may see: the whole log the
    sandbox kept, or for a sealed run its author's part while the phase is open."""
    if sealing.sealed_for(user=user, submission=submission):
        before = submission.log_before_queries.rstrip("\n")
        return f"{before}\n{SEALED_NOTE}\n".lstrip("\n")
    return submission.log_tail


@dataclass(frozen=True)
class CutShort:
    """A run that ended on the warning before a time limit (worker/sandbox/warning.py)."""

    which: str  # "wall" or "cpu"
    limit_seconds: float
    before_seconds: float  # the warning came this long before the limit

    @property
    def limit_name(self) -> str:
        return "CPU-time" if self.which == "cpu" else "wall-clock"


@dataclass(frozen=True)
class SubmissionView:
    submission: Submission
    manages: bool
    is_author: bool
    is_entrant: bool  # its author or a teammate: marks finals, asks for a regrade
    show_private: bool  # the private split's score: its managers, or everyone once revealed
    queue_position: int | None
    queue: QueueStatus | None  # its lane, those ahead, an estimated start (while queued)
    finals_open: bool
    log: str
    sealed: bool  # what the program did after its first query is hidden from this viewer
    state: str  # the state this viewer is shown (a sealed run's end waits for its step)

    @property
    def is_final(self) -> bool:
        return self.state in Submission.FINAL_STATES

    @property
    def state_label(self) -> str:
        return str(Submission.State(self.state).label)

    @property
    def has_scores(self) -> bool:
        return self.state in (Submission.State.SCORED, Submission.State.HELD)

    @property
    def failure_reason(self) -> str:
        reason = self.submission.failure_reason
        if not self.is_final:
            return ""
        return SEALED_REASON if self.sealed and reason else reason

    @property
    def awaiting_run_facts(self) -> bool:
        """Cancelled while it ran, and its worker has not yet recorded its log and
        resources (it does within a tick or two): the page keeps asking a little while."""
        submission = self.submission
        return (
            self.state == Submission.State.CANCELLED
            and submission.started_at is not None
            and not submission.sandbox_status
            and submission.finished_at is not None
            and timezone.now() - submission.finished_at < AWAITING_RUN_FACTS
        )

    @property
    def resources_shown(self) -> bool:
        """Its time, CPU and memory: not for a sealed run's author."""
        return not self.sealed and self.is_final

    @property
    def cut_short(self) -> CutShort | None:
        """The warning before a time limit, when the program ended cleanly after it
        (so its output is what it wrote by then); hidden from a sealed run's author."""
        which = self.submission.warned_of
        if not self.resources_shown or self.submission.sandbox_status != "ok" or not which:
            return None
        key = "cpu_seconds" if which == "cpu" else "wall_seconds"
        limit = float(self.submission.challenge.limits.get(key, 60))
        return CutShort(which=which, limit_seconds=limit, before_seconds=warning_seconds(limit))

    @property
    def public_score(self) -> float | None:
        return self.submission.public_score if self.has_scores else None

    @property
    def public_interval(self) -> tuple[float, float] | None:
        return self.submission.public_interval if self.has_scores else None

    @property
    def private_score(self) -> float | None:
        shown = self.show_private and self.has_scores
        return self.submission.private_score if shown else None

    @property
    def private_interval(self) -> tuple[float, float] | None:
        shown = self.show_private and self.has_scores
        return self.submission.private_interval if shown else None

    @property
    def finished_at(self) -> dt.datetime | None:
        return self.submission.finished_at if self.is_final else None

    @property
    def resources(self) -> Submission | None:
        """The run's status and what it used, when this viewer may see them."""
        return self.submission if self.resources_shown else None

    @property
    def hold_reason(self) -> str | None:
        """What made it held, for those who manage the challenge (it may quote hidden data)."""
        return self.submission.hold_reason if self.manages else None

    @property
    def curves(self) -> dict[str, object]:
        """Its kept progress and curves: not for a sealed run's author (they run past
        its first query)."""
        return {} if self.sealed else self.submission.curves

    @property
    def log_tail(self) -> str:
        return "\n".join(self.log.splitlines()[-LOG_TAIL_LINES:])

    @property
    def log_cut(self) -> bool:
        return len(self.log.splitlines()) > LOG_TAIL_LINES

    @property
    def elapsed_seconds(self) -> float | None:
        """How long it has run (running), or ran (ended); None before it starts."""
        started = self.submission.started_at
        if self.state == Submission.State.RUNNING and started is not None:
            return max((timezone.now() - started).total_seconds(), 0.0)
        return self.submission.wall_seconds if self.resources_shown else None

    @property
    def wall_limit_seconds(self) -> int | None:
        limit = self.submission.challenge.limits.get("wall_seconds")
        return int(limit) if limit is not None else None

    @property
    def deadline(self) -> dt.datetime | None:
        """When a running submission hits its wall limit."""
        started, limit = self.submission.started_at, self.wall_limit_seconds
        if self.state != Submission.State.RUNNING or started is None or limit is None:
            return None
        return started + dt.timedelta(seconds=limit)


def submission_view(*, user: Any, submission: Submission) -> SubmissionView:
    """``submission`` as ``user`` sees it (one they may see: ``submission_visible_to``)."""
    challenge = submission.challenge
    manages = can_manage(user, challenge)
    queue = queue_status(submission=submission)
    return SubmissionView(
        submission=submission,
        manages=manages,
        is_author=is_author(user, submission),
        is_entrant=is_entrant(user, submission),
        show_private=manages
        or private_revealed(
            challenge=challenge, created_at=submission.created_at, phase_id=submission.phase_id
        ),
        queue_position=queue.ahead if queue is not None else None,
        queue=queue,
        finals_open=finals_open_for(
            challenge=challenge, created_at=submission.created_at, phase_id=submission.phase_id
        ),
        log=visible_log(user=user, submission=submission),
        sealed=sealing.sealed_for(user=user, submission=submission),
        state=shown_state(user=user, submission=submission),
    )

"""What one viewer sees of a running submission's live state: what its worker
keeps about every half second (CPU and peak memory so far, the end of its log,
its progress and curves: ``worker.progress``), read through ``worker.api``.

Who sees it is who sees the final log (the page's own check). An interactive
run's log, resources and curves are not shown live to those a sealed run hides
them from (``sealing.hidden_from``): while it runs, nobody knows yet whether a
query went out, so its author sees only the clock until the run ends. Whether a
run is interactive is read from its challenge, and from the worker's word."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from graders import GradingSpecError, LiveGraded, load_spec
from graders.readers.progress_lines import Point, stored_series
from server.submissions import sealing
from server.submissions.models import Submission
from worker.api import live_state


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
    state = live_state(submission.id)
    if state.get("attempt") != submission.attempt:
        return LiveView(shown=False)  # none yet, or a taken-over run's
    interactive = state.get("interactive") is not False or _interactive(submission)
    if interactive and sealing.hidden_from(user=user, submission=submission):
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


def _interactive(submission: Submission) -> bool:
    """Whether its challenge is graded live (an unreadable grading counts as live)."""
    try:
        return isinstance(load_spec(submission.challenge.grading), LiveGraded)
    except GradingSpecError:
        return True


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _left(ends_at: object) -> float | None:
    """Seconds until the estimated end (a Unix time the worker computed)."""
    end = _number(ends_at)
    return None if end is None else max(end - time.time(), 0.0)

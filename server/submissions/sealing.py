"""The grid a sealed run is seen through (see ``server.submissions.viewing``).

A program that has seen hidden data could spell it out in anything it controls
and its author sees. Its log after the first query, its exit and its failure
text are not shown; what cannot be hidden, when it ended and how much compute it
used, is shown on a grid of END_STEPS steps of the run's limit, so each carries
at most log2(END_STEPS) = 3 bits per run."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from server.accounts.roles import can_manage
from server.competitions.selectors import private_revealed

if TYPE_CHECKING:
    from server.submissions.models import Submission

END_STEPS = 8
MIN_STEP_SECONDS = 60.0


def step_seconds(limit_seconds: float) -> float:
    """One step of the grid over a limit: an eighth of it, at least a minute."""
    return max(limit_seconds / END_STEPS, MIN_STEP_SECONDS)


def end_shown_at(
    *, started: dt.datetime | None, ended: dt.datetime | None, wall_limit_seconds: float
) -> dt.datetime | None:
    """When a sealed run's end may be shown: the next step of the grid from its start."""
    if started is None or ended is None:
        return None
    step = step_seconds(wall_limit_seconds)
    steps = max(math.ceil((ended - started).total_seconds() / step), 1)
    return started + dt.timedelta(seconds=steps * step)


def charged_seconds(seconds: float | None, *, limit_seconds: float, sealed: bool) -> float:
    """What a run's CPU (or GPU) seconds count for on its budget: a sealed run's,
    rounded up to the grid of its limit."""
    used = float(seconds or 0.0)
    if not sealed or used == 0.0:
        return used
    step = step_seconds(limit_seconds)
    return math.ceil(used / step) * step


def sealed_for(*, user: Any, submission: Submission) -> bool:
    """Whether this viewer must not see what the program did after its first query."""
    return submission.sealed and hidden_from(user=user, submission=submission)


def hidden_from(*, user: Any, submission: Submission) -> bool:
    """Whether what an interactive run did after its first query is hidden from this
    viewer: all but those who manage the challenge, until the private split is revealed."""
    if can_manage(user, submission.challenge):
        return False
    return not private_revealed(
        challenge=submission.challenge,
        created_at=submission.created_at,
        phase_id=submission.phase_id,
    )

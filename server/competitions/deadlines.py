"""When one participant (or team) may submit: the open phase, else a later
deadline an instructor granted them (an extension), else a phase's late window,
each day late counted for the gradebook's penalty."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from server.competitions.models import Challenge, Extension, Phase
from server.competitions.selectors import PhaseState, phase_state
from server.site import clock

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Acceptance:
    """Whether a submission made now is accepted, for which phase and how late."""

    accepted: bool
    phase: Phase | None  # None on a challenge without phases
    late_days: int  # days (started) after the participant's deadline; 0: on time
    deadline: dt.datetime | None  # the participant's own deadline in that phase
    reason: str  # why it is refused (empty when accepted)

    @property
    def is_late(self) -> bool:
        return self.late_days > 0


def extension_for(*, phase: Phase, user_id: int, team_id: int | None) -> Extension | None:
    """The extension that applies: the team's when in a team, else the participant's."""
    for extension in phase.extensions.all():  # prefetched by phase_state's callers
        if team_id is not None and extension.team_id == team_id:
            return extension
        if team_id is None and extension.user_id == user_id:
            return extension
    return None


def deadline_for(*, phase: Phase, user_id: int, team_id: int | None) -> dt.datetime:
    extension = extension_for(phase=phase, user_id=user_id, team_id=team_id)
    return max(phase.ends_at, extension.ends_at) if extension is not None else phase.ends_at


def late_days(*, deadline: dt.datetime, at: dt.datetime) -> int:
    """Days started since ``deadline``: a minute late is one day."""
    if at < deadline:
        return 0
    return max(1, math.ceil((at - deadline) / DAY))


def acceptance(
    *, challenge: Challenge, user_id: int, team_id: int | None, at: dt.datetime
) -> Acceptance:
    state = phase_state(challenge=challenge, at=at)
    if not state.phases:
        return Acceptance(True, None, 0, None, "")
    if state.current is not None:
        own = deadline_for(phase=state.current, user_id=user_id, team_id=team_id)
        return Acceptance(True, state.current, 0, own, "")
    ended = state.last_ended
    if ended is None:
        return Acceptance(False, None, 0, None, state.closed_reason)
    own = deadline_for(phase=ended, user_id=user_id, team_id=team_id)
    if at < own:
        return Acceptance(True, ended, 0, own, "")
    if ended.late_until is not None and at < ended.late_until:
        return Acceptance(True, ended, late_days(deadline=own, at=at), own, "")
    return Acceptance(False, ended, 0, own, _closed_reason(state, ended, own))


def _closed_reason(state: PhaseState, ended: Phase, own: dt.datetime) -> str:
    if own > ended.ends_at and (ended.late_until is None or own >= ended.late_until):
        return (
            f"Submissions are closed: your extension of {ended.name} ended on "
            f"{clock.site_time(own)}.{state.upcoming_note}"
        )
    return state.closed_reason

"""Reads on challenges: visibility, phases and what they allow right now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from server.accounts.roles import can_see
from server.competitions.models import Challenge, Disqualification, Phase
from server.site import clock


def challenge_list() -> QuerySet[Challenge]:
    return Challenge.objects.filter(is_published=True).prefetch_related("baselines")


def challenge_visible(*, slug: str, user: Any) -> Challenge:
    """The challenge if this user may see it (published, or a draft they manage);
    raises Challenge.DoesNotExist otherwise, so a draft's existence does not leak."""
    challenge = (
        Challenge.objects.select_related("owner")
        .prefetch_related("baselines", "phases", "phases__extensions")
        .get(slug=slug)
    )
    if not can_see(user, challenge):
        raise Challenge.DoesNotExist(slug)
    return challenge


def challenges_managed_by(*, user: Any) -> QuerySet[Challenge]:
    rows = Challenge.objects.select_related("owner").prefetch_related(
        "phases", "phases__extensions"
    )
    return rows if user.is_staff else rows.filter(owner=user)


def disqualification_of(*, challenge: Challenge, user: Any) -> Disqualification | None:
    if not user.is_authenticated:
        return None
    return Disqualification.objects.filter(challenge=challenge, user=user).first()


@dataclass(frozen=True)
class PhaseState:
    """Where a challenge stands at one moment: the open phase (if any), the next
    one to open, and whether submissions are accepted, with the reason when not."""

    phases: list[Phase]
    current: Phase | None
    upcoming: Phase | None
    last_ended: Phase | None
    at: dt.datetime

    @property
    def accepting(self) -> bool:
        return not self.phases or self.current is not None

    @property
    def deadline(self) -> dt.datetime | None:
        return self.current.ends_at if self.current is not None else None

    @property
    def upcoming_note(self) -> str:
        """When submissions open again: the next phase, or that none is planned."""
        if self.upcoming is not None:
            return f" The next phase, {self.upcoming.name}, opens {_fmt(self.upcoming.starts_at)}."
        return " No further phase is planned."

    @property
    def closed_reason(self) -> str:
        """Why submissions are refused now, and when they open again (empty when open)."""
        if self.accepting:
            return ""
        if self.last_ended is not None:
            ended = self.last_ended
            late = (
                f"; late submissions were accepted until {clock.site_time(ended.late_until)}"
                if ended.late_until is not None
                else ""
            )
            return f"Submissions are closed: {ended.name} ended {_fmt(ended.ends_at)}{late}.{self.upcoming_note}"
        return f"Submissions are not open yet.{self.upcoming_note}"


def _fmt(moment: dt.datetime) -> str:
    return f"on {clock.site_time(moment)}"


def phase_state(*, challenge: Challenge, at: dt.datetime | None = None) -> PhaseState:
    """Phases are read from the prefetch cache when the selector above loaded them."""
    moment = at or clock.now()
    phases = sorted(challenge.phases.all(), key=lambda phase: phase.starts_at)
    current = next((p for p in phases if p.is_open_at(moment)), None)
    upcoming = next((p for p in phases if p.starts_at > moment), None)
    ended = [p for p in phases if p.has_ended_at(moment)]
    return PhaseState(
        phases=phases,
        current=current,
        upcoming=upcoming,
        last_ended=max(ended, key=lambda p: p.ends_at) if ended else None,
        at=moment,
    )


def phase_containing(*, challenge: Challenge, moment: dt.datetime) -> Phase | None:
    return next((p for p in challenge.phases.all() if p.is_open_at(moment)), None)


def phase_of(*, challenge: Challenge, phase_id: int | None, at: dt.datetime) -> Phase | None:
    """A submission's phase: the one it was accepted for, else (made before
    submissions recorded it) the one open when it was made."""
    if phase_id is not None:
        found = next((p for p in challenge.phases.all() if p.id == phase_id), None)
        if found is not None:
            return found
    return phase_containing(challenge=challenge, moment=at)


def private_revealed(
    *, challenge: Challenge, created_at: dt.datetime, phase_id: int | None = None
) -> bool:
    """A submission's private score is public once its phase has closed (its
    deadline, late window and every extension over)."""
    phase = phase_of(challenge=challenge, phase_id=phase_id, at=created_at)
    return phase is not None and phase.has_closed_at(clock.now())


def finals_open_for(
    *, challenge: Challenge, created_at: dt.datetime, phase_id: int | None = None
) -> bool:
    """Whether a submission may still be marked as final: until its phase closes
    (always, on a challenge without phases)."""
    phase = phase_of(challenge=challenge, phase_id=phase_id, at=created_at)
    if phase is None:
        return not challenge.phases.all()
    return not phase.has_closed_at(clock.now())

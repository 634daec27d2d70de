"""Reads on challenges: visibility, phases and what they allow right now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from server import clock
from server.accounts.roles import can_see
from server.competitions.models import Challenge, Disqualification, Phase


def challenge_list() -> QuerySet[Challenge]:
    return Challenge.objects.filter(is_published=True).prefetch_related("baselines")


def challenge_visible(*, slug: str, user: Any) -> Challenge:
    """The challenge if this user may see it (published, or a draft they manage);
    raises Challenge.DoesNotExist otherwise, so a draft's existence does not leak."""
    challenge = (
        Challenge.objects.select_related("owner")
        .prefetch_related("baselines", "phases")
        .get(slug=slug)
    )
    if not can_see(user, challenge):
        raise Challenge.DoesNotExist(slug)
    return challenge


def challenges_managed_by(*, user: Any) -> QuerySet[Challenge]:
    rows = Challenge.objects.select_related("owner").prefetch_related("phases")
    return rows if user.is_staff else rows.filter(owner=user)


def participant_counts(*, challenges: Iterable[Challenge]) -> dict[int, int]:
    """How many people have submitted to each challenge (for the landing cards)."""
    from server.submissions.models import Submission

    rows = (
        Submission.objects.filter(challenge_id__in=[c.id for c in challenges])
        .values("challenge_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    return {row["challenge_id"]: row["n"] for row in rows}


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
    def closed_reason(self) -> str:
        """Why submissions are refused now, and when they open again (empty when open)."""
        if self.accepting:
            return ""
        when = (
            f" The next phase, {self.upcoming.name}, opens {_fmt(self.upcoming.starts_at)}."
            if self.upcoming is not None
            else " No further phase is planned."
        )
        if self.last_ended is not None:
            return f"Submissions are closed: {self.last_ended.name} ended {_fmt(self.last_ended.ends_at)}.{when}"
        return f"Submissions are not open yet.{when}"


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


def private_revealed(*, challenge: Challenge, created_at: dt.datetime) -> bool:
    """A submission's private score is public once the phase it was made in has ended."""
    phase = phase_containing(challenge=challenge, moment=created_at)
    return phase is not None and phase.has_ended_at(clock.now())


def finals_open_for(*, challenge: Challenge, created_at: dt.datetime) -> bool:
    """Whether a submission made at ``created_at`` may still be marked as final:
    until its phase ends (always, on a challenge without phases)."""
    phase = phase_containing(challenge=challenge, moment=created_at)
    if phase is None:
        return not challenge.phases.all()
    return not phase.has_ended_at(clock.now())

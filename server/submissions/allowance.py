"""Who may submit now: the rolling daily limit, disqualifications and the
compute budget, counted per entrant (a participant, or their team).

One home for the rule, read by the challenge page (``allowance_of``) and
enforced by the transition that creates a submission (``check_allowed``, run
under the lock on the participant's row and their team's, so the last free slot
goes to one upload only, whichever member sends it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from server.accounts.models import User
from server.competitions.models import Challenge, Disqualification
from server.site import clock
from server.submissions import compute
from server.submissions.entrants import Entrant, entrant_of
from server.submissions.errors import SubmissionRefused
from server.submissions.models import Submission
from server.teams.models import Membership

# The platform's failures and cancellations are never charged to the student.
UNCHARGED_STATES = (Submission.State.ERROR, Submission.State.CANCELLED)
WINDOW = dt.timedelta(hours=24)


def charged(*, entrant: Entrant, challenge: Challenge, since: dt.datetime) -> QuerySet[Submission]:
    """The entrant's submissions that count against the limit, made since ``since``."""
    return Submission.objects.filter(
        entrant.rows, challenge=challenge, created_at__gte=since
    ).exclude(state__in=UNCHARGED_STATES)


@dataclass(frozen=True)
class Allowance:
    """The daily limit as a participant sees it: a rolling 24 hours."""

    limit: int
    used: int
    next_free_at: dt.datetime | None  # when the oldest charged one leaves the window

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def allowance_of(*, user: User, challenge: Challenge) -> Allowance:
    entrant = entrant_of(user=user, challenge=challenge)
    rows = charged(entrant=entrant, challenge=challenge, since=clock.now() - WINDOW)
    oldest = rows.order_by("created_at").values_list("created_at", flat=True).first()
    return Allowance(
        limit=challenge.submissions_per_day,
        used=rows.count(),
        next_free_at=oldest + WINDOW if oldest is not None else None,
    )


def barred_reason(*, entrant: Entrant, challenge: Challenge) -> str | None:
    """Why the entrant may not submit to the challenge at all: a disqualification
    of the participant, or of anyone in their team."""
    rows = Disqualification.objects.filter(challenge=challenge)
    if entrant.team_id is not None:
        members = Membership.objects.filter(team_id=entrant.team_id).values("user_id")
        barred = rows.filter(user_id__in=members).select_related("user").first()
        if barred is not None and barred.user_id != entrant.user_id:
            return f"{barred.user.username}, of your team, was disqualified: {barred.reason}"
    else:
        barred = rows.filter(user_id=entrant.user_id).first()
    if barred is not None:
        return f"You were disqualified from this challenge: {barred.reason}"
    return None


def check_allowed(*, entrant: Entrant, challenge: Challenge, now: dt.datetime) -> None:
    """Raise ``SubmissionRefused`` when the entrant is disqualified, has used the
    day's submissions or has spent the compute budget. Call it inside the
    transaction that holds their rows."""
    reason = barred_reason(entrant=entrant, challenge=challenge)
    if reason is not None:
        raise SubmissionRefused(reason)
    limit = challenge.submissions_per_day
    rows = charged(entrant=entrant, challenge=challenge, since=now - WINDOW)
    times = list(rows.order_by("created_at").values_list("created_at", flat=True)[:limit])
    if len(times) >= limit:
        frees = times[0] + WINDOW if times else now
        whose = "Your team has used its" if entrant.team_id is not None else "You have used your"
        raise SubmissionRefused(
            f"{whose} {limit} submissions of the last 24 hours on this challenge; "
            f"the next one frees up at {clock.site_time(frees)}."
        )
    spent = compute.budget_spent(entrant=entrant, challenge=challenge, now=now)
    if spent is not None:
        raise SubmissionRefused(spent)

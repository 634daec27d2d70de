"""Forming teams on a challenge: create one, join by its code, leave.

The rules, decided under the locks a submission takes (the participant's row,
then the team's), so no upload slips between a check and a join:
- teams exist only where the challenge allows more than one member;
- teams form and merge until the challenge's teams deadline (its last phase's
  end when it sets none);
- a team holds at most ``challenge.team_size`` members, and a participant is in
  at most one team per challenge;
- joining brings the participant's submissions on the challenge into the team;
  it is refused when the two together have made more submissions in the last 24
  hours than the daily limit, or used more compute than the budget (merging must
  not buy anyone extra tries);
- a member may leave while none of their submissions is in the team (they
  belong to the team once made); the last member leaving removes the team.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction

from server.accounts.models import User
from server.competitions.models import Challenge
from server.leaderboards import standings
from server.site import clock
from server.submissions import compute, lifecycle
from server.submissions.allowance import WINDOW, barred_reason, charged
from server.submissions.entrants import Entrant
from server.submissions.models import Submission
from server.teams.models import Membership, Team

NAME_MAX = 60


class TeamRefused(Exception):
    """A team change that cannot be made; ``str(exc)`` says why."""


def teams_lock_at(challenge: Challenge) -> dt.datetime | None:
    """When teams stop forming and merging (None: never, on a challenge without
    phases and without a set deadline)."""
    if challenge.teams_lock_at is not None:
        return challenge.teams_lock_at
    phases = list(challenge.phases.all())
    return max(p.ends_at for p in phases) if phases else None


def _check_open(challenge: Challenge) -> None:
    if not challenge.allows_teams:
        raise TeamRefused("This challenge is entered individually: it has no teams.")
    lock = teams_lock_at(challenge)
    if lock is not None and clock.now() >= lock:
        raise TeamRefused(
            f"Teams were fixed on {clock.site_time(lock)}: they can no longer change."
        )


def _solo(user: User) -> Entrant:
    return Entrant(user_id=user.pk, team_id=None, name=user.username)


def team_create(*, user: User, challenge: Challenge, name: str) -> Team:
    name = " ".join(name.split())
    if not name:
        raise TeamRefused("A team needs a name.")
    if len(name) > NAME_MAX:
        raise TeamRefused(f"A team's name holds at most {NAME_MAX} characters.")
    _check_open(challenge)
    try:
        with transaction.atomic():
            entrant = lifecycle.lock_entrant(user=user, challenge=challenge)
            if entrant.team_id is not None:
                raise TeamRefused(f"You are already in the team {entrant.name}.")
            reason = barred_reason(entrant=entrant, challenge=challenge)
            if reason is not None:
                raise TeamRefused(reason)
            team = Team.objects.create(
                challenge=challenge, name=name, code=secrets.token_urlsafe(9), created_by=user
            )
            _join(team, user, challenge)
            return team
    except IntegrityError:
        raise TeamRefused(f"A team named {name!r} already exists on this challenge.") from None


def team_join(*, user: User, challenge: Challenge, code: str) -> Team:
    _check_open(challenge)
    with transaction.atomic():
        entrant = lifecycle.lock_entrant(user=user, challenge=challenge)
        team = (
            Team.objects.select_for_update().filter(challenge=challenge, code=code.strip()).first()
        )
        if team is None:
            raise TeamRefused("No team of this challenge has that code; ask its members for it.")
        if entrant.team_id is not None:
            raise TeamRefused(f"You are already in the team {entrant.name}; leave it first.")
        if team.memberships.count() >= challenge.team_size:
            raise TeamRefused(f"{team.name} is full: a team holds {challenge.team_size} at most.")
        for reason in (
            barred_reason(entrant=_solo(user), challenge=challenge),
            barred_reason(entrant=_as_entrant(team, user), challenge=challenge),
        ):
            if reason is not None:
                raise TeamRefused(reason)
        _check_merge(team, user, challenge)
        _join(team, user, challenge)
        return team


def _as_entrant(team: Team, user: User) -> Entrant:
    return Entrant(user_id=user.pk, team_id=team.pk, name=team.name)


def _check_merge(team: Team, user: User, challenge: Challenge) -> None:
    now = clock.now()
    since = now - WINDOW
    made = charged(entrant=_as_entrant(team, user), challenge=challenge, since=since).count()
    made += charged(entrant=_solo(user), challenge=challenge, since=since).count()
    if made > challenge.submissions_per_day:
        raise TeamRefused(
            f"Together you made {made} submissions in the last 24 hours, more than the daily "
            f"limit of {challenge.submissions_per_day}: join once some of them are older."
        )
    team_use = compute.budget_of(entrant=_as_entrant(team, user), challenge=challenge, now=now)
    own_use = compute.budget_of(entrant=_solo(user), challenge=challenge, now=now)
    if team_use is None or own_use is None:
        return
    for kind, used, limit in (
        ("CPU", team_use.cpu_used + own_use.cpu_used, team_use.cpu_limit),
        ("GPU", team_use.gpu_used + own_use.gpu_used, team_use.gpu_limit),
    ):
        if limit is not None and used > limit:
            raise TeamRefused(
                f"Together you used {used:,.0f} {kind} seconds in {team_use.period}, more "
                f"than the budget of {limit:,}: join once some of those runs are older."
            )


def _join(team: Team, user: User, challenge: Challenge) -> None:
    Membership.objects.create(team=team, challenge=challenge, user=user)
    # The participant's own submissions on the challenge now count for the team.
    Submission.objects.filter(user=user, challenge=challenge, team__isnull=True).update(team=team)
    standings.refresh(challenge=challenge, user_id=user.pk)
    standings.refresh(challenge=challenge, team_id=team.pk)


def team_leave(*, user: User, challenge: Challenge) -> None:
    _check_open(challenge)
    with transaction.atomic():
        entrant = lifecycle.lock_entrant(user=user, challenge=challenge)
        if entrant.team_id is None:
            raise TeamRefused("You are not in a team on this challenge.")
        if Submission.objects.filter(user=user, team_id=entrant.team_id).exists():
            raise TeamRefused(
                "Your submissions belong to the team now: you stay in it until the end."
            )
        Membership.objects.filter(team_id=entrant.team_id, user=user).delete()
        empty = not Membership.objects.filter(team_id=entrant.team_id).exists()
        unused = not Submission.objects.filter(team_id=entrant.team_id).exists()
        if empty and unused:
            Team.objects.filter(pk=entrant.team_id).delete()

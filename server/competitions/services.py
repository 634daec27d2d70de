"""Writes on challenges an instructor makes from the site: the competition rules,
phases and disqualifications. Loading bundles is ``server.competitions.loading``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from server.accounts.models import User
from server.competitions import preparations
from server.competitions.models import Challenge, Disqualification, Extension, Phase
from server.leaderboards import standings
from server.teams.models import Membership, Team


class ChangeRefused(Exception):
    """An instructor's change that cannot be made; ``str(exc)`` says why."""


def challenge_set_rules(
    *,
    challenge: Challenge,
    daily_limit: int | None,
    max_final: int,
    is_published: bool,
    team_size: int = 1,
    teams_lock_at: dt.datetime | None = None,
    cpu_budget_seconds: int | None = None,
    gpu_budget_seconds: int | None = None,
    budget_period: str = Challenge.BudgetPeriod.WEEK,
) -> None:
    if daily_limit is not None and daily_limit < 1:
        raise ChangeRefused("The daily limit must be at least 1 (or empty for the default).")
    if not 1 <= max_final <= 20:
        raise ChangeRefused("Final submissions must be between 1 and 20.")
    if not 1 <= team_size <= 20:
        raise ChangeRefused("A team holds between 1 (individual entries) and 20 participants.")
    if team_size < challenge.team_size:
        biggest = max((t.memberships.count() for t in challenge.teams.all()), default=0)
        if biggest > team_size:
            raise ChangeRefused(
                f"A team already has {biggest} members: the size cannot go below that."
            )
    for budget in (cpu_budget_seconds, gpu_budget_seconds):
        if budget is not None and budget < 1:
            raise ChangeRefused("A compute budget is at least 1 second (or empty for none).")
    if budget_period not in Challenge.BudgetPeriod.values:
        raise ChangeRefused("The budget period is a day or a week.")
    if is_published and not challenge.is_published:
        refused = preparations.publish_refusal(challenge=challenge)
        if refused is not None:
            raise ChangeRefused(refused)
    finals_changed = max_final != challenge.max_final
    Challenge.objects.filter(pk=challenge.pk).update(
        daily_limit=daily_limit,
        max_final=max_final,
        is_published=is_published,
        team_size=team_size,
        teams_lock_at=teams_lock_at,
        cpu_budget_seconds=cpu_budget_seconds,
        gpu_budget_seconds=gpu_budget_seconds,
        budget_period=budget_period,
    )
    if finals_changed:  # the private boards pick among each entrant's best anew
        challenge.refresh_from_db()
        standings.rebuild(challenge=challenge)


def phase_create(
    *,
    challenge: Challenge,
    name: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    late_until: dt.datetime | None = None,
    late_penalty_percent: int = 0,
) -> Phase:
    """Add a phase; phases of one challenge never overlap, so at most one is open.
    Late submissions are accepted until ``late_until`` (when set), each day late
    costing ``late_penalty_percent`` of the grade."""
    if not name.strip():
        raise ChangeRefused("A phase needs a name.")
    if ends_at <= starts_at:
        raise ChangeRefused("A phase must end after it starts.")
    if late_until is not None and late_until <= ends_at:
        raise ChangeRefused("Late submissions must be accepted until after the phase ends.")
    if not 0 <= late_penalty_percent <= 100:
        raise ChangeRefused("The penalty per day late is between 0 and 100 percent.")
    with transaction.atomic():
        # Serialise phase changes of this challenge: the overlap check then holds.
        Challenge.objects.select_for_update().filter(pk=challenge.pk).exists()
        clash = Phase.objects.filter(
            challenge=challenge, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).first()
        if clash is not None:
            raise ChangeRefused(f"It overlaps the phase {clash.name!r}; phases may not overlap.")
        phase = Phase.objects.create(
            challenge=challenge,
            name=name.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            late_until=late_until,
            late_penalty_percent=late_penalty_percent,
        )
        standings.rebuild(challenge=Challenge.objects.get(pk=challenge.pk))
        return phase


def phase_delete(*, challenge: Challenge, phase_id: int) -> bool:
    with transaction.atomic():
        deleted, _ = Phase.objects.filter(challenge=challenge, id=phase_id).delete()
        if deleted:
            standings.rebuild(challenge=Challenge.objects.get(pk=challenge.pk))
    return deleted > 0


def participant_disqualify(
    *, challenge: Challenge, username: str, reason: str, by: User
) -> Disqualification:
    """Hide a participant from the challenge's boards; their records stay."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ChangeRefused(f"There is no participant named {username!r}.")
    if not reason.strip():
        raise ChangeRefused("Give the reason: the participant sees it.")
    with transaction.atomic():
        row, _ = Disqualification.objects.get_or_create(
            challenge=challenge, user=user, defaults={"reason": reason.strip(), "created_by": by}
        )
        _boards_of(challenge, user.pk)
    return row


def _boards_of(challenge: Challenge, user_id: int) -> None:
    """A participant left or came back to the boards: them, their team, the record line."""
    standings.refresh_participant(challenge=challenge, user_id=user_id)
    standings.records_rebuild(challenge=challenge)


def participant_reinstate(*, challenge: Challenge, disqualification_id: int) -> bool:
    with transaction.atomic():
        row = Disqualification.objects.filter(challenge=challenge, id=disqualification_id).first()
        if row is None:
            return False
        row.delete()
        _boards_of(challenge, row.user_id)
    return True


def extension_grant(
    *,
    phase: Phase,
    user: User | None = None,
    team: Team | None = None,
    ends_at: dt.datetime,
    reason: str,
    by: User,
) -> Extension:
    """A later deadline in ``phase`` for one participant or one team (a granted
    one is replaced). A participant in a team gets it through their team."""
    if (user is None) == (team is None):
        raise ChangeRefused("An extension is for one participant or one team.")
    if ends_at <= phase.ends_at:
        raise ChangeRefused(
            f"An extension must end after the phase's deadline ({phase.ends_at:%Y-%m-%d %H:%M})."
        )
    if (
        user is not None
        and Membership.objects.filter(challenge=phase.challenge, user=user).exists()
    ):
        raise ChangeRefused(f"{user.username} is in a team on this challenge: extend the team.")
    whom = {"user": user} if user is not None else {"team": team}
    row, _ = Extension.objects.update_or_create(
        phase=phase,
        **whom,
        defaults={"ends_at": ends_at, "reason": reason.strip()[:300], "granted_by": by},
    )
    return row


def extension_grant_to(
    *, phase: Phase, username: str, ends_at: dt.datetime, reason: str, by: User
) -> str:
    """An extension for the participant named ``username``, or for their team when
    they are in one on the phase's challenge. Returns whom it went to, in words."""
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise ChangeRefused(f"There is no participant named {username.strip()!r}.")
    membership = (
        Membership.objects.filter(challenge=phase.challenge_id, user=user)
        .select_related("team")
        .first()
    )
    team = membership.team if membership is not None else None
    extension_grant(
        phase=phase,
        user=None if team is not None else user,
        team=team,
        ends_at=ends_at,
        reason=reason,
        by=by,
    )
    return f"{user.username}'s team, {team.name}," if team is not None else user.username


def extension_revoke(*, challenge: Challenge, extension_id: int) -> bool:
    deleted, _ = Extension.objects.filter(phase__challenge=challenge, id=extension_id).delete()
    return deleted > 0

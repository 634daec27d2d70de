"""Who a submission is counted for: its author alone, or the team they are in on
that challenge. The daily limit, the finals, the compute budget and the boards all
count per entrant."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from server.accounts.models import User
from server.competitions.models import Challenge
from server.teams.models import Membership, Team

TEAM_KEY_PREFIX = "team:"  # a username never holds a colon: keys never clash


@dataclass(frozen=True)
class Entrant:
    user_id: int
    team_id: int | None
    name: str  # the username, or the team's name: what the boards show

    @property
    def key(self) -> str:
        """One string per entrant on a challenge (graders.ranking groups by it)."""
        return entrant_key(username=self.name, team_id=self.team_id)

    @property
    def rows(self) -> Q:
        """The entrant's submissions (of any challenge: filter the challenge too)."""
        if self.team_id is not None:
            return Q(team_id=self.team_id)
        return Q(user_id=self.user_id, team__isnull=True)


def entrant_key(*, username: str, team_id: int | None) -> str:
    return f"{TEAM_KEY_PREFIX}{team_id}" if team_id is not None else username


def team_of(*, user_id: int, challenge_id: int) -> Team | None:
    membership = (
        Membership.objects.select_related("team")
        .filter(user_id=user_id, challenge_id=challenge_id)
        .first()
    )
    return membership.team if membership is not None else None


def entrant_of(*, user: User, challenge: Challenge) -> Entrant:
    team = team_of(user_id=user.pk, challenge_id=challenge.pk)
    if team is None:
        return Entrant(user_id=user.pk, team_id=None, name=user.username)
    return Entrant(user_id=user.pk, team_id=team.pk, name=team.name)

"""Reads on teams: a participant's team on a challenge and its members."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.competitions.models import Challenge
from server.teams.models import Team


@dataclass(frozen=True)
class TeamView:
    team: Team
    members: list[str]
    room: int  # places left


def team_view(*, user: Any, challenge: Challenge) -> TeamView | None:
    if not user.is_authenticated:
        return None
    team = Team.objects.filter(challenge=challenge, memberships__user=user).first()
    if team is None:
        return None
    members = list(team.memberships.order_by("joined_at").values_list("user__username", flat=True))
    return TeamView(team=team, members=members, room=max(challenge.team_size - len(members), 0))

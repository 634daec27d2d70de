"""Teams: participants who enter a challenge together. A team's submissions,
limits and compute budget are counted as one entrant's, and its name stands on
the boards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Team(models.Model):
    challenge = models.ForeignKey(
        "competitions.Challenge", related_name="teams", on_delete=models.CASCADE
    )
    name = models.CharField(max_length=60)
    # Shown to its members; whoever has it may join (while there is room).
    code = models.CharField(max_length=16, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "challenge", name="team_name_unique_per_challenge"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One participant in one team; a participant is in at most one team per
    challenge (``challenge`` is the team's, kept here for that constraint)."""

    team = models.ForeignKey(Team, related_name="memberships", on_delete=models.CASCADE)
    challenge = models.ForeignKey(
        "competitions.Challenge", related_name="+", on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="team_memberships", on_delete=models.CASCADE
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="one_team_per_challenge")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id}"

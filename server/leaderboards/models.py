"""Standings: each entrant's place on each board of a challenge, kept current by
the transitions that change it (``server.leaderboards.standings``), so a board
costs the rows it shows, not the submissions stored.

A board is a challenge's phase (``board`` = the phase's id) or all of its
submissions (``board`` = 0). Rows are ordered by ``(sort, at, submission id)``
ascending: ``sort`` is the score, negated where higher is better, so one index
serves both directions and the order is ``graders.ranking.best_first``."""

from __future__ import annotations

from django.conf import settings
from django.db import models

ALL_SUBMISSIONS = 0  # the board of a challenge without phases


class Standing(models.Model):
    challenge = models.ForeignKey(
        "competitions.Challenge", related_name="standings", on_delete=models.CASCADE
    )
    board = models.PositiveIntegerField()
    # The entrant: a participant alone, or a team.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.CASCADE
    )
    team = models.ForeignKey("teams.Team", null=True, related_name="+", on_delete=models.CASCADE)
    # The best public score, what the public board ranks.
    public_submission = models.ForeignKey(
        "submissions.Submission", related_name="+", on_delete=models.CASCADE
    )
    public_score = models.FloatField()
    public_sort = models.FloatField()
    public_at = models.DateTimeField()
    public_low = models.FloatField(null=True)
    public_high = models.FloatField(null=True)
    public_late_days = models.PositiveSmallIntegerField(default=0)
    entries = models.PositiveIntegerField()
    last_at = models.DateTimeField()
    # The private board's pick: the best private score among the entrant's final
    # submissions (or their ``max_final`` best by public score when none is marked).
    private_submission = models.ForeignKey(
        "submissions.Submission", null=True, related_name="+", on_delete=models.CASCADE
    )
    private_score = models.FloatField(null=True)
    private_sort = models.FloatField(null=True)
    private_at = models.DateTimeField(null=True)
    private_low = models.FloatField(null=True)
    private_high = models.FloatField(null=True)
    private_late_days = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) ^ models.Q(team__isnull=True),
                name="standing_of_a_user_or_a_team",
            ),
            models.UniqueConstraint(
                fields=["challenge", "board", "user"],
                condition=models.Q(user__isnull=False),
                name="one_standing_per_user_and_board",
            ),
            models.UniqueConstraint(
                fields=["challenge", "board", "team"],
                condition=models.Q(team__isnull=False),
                name="one_standing_per_team_and_board",
            ),
        ]
        indexes = [
            models.Index(
                fields=["challenge", "board", "public_sort", "public_at", "public_submission"],
                name="standing_public_order",
            ),
            models.Index(
                fields=["challenge", "board", "private_sort", "private_at", "private_submission"],
                name="standing_private_order",
            ),
        ]

    def __str__(self) -> str:
        whom = f"team {self.team_id}" if self.team_id else f"user {self.user_id}"
        return f"{whom} on {self.challenge_id}/{self.board}: {self.public_score}"


class BoardRecord(models.Model):
    """One board's best score over time: each submission that beat every earlier
    one (the chart's thick line), kept with the standings."""

    challenge = models.ForeignKey(
        "competitions.Challenge", related_name="+", on_delete=models.CASCADE
    )
    board = models.PositiveIntegerField()
    at = models.DateTimeField()
    score = models.FloatField()

    class Meta:
        ordering = ["challenge", "board", "at"]
        indexes = [models.Index(fields=["challenge", "board", "at"], name="record_order")]


class RankSnapshot(models.Model):
    """The ranks on one public board at one moment (taken at most hourly, when the
    board is viewed): a participant's move "since yesterday" reads the latest
    snapshot at least a day old."""

    challenge = models.ForeignKey(
        "competitions.Challenge", related_name="+", on_delete=models.CASCADE
    )
    board = models.PositiveIntegerField()
    taken_at = models.DateTimeField()
    ranks = models.JSONField()  # entrant key -> rank

    class Meta:
        indexes = [models.Index(fields=["challenge", "board", "taken_at"], name="snapshot_order")]

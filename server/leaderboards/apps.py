from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LeaderboardsConfig(AppConfig):
    name = "server.leaderboards"
    label = "leaderboards"

    def ready(self) -> None:
        post_migrate.connect(_standings_for_scores_before_them, sender=self)


def _standings_for_scores_before_them(**kwargs: Any) -> None:
    """A database from before the standings existed gets them at its migration:
    the boards never show empty where scores exist."""
    from server.competitions.models import Challenge
    from server.leaderboards import standings
    from server.leaderboards.models import Standing
    from server.submissions.models import Submission

    if Standing.objects.exists() or not Submission.objects.filter(state="scored").exists():
        return
    for challenge in Challenge.objects.prefetch_related("phases"):
        standings.rebuild(challenge=challenge)

"""Reads for leaderboards. The ranking rules themselves live in graders.ranking."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Max, Min

from graders.ranking import Entry, RankedRow, rank
from server.competitions.models import Challenge
from server.submissions.models import Submission


def leaderboard_rows(*, challenge: Challenge) -> list[RankedRow]:
    """Public-split ranking: each participant's best, ties to the earlier submission,
    with the challenge's baselines as marked rows at their place."""
    scored = Submission.objects.filter(
        challenge=challenge, state=Submission.State.SCORED, public_score__isnull=False
    ).values_list("id", "user__username", "public_score", "created_at")
    entries = [
        Entry(participant=username, score=score, submitted_at=created, submission_id=sid)
        for sid, username, score, created in scored
    ]
    entries += [
        Entry(
            participant="",
            score=b.score,
            submitted_at=challenge.created_at,
            is_baseline=True,
            label=b.name,
        )
        for b in challenge.baselines.all()
    ]
    return rank(entries, direction=challenge.direction)


def best_scores_of(*, user: Any, challenges: Iterable[Challenge]) -> dict[int, float]:
    """The signed-in participant's best public score per challenge (for the cards)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    ids = [c.id for c in challenges]
    direction = {c.id: c.direction for c in challenges}
    rows = (
        Submission.objects.filter(user=user, challenge_id__in=ids, state=Submission.State.SCORED)
        .values("challenge_id")
        .annotate(high=Max("public_score"), low=Min("public_score"))
    )
    return {
        row["challenge_id"]: row["low"]
        if direction[row["challenge_id"]] == "lower"
        else row["high"]
        for row in rows
    }

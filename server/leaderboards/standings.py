"""Keeping the standings (``server.leaderboards.models``) current.

Every change that moves an entrant on a board calls here in its own transaction,
after it changed their submissions and under their lock (the participant's row,
then their team's): the entrant's standings on every board of the challenge are
computed again from their scored submissions, a handful of rows. A change that
moves every entrant at once (a phase added, the finals rule changed, a
challenge rescored) rebuilds the challenge; so does ``manage.py
rebuild_standings``. The rules are the boards' (``graders.ranking``): an
entrant's best public score, ties to the earlier submission; on the private
board the best private score among the submissions they marked final, or among
their ``max_final`` best by public score when they marked none; disqualified
participants, and teams with one, are on no board.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from server.competitions.models import Challenge, Disqualification, Phase
from server.leaderboards.models import ALL_SUBMISSIONS, BoardRecord, Standing
from server.submissions.models import Submission
from server.teams.models import Membership

FIELDS = (
    "id",
    "user_id",
    "team_id",
    "created_at",
    "phase_id",
    "public_score",
    "public_low",
    "public_high",
    "private_score",
    "private_low",
    "private_high",
    "selected",
    "late_days",
)


@dataclass(frozen=True)
class Scored:
    """A scored submission, as the standings read it."""

    id: int
    user_id: int
    team_id: int | None
    created_at: dt.datetime
    phase_id: int | None
    public_score: float
    public_low: float | None
    public_high: float | None
    private_score: float | None
    private_low: float | None
    private_high: float | None
    selected: bool
    late_days: int

    @property
    def entrant(self) -> tuple[int | None, int | None]:
        """(user id, None) for a participant alone, (None, team id) for a team."""
        return (None, self.team_id) if self.team_id is not None else (self.user_id, None)


def sort_value(score: float, direction: str) -> float:
    """The key the boards order by, ascending: the score, negated where higher is better."""
    return score if direction == "lower" else -score


def boards_of(challenge: Challenge) -> list[tuple[int, Phase | None]]:
    """Every board of the challenge: all of its submissions, and each phase."""
    return [(ALL_SUBMISSIONS, None)] + [(p.pk, p) for p in challenge.phases.all()]


def on_board(row: Scored, phase: Phase | None) -> bool:
    """A submission counts for the phase it was accepted for; one made before
    submissions recorded their phase, for the phase open when it was made."""
    if phase is None:
        return True
    if row.phase_id is not None:
        return row.phase_id == phase.pk
    return phase.starts_at <= row.created_at < phase.ends_at


def _scored(rows: Iterable[tuple[object, ...]]) -> list[Scored]:
    return [Scored(*row) for row in rows]  # type: ignore[arg-type]


def _query(challenge: Challenge) -> QuerySet[Submission, tuple[Any, ...]]:
    return (
        Submission.objects.filter(
            challenge=challenge, state=Submission.State.SCORED, public_score__isnull=False
        )
        .order_by()
        .values_list(*FIELDS)
    )


def standing_of(
    challenge: Challenge, board: int, entrant: tuple[int | None, int | None], rows: list[Scored]
) -> Standing | None:
    """The entrant's standing on one board from their scored submissions on it."""
    if not rows:
        return None
    direction = challenge.direction

    def public_key(r: Scored) -> tuple[float, dt.datetime, int]:
        return (sort_value(r.public_score, direction), r.created_at, r.id)

    best = min(rows, key=public_key)
    with_private = [r for r in rows if r.private_score is not None]
    candidates = [r for r in with_private if r.selected]
    if not candidates:
        candidates = sorted(with_private, key=public_key)[: challenge.max_final]
    pick = (
        min(
            candidates,
            key=lambda r: (sort_value(r.private_score or 0.0, direction), r.created_at, r.id),
        )
        if candidates
        else None
    )
    user_id, team_id = entrant
    return Standing(
        challenge=challenge,
        board=board,
        user_id=user_id,
        team_id=team_id,
        public_submission_id=best.id,
        public_score=best.public_score,
        public_sort=sort_value(best.public_score, direction),
        public_at=best.created_at,
        public_low=best.public_low,
        public_high=best.public_high,
        public_late_days=best.late_days,
        entries=len(rows),
        last_at=max(r.created_at for r in rows),
        private_submission_id=pick.id if pick else None,
        private_score=pick.private_score if pick else None,
        private_sort=sort_value(pick.private_score, direction)
        if pick and pick.private_score is not None
        else None,
        private_at=pick.created_at if pick else None,
        private_low=pick.private_low if pick else None,
        private_high=pick.private_high if pick else None,
        private_late_days=pick.late_days if pick else 0,
    )


def _standings(
    challenge: Challenge, by_entrant: dict[tuple[int | None, int | None], list[Scored]]
) -> list[Standing]:
    found = []
    for board, phase in boards_of(challenge):
        for entrant, rows in by_entrant.items():
            standing = standing_of(
                challenge, board, entrant, [r for r in rows if on_board(r, phase)]
            )
            if standing is not None:
                found.append(standing)
    return found


def _barred(challenge: Challenge) -> tuple[set[int], set[int]]:
    """(disqualified participants, teams with one of them) of a challenge."""
    users = set(
        Disqualification.objects.filter(challenge=challenge).values_list("user_id", flat=True)
    )
    teams = set(
        Membership.objects.filter(challenge=challenge, user_id__in=users).values_list(
            "team_id", flat=True
        )
    )
    return users, teams


def refresh(
    *, challenge: Challenge, user_id: int | None = None, team_id: int | None = None
) -> None:
    """Compute one entrant's standings again, on every board of the challenge: a
    participant alone (``user_id``) or a team (``team_id``)."""
    entrant = (None, team_id) if team_id is not None else (user_id, None)
    rows_of = Q(team_id=team_id) if team_id is not None else Q(user_id=user_id, team__isnull=True)
    users, teams = _barred(challenge)
    barred = team_id in teams if team_id is not None else user_id in users
    rows = [] if barred else _scored(_query(challenge).filter(rows_of))
    with transaction.atomic():
        mine = Q(team_id=team_id) if team_id is not None else Q(user_id=user_id)
        Standing.objects.filter(mine, challenge=challenge).delete()
        Standing.objects.bulk_create(_standings(challenge, {entrant: rows}))


def refresh_participant(*, challenge: Challenge, user_id: int) -> None:
    """The participant alone and, when they are in one, their team."""
    refresh(challenge=challenge, user_id=user_id)
    membership = Membership.objects.filter(challenge=challenge, user_id=user_id).first()
    if membership is not None:
        refresh(challenge=challenge, team_id=membership.team_id)


def _by_entrant(challenge: Challenge) -> dict[tuple[int | None, int | None], list[Scored]]:
    """The challenge's scored submissions by entrant, the barred ones left out."""
    users, teams = _barred(challenge)
    found: dict[tuple[int | None, int | None], list[Scored]] = defaultdict(list)
    for row in _scored(_query(challenge)):
        if row.team_id in teams or row.user_id in users:
            continue
        found[row.entrant].append(row)
    return found


def rebuild(*, challenge: Challenge) -> int:
    """Every standing and record of the challenge, from its submissions; returns
    how many standings there are."""
    by_entrant = _by_entrant(challenge)
    standings = _standings(challenge, by_entrant)
    records = _records(challenge, [r for rows in by_entrant.values() for r in rows])
    with transaction.atomic():
        Standing.objects.filter(challenge=challenge).delete()
        BoardRecord.objects.filter(challenge=challenge).delete()
        Standing.objects.bulk_create(standings, batch_size=2000)
        BoardRecord.objects.bulk_create(records, batch_size=2000)
    return len(standings)


# --- the record line: each submission that beat every earlier one ------------------


def _better(score: float, than: float, direction: str) -> bool:
    return score < than if direction == "lower" else score > than


def _records(challenge: Challenge, rows: list[Scored]) -> list[BoardRecord]:
    found = []
    for board, phase in boards_of(challenge):
        best: float | None = None
        for row in sorted(
            (r for r in rows if on_board(r, phase)), key=lambda r: (r.created_at, r.id)
        ):
            if best is None or _better(row.public_score, best, challenge.direction):
                best = row.public_score
                found.append(
                    BoardRecord(challenge=challenge, board=board, at=row.created_at, score=best)
                )
    return found


def record_scored(*, challenge: Challenge, submission_id: int) -> None:
    """A submission joined the boards: where it beats every earlier score, it is
    a record, and the later records it beats are no longer records. Serialised
    per challenge (its row is locked), so two at once keep the line right."""
    row = next(iter(_scored(_query(challenge).filter(id=submission_id))), None)
    if row is None:
        return
    users, teams = _barred(challenge)
    if row.user_id in users or row.team_id in teams:
        return
    with transaction.atomic():
        Challenge.objects.select_for_update().filter(pk=challenge.pk).exists()
        for board, phase in boards_of(challenge):
            if not on_board(row, phase):
                continue
            line = BoardRecord.objects.filter(challenge=challenge, board=board)
            before = line.filter(at__lte=row.created_at).order_by("-at", "-id").first()
            if before is not None and not _better(
                row.public_score, before.score, challenge.direction
            ):
                continue
            beaten = "score__gte" if challenge.direction == "lower" else "score__lte"
            line.filter(at__gt=row.created_at, **{beaten: row.public_score}).delete()
            BoardRecord.objects.create(
                challenge=challenge, board=board, at=row.created_at, score=row.public_score
            )


def records_rebuild(*, challenge: Challenge) -> None:
    """The record lines again from every scored submission (after one left the boards)."""
    rows = [r for rows in _by_entrant(challenge).values() for r in rows]
    with transaction.atomic():
        Challenge.objects.select_for_update().filter(pk=challenge.pk).exists()
        BoardRecord.objects.filter(challenge=challenge).delete()
        BoardRecord.objects.bulk_create(_records(challenge, rows))


def _fields(standing: Standing) -> tuple[object, ...]:
    names = [f.attname for f in Standing._meta.concrete_fields if f.attname != "id"]
    return tuple(getattr(standing, name) for name in names)


def agrees(*, challenge: Challenge) -> bool:
    """Whether the kept standings and record lines are the ones a rebuild would make."""
    by_entrant = _by_entrant(challenge)
    fresh = sorted(repr(_fields(s)) for s in _standings(challenge, by_entrant))
    kept = sorted(repr(_fields(s)) for s in Standing.objects.filter(challenge=challenge))
    lines = [
        (r.board, r.at, r.score)
        for r in _records(challenge, [r for rows in by_entrant.values() for r in rows])
    ]
    kept_lines = list(
        BoardRecord.objects.filter(challenge=challenge).values_list("board", "at", "score")
    )
    return fresh == kept and sorted(lines) == sorted(kept_lines)

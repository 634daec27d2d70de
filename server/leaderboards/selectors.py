"""Reads for leaderboards, from the standings (``server.leaderboards.models``):
a page reads the rows it shows in the boards' order, a baseline's place is one
counted range, and the viewer's own rank one more, so a page costs the same at
1,000 or 1,000,000 submissions. The rules are ``graders.ranking``'s; keeping
the standings is ``server.leaderboards.standings``'."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Min, Q, QuerySet

from graders.ranking import overlap
from server.accounts.roles import can_manage
from server.competitions.models import Baseline, Challenge, Phase
from server.leaderboards.models import ALL_SUBMISSIONS, BoardRecord, RankSnapshot, Standing
from server.leaderboards.standings import sort_value
from server.submissions.entrants import TEAM_KEY_PREFIX, entrant_key
from server.submissions.models import Submission

DAY = dt.timedelta(hours=24)
SNAPSHOT_EVERY = dt.timedelta(hours=1)
SNAPSHOTS_KEPT = dt.timedelta(days=8)
ROWS_PER_PAGE = 100


@dataclass(frozen=True)
class Scope:
    """Which submissions a board ranks: those made during one phase, or all of
    them when the challenge has no phases. Its private ranking is revealed to
    everyone once the phase has closed (never, without phases)."""

    phase: Phase | None

    @property
    def board(self) -> int:
        """The standings' board: the phase's id, or ALL_SUBMISSIONS."""
        return self.phase.pk if self.phase is not None else ALL_SUBMISSIONS

    @property
    def label(self) -> str:
        return self.phase.name if self.phase is not None else "All submissions"

    @property
    def reveal_at(self) -> dt.datetime | None:
        """When the phase closes: its deadline, late window and extensions over."""
        return self.phase.closes_at if self.phase is not None else None

    def revealed(self, at: dt.datetime) -> bool:
        return self.phase is not None and self.phase.has_closed_at(at)

    def restrict(self, rows: QuerySet[Submission]) -> QuerySet[Submission]:
        """The phase's submissions: those accepted for it (late and extended ones
        too), and those made in its window before submissions recorded their phase."""
        if self.phase is None:
            return rows
        window = Q(
            phase__isnull=True,
            created_at__gte=self.phase.starts_at,
            created_at__lt=self.phase.ends_at,
        )
        return rows.filter(Q(phase=self.phase) | window)


def board_scopes(*, challenge: Challenge, at: dt.datetime) -> list[Scope]:
    """The boards a visitor can pick: every phase that has started (or the first
    one, before any has), or one board when the challenge has no phases."""
    phases = sorted(challenge.phases.all(), key=lambda phase: phase.starts_at)
    if not phases:
        return [Scope(None)]
    started = [phase for phase in phases if phase.starts_at <= at]
    return [Scope(phase) for phase in (started or phases[:1])]


def board_scope(*, challenge: Challenge, phase_id: int | None, at: dt.datetime) -> Scope:
    """The chosen phase's board, else the open phase's, else the last one started."""
    scopes = board_scopes(challenge=challenge, at=at)
    chosen = [s for s in scopes if s.phase is not None and s.phase.id == phase_id]
    if chosen:
        return chosen[0]
    current = [s for s in scopes if s.phase is not None and s.phase.is_open_at(at)]
    return current[0] if current else scopes[-1]


@dataclass(frozen=True)
class BoardRow:
    rank: int | None
    participant: str  # the username, or the team's name
    score: float
    submitted_at: dt.datetime
    submission_id: int | None
    is_baseline: bool
    label: str
    entries: int
    last_submitted_at: dt.datetime | None
    change: int | None  # places gained since yesterday (negative: lost); None: not ranked then
    interval: tuple[float, float] | None = None  # the score's 95% bootstrap interval
    tied_with_above: bool = False  # statistically tied with the participant just above
    key: str = ""  # the entrant (server.submissions.entrants): a username or "team:<id>"
    is_team: bool = False
    late_days: int = 0  # the shown submission came this many days after its deadline
    is_bound: bool = False  # a baseline that bounds what any model can reach
    is_published: bool = False  # a baseline as published, on every test item, not per split


# --- one board's order ---------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """The standing's columns a board reads: the public ones, or the private ones."""

    prefix: str

    @property
    def order(self) -> list[str]:
        return [f"{self.prefix}_sort", f"{self.prefix}_at", f"{self.prefix}_submission_id"]

    def of(self, standing: Standing, name: str) -> Any:
        return getattr(standing, f"{self.prefix}_{name}")


def _columns(private: bool) -> _Columns:
    return _Columns("private" if private else "public")


def _ordered(challenge: Challenge, scope: Scope, private: bool) -> QuerySet[Standing]:
    columns = _columns(private)
    rows = Standing.objects.filter(challenge=challenge, board=scope.board)
    if private:
        rows = rows.filter(private_sort__isnull=False)
    return rows.select_related("user", "team").order_by(*columns.order)


def _ahead_of(columns: _Columns, sort: float, at: dt.datetime, submission_id: float) -> Q:
    """Standings before (sort, at, submission id) in the boards' order."""
    s, a, i = columns.order
    return (
        Q(**{f"{s}__lt": sort})
        | Q(**{s: sort, f"{a}__lt": at})
        | Q(**{s: sort, a: at, f"{i}__lt": submission_id})
    )


def _key(standing: Standing) -> str:
    if standing.team_id is not None:
        return f"{TEAM_KEY_PREFIX}{standing.team_id}"
    return standing.user.username if standing.user is not None else ""


def _interval(standing: Standing, columns: _Columns) -> tuple[float, float] | None:
    low, high = columns.of(standing, "low"), columns.of(standing, "high")
    return (low, high) if low is not None and high is not None else None


def _row(
    standing: Standing,
    rank: int,
    columns: _Columns,
    above: Standing | None,
    change: int | None = None,
) -> BoardRow:
    interval = _interval(standing, columns)
    tied = above is not None and overlap(interval, _interval(above, columns))
    team = standing.team
    return BoardRow(
        rank=rank,
        participant=team.name if team is not None else standing.user.username,  # type: ignore[union-attr]
        score=columns.of(standing, "score"),
        submitted_at=columns.of(standing, "at"),
        submission_id=columns.of(standing, "submission_id"),
        is_baseline=False,
        label="",
        entries=standing.entries,
        last_submitted_at=standing.last_at,
        change=change,
        interval=interval,
        tied_with_above=tied,
        key=_key(standing),
        is_team=team is not None,
        late_days=columns.of(standing, "late_days"),
    )


def _baseline_row(baseline: Baseline, challenge: Challenge, *, private: bool) -> BoardRow:
    return BoardRow(
        rank=None,
        participant="",
        score=baseline.score_on(private=private),
        submitted_at=challenge.created_at,
        submission_id=None,
        is_baseline=True,
        label=baseline.name,
        entries=0,
        last_submitted_at=None,
        change=None,
        is_bound=baseline.bound,
        is_published=baseline.published,
    )


def _baseline_places(
    challenge: Challenge, rows: QuerySet[Standing], columns: _Columns
) -> list[tuple[int, Baseline]]:
    """Each baseline with the number of entrants ranked above it, in the boards'
    order (a baseline was "submitted" when the challenge was made, so it stands
    before later equal scores)."""
    s, a, _ = columns.order
    places = []
    private = columns.prefix == "private"
    for baseline in challenge.baselines.all():
        sort = sort_value(baseline.score_on(private=private), challenge.direction)
        ahead = rows.filter(
            Q(**{f"{s}__lt": sort}) | Q(**{s: sort, f"{a}__lt": challenge.created_at})
        )
        places.append((ahead.count(), baseline))
    # Baselines between the same two entrants stand best first, as on any board.
    return sorted(
        places,
        key=lambda p: (p[0], sort_value(p[1].score_on(private=private), challenge.direction)),
    )


@dataclass(frozen=True)
class BoardPage:
    """One page of a board: its entrants (ranks ``first``..) with the baselines
    that fall among them, how many entrants there are, and the viewer's row."""

    rows: list[BoardRow]
    count: int
    number: int
    pages: int
    mine: BoardRow | None = None
    mine_page: int | None = None
    changes_known: bool = False  # a ranking a day old exists to compare with
    per_page: int = ROWS_PER_PAGE

    # The pager template reads a Django page's names.
    @property
    def has_other_pages(self) -> bool:
        return self.pages > 1

    @property
    def paginator(self) -> BoardPage:
        return self

    @property
    def num_pages(self) -> int:
        return self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(value: object, pages: int) -> int:
    text = str(value or "")
    number = int(text) if text.isascii() and text.isdecimal() else 1
    return min(max(number, 1), pages)


def board_page(
    *,
    challenge: Challenge,
    scope: Scope,
    private: bool,
    page: object = 1,
    viewer: str = "",
    at: dt.datetime,
    per_page: int = ROWS_PER_PAGE,
) -> BoardPage:
    """Page ``page`` of a board (the last one for a number past it), ``per_page``
    entrants with the baselines at their place; ``viewer`` is the viewer's
    entrant key, whose row and page come along."""
    columns = _columns(private)
    rows = _ordered(challenge, scope, private)
    count = rows.count()
    pages = max(1, math.ceil(count / per_page))
    number = _page_number(page, pages)
    first = (number - 1) * per_page
    start = max(first - 1, 0)  # the row above the page's first: its tie mark
    shown = list(rows[start : first + per_page])
    above = shown.pop(0) if first > 0 and shown else None
    then = {} if private else _ranks_then(challenge, scope, at)
    out: list[BoardRow] = []
    places = _baseline_places(challenge, rows, columns)
    last_page = number == pages
    for offset, standing in enumerate(shown):
        rank = first + offset + 1
        out += [
            _baseline_row(b, challenge, private=private) for place, b in places if place == rank - 1
        ]
        key = _key(standing)
        change = None if key not in then else then[key] - rank
        out.append(_row(standing, rank, columns, above, change))
        above = standing
    if last_page:
        out += [
            _baseline_row(b, challenge, private=private) for place, b in places if place >= count
        ]
    mine, mine_page = _viewer_row(rows, columns, viewer, per_page, then)
    return BoardPage(
        rows=out,
        count=count,
        number=number,
        pages=pages,
        mine=mine,
        mine_page=mine_page,
        changes_known=bool(then) or private,
        per_page=per_page,
    )


def _viewer_row(
    rows: QuerySet[Standing], columns: _Columns, viewer: str, per_page: int, then: dict[str, int]
) -> tuple[BoardRow | None, int | None]:
    if not viewer:
        return None, None
    if viewer.startswith(TEAM_KEY_PREFIX):
        own = rows.filter(team_id=int(viewer[len(TEAM_KEY_PREFIX) :])).first()
    else:
        own = rows.filter(user__username=viewer, team__isnull=True).first()
    if own is None:
        return None, None
    sort, at, sid = (getattr(own, name) for name in columns.order)
    rank = rows.filter(_ahead_of(columns, sort, at, sid)).count() + 1
    change = None if viewer not in then else then[viewer] - rank
    return _row(own, rank, columns, None, change), (rank - 1) // per_page + 1


def board_rows(*, challenge: Challenge, scope: Scope, private: bool) -> Iterator[BoardRow]:
    """Every row of a board, baselines at their place (the CSV export, the gradebook)."""
    columns = _columns(private)
    rows = _ordered(challenge, scope, private)
    places = _baseline_places(challenge, rows, columns)
    above = None
    rank = 0
    for standing in rows.iterator(chunk_size=2000):
        yield from (
            _baseline_row(b, challenge, private=private) for place, b in places if place == rank
        )
        rank += 1
        yield _row(standing, rank, columns, above)
        above = standing
    yield from (
        _baseline_row(b, challenge, private=private) for place, b in places if place >= rank
    )


def leaders(*, challenge: Challenge, scope: Scope, n: int) -> list[BoardRow]:
    """The public board's first ``n`` entrants."""
    shown = list(_ordered(challenge, scope, private=False)[:n])
    columns = _columns(False)
    return [_row(s, i + 1, columns, None) for i, s in enumerate(shown)]


# --- "since yesterday" ---------------------------------------------------------------


def _ranks_then(challenge: Challenge, scope: Scope, at: dt.datetime) -> dict[str, int]:
    """The public ranks of the latest snapshot at least a day old (empty: none).
    Takes a snapshot when the newest is an hour old, and forgets week-old ones."""
    snapshots = RankSnapshot.objects.filter(challenge=challenge, board=scope.board)
    newest = snapshots.order_by("-taken_at").values_list("taken_at", flat=True).first()
    if newest is None or at - newest >= SNAPSHOT_EVERY:
        ordered = _ordered(challenge, scope, private=False)
        keys = ordered.values_list("team_id", "user__username")
        ranks = {
            entrant_key(username=name or "", team_id=team): i
            for i, (team, name) in enumerate(keys.iterator(chunk_size=5000), start=1)
        }
        RankSnapshot.objects.create(
            challenge=challenge, board=scope.board, taken_at=at, ranks=ranks
        )
        snapshots.filter(taken_at__lt=at - SNAPSHOTS_KEPT).delete()
    then = snapshots.filter(taken_at__lte=at - DAY).order_by("-taken_at").first()
    return dict(then.ranks) if then is not None else {}


# --- what a viewer sees --------------------------------------------------------------


@dataclass(frozen=True)
class Board:
    """A board as one viewer sees it: the private one only once its phase has
    closed, or to those who manage the challenge (no rows otherwise)."""

    scope: Scope
    scopes: list[Scope]
    private: bool
    revealed: bool
    may_see_private: bool
    page: BoardPage = field(default_factory=lambda: BoardPage([], 0, 1, 1))

    @property
    def rows(self) -> list[BoardRow]:
        return self.page.rows


def board_for(
    *,
    user: Any,
    challenge: Challenge,
    phase_id: int | None,
    private: bool,
    at: dt.datetime,
    page: object = 1,
    viewer: str = "",
) -> Board:
    scope = board_scope(challenge=challenge, phase_id=phase_id, at=at)
    revealed = scope.revealed(at)
    may_see_private = can_manage(user, challenge) or revealed
    shown = not private or may_see_private
    kwargs: dict[str, Any] = {}
    if shown:
        kwargs["page"] = board_page(
            challenge=challenge, scope=scope, private=private, page=page, viewer=viewer, at=at
        )
    return Board(
        scope=scope,
        scopes=board_scopes(challenge=challenge, at=at),
        private=private,
        revealed=revealed,
        may_see_private=may_see_private,
        **kwargs,
    )


# --- the chart -------------------------------------------------------------------------


def record_progression(*, challenge: Challenge, scope: Scope) -> list[tuple[dt.datetime, float]]:
    """The board's best public score over time: each submission that beat every
    earlier one (kept with the standings)."""
    rows = BoardRecord.objects.filter(challenge=challenge, board=scope.board).order_by("at", "id")
    return list(rows.values_list("at", "score"))


def progressions(
    *, challenge: Challenge, scope: Scope, participants: list[str]
) -> dict[str, list[tuple[dt.datetime, float]]]:
    """Each named entrant's (by key: a username or "team:<id>") best-so-far public
    score at each improvement."""
    teams = [int(k[len(TEAM_KEY_PREFIX) :]) for k in participants if k.startswith(TEAM_KEY_PREFIX)]
    users = [k for k in participants if not k.startswith(TEAM_KEY_PREFIX)]
    rows = (
        scope.restrict(
            Submission.objects.filter(
                challenge=challenge, state=Submission.State.SCORED, public_score__isnull=False
            )
        )
        .filter(Q(team_id__in=teams) | Q(user__username__in=users, team__isnull=True))
        .order_by("created_at", "id")
        .values_list("user__username", "team_id", "created_at", "public_score")
    )
    lower = challenge.direction == "lower"
    series: dict[str, list[tuple[dt.datetime, float]]] = {key: [] for key in participants}
    for username, team_id, created, score in rows:
        if score is None:  # the filter excludes them; this says so to the type checker
            continue
        points = series[entrant_key(username=username, team_id=team_id)]
        if not points or (score < points[-1][1] if lower else score > points[-1][1]):
            points.append((created, score))
    return {key: points for key, points in series.items() if points}


# --- elsewhere -------------------------------------------------------------------------


def entrants_on_boards(*, challenges: list[Challenge]) -> dict[int, int]:
    """Challenge id -> how many entrants have a score on its board of every submission."""
    rows = Standing.objects.filter(challenge__in=challenges, board=ALL_SUBMISSIONS).values_list(
        "challenge_id"
    )
    counts: dict[int, int] = {}
    for (challenge_id,) in rows.iterator():
        counts[challenge_id] = counts.get(challenge_id, 0) + 1
    return counts


def best_scores_of(*, user: Any, challenges: list[Challenge]) -> dict[int, float]:
    """The signed-in participant's best public score per challenge (for the cards)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    ids = [c.id for c in challenges]
    direction = {c.id: c.direction for c in challenges}
    mine = Q(user=user) | Q(team__memberships__user=user)
    rows = (
        Submission.objects.filter(mine, challenge_id__in=ids, state=Submission.State.SCORED)
        .values("challenge_id")
        .annotate(high=Max("public_score"), low=Min("public_score"))
    )
    return {
        row["challenge_id"]: row["low"]
        if direction[row["challenge_id"]] == "lower"
        else row["high"]
        for row in rows
    }

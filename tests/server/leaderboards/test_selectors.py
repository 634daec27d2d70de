"""Ranking on the boards: best per participant, ties to the earlier submission,
baselines in place, disqualified participants hidden, moves since yesterday."""

from __future__ import annotations

import datetime as dt

import pytest

from server.competitions.models import Baseline
from server.competitions.services import participant_disqualify
from server.leaderboards.selectors import (
    Scope,
    board_page,
    board_rows,
    board_scope,
    progressions,
    record_progression,
)
from server.site import clock
from tests.support.factories import make_challenge, make_phase, make_submission, make_user

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _names(rows):  # type: ignore[no-untyped-def]
    return [row.label if row.is_baseline else row.participant for row in rows]


def public_board(*, challenge, scope, at=None):  # type: ignore[no-untyped-def]
    return list(board_rows(challenge=challenge, scope=scope, private=False))


def private_board(*, challenge, scope):  # type: ignore[no-untyped-def]
    return list(board_rows(challenge=challenge, scope=scope, private=True))


def test_best_score_per_participant_with_baselines_in_place(site):
    challenge = make_challenge()
    ada, bob = make_user("ada"), make_user("bob")
    make_submission(user=ada, challenge=challenge, public=0.6)
    make_submission(user=ada, challenge=challenge, public=0.95)
    make_submission(user=bob, challenge=challenge, public=0.7)
    make_submission(user=bob, challenge=challenge, state="failed")
    rows = public_board(challenge=challenge, scope=Scope(None), at=clock.now())
    assert _names(rows) == ["ada", "Historic result", "bob", "Chance"]
    assert [row.rank for row in rows] == [1, None, 2, None]
    assert rows[0].entries == 2 and rows[2].entries == 1
    assert rows[0].score == 0.95


def test_equal_scores_go_to_the_earlier_submission(site):
    challenge = make_challenge()
    later, earlier = make_user("later"), make_user("earlier")
    now = clock.now()
    make_submission(user=later, challenge=challenge, public=0.8, created_at=now - HOUR)
    make_submission(user=earlier, challenge=challenge, public=0.8, created_at=now - 2 * HOUR)
    rows = [r for r in public_board(challenge=challenge, scope=Scope(None), at=now) if r.rank]
    assert [row.participant for row in rows] == ["earlier", "later"]


def test_lower_is_better_metrics_rank_ascending(site):
    challenge = make_challenge(direction="lower", baselines=(("Always 1.0", 0.167),))
    for name, score in (("a", 0.2), ("b", 0.01), ("c", 0.05)):
        make_submission(user=make_user(name), challenge=challenge, public=score)
    rows = public_board(challenge=challenge, scope=Scope(None), at=clock.now())
    assert _names(rows) == ["b", "c", "Always 1.0", "a"]


def test_disqualified_participants_are_hidden_but_kept(site):
    challenge = make_challenge()
    cheat, fair = make_user("cheat"), make_user("fair")
    submission = make_submission(user=cheat, challenge=challenge, public=1.0)
    make_submission(user=fair, challenge=challenge, public=0.8)
    participant_disqualify(challenge=challenge, username="cheat", reason="copied", by=fair)
    rows = public_board(challenge=challenge, scope=Scope(None), at=clock.now())
    assert "cheat" not in _names(rows)
    assert [row.participant for row in rows if row.rank] == ["fair"]
    submission.refresh_from_db()
    assert submission.public_score == 1.0


def _changes(challenge, at):  # type: ignore[no-untyped-def]
    page = board_page(challenge=challenge, scope=Scope(None), private=False, at=at)
    return page.changes_known, [(r.participant, r.change) for r in page.rows]


def test_rank_change_since_the_ranking_a_day_before(site):
    challenge = make_challenge(baselines=())
    now = clock.now()
    ada, bob, cy = make_user("ada"), make_user("bob"), make_user("cy")
    make_submission(user=ada, challenge=challenge, public=0.9, created_at=now - 30 * HOUR)
    make_submission(user=bob, challenge=challenge, public=0.8, created_at=now - 30 * HOUR)
    # Viewed 25 hours ago: the board's first ranking, nothing a day old to compare with.
    assert _changes(challenge, now - 25 * HOUR) == (False, [("ada", None), ("bob", None)])
    make_submission(user=bob, challenge=challenge, public=0.95, created_at=now - HOUR)
    make_submission(user=cy, challenge=challenge, public=0.5, created_at=now - HOUR)
    assert _changes(challenge, now) == (True, [("bob", 1), ("ada", -1), ("cy", None)])


def test_a_ranking_is_kept_at_most_hourly_and_for_a_week(site):
    from server.leaderboards.models import RankSnapshot

    challenge = make_challenge(baselines=())
    make_submission(user=make_user("ada"), challenge=challenge, public=0.9)
    now = clock.now()
    for minutes in (0, 20, 59, 61, 200):
        board_page(
            challenge=challenge,
            scope=Scope(None),
            private=False,
            at=now + dt.timedelta(minutes=minutes),
        )
    assert RankSnapshot.objects.count() == 3  # at 0, 61 and 200 minutes
    board_page(challenge=challenge, scope=Scope(None), private=False, at=now + dt.timedelta(days=9))
    assert RankSnapshot.objects.count() == 1


def test_phase_board_ranks_only_that_phases_submissions(site):
    challenge = make_challenge(baselines=())
    practice = make_phase(challenge, name="Practice", starts=-10 * HOUR, ends=-5 * HOUR)
    graded = make_phase(challenge, name="Graded", starts=-5 * HOUR, ends=5 * HOUR)
    ada, bob = make_user("ada"), make_user("bob")
    make_submission(
        user=ada, challenge=challenge, public=0.99, created_at=practice.starts_at + HOUR
    )
    make_submission(user=bob, challenge=challenge, public=0.6, created_at=graded.starts_at + HOUR)
    now = clock.now()
    scope = board_scope(challenge=challenge, phase_id=None, at=now)
    assert scope.phase == graded
    assert _names(public_board(challenge=challenge, scope=scope, at=now)) == ["bob"]
    old = board_scope(challenge=challenge, phase_id=practice.id, at=now)
    assert _names(public_board(challenge=challenge, scope=old, at=now)) == ["ada"]


def test_private_ranking_uses_marked_finals_or_the_best_by_public_score(site):
    challenge = make_challenge(baselines=(), max_final=2)
    ada, bob = make_user("ada"), make_user("bob")
    # Ada marks one submission: it alone counts, though another has a better private score.
    make_submission(user=ada, challenge=challenge, public=0.9, private=0.70, selected=True)
    make_submission(user=ada, challenge=challenge, public=0.8, private=0.99)
    # Bob marks none: his two best by public score count (0.95 and 0.9), not the third.
    make_submission(user=bob, challenge=challenge, public=0.95, private=0.75)
    make_submission(user=bob, challenge=challenge, public=0.90, private=0.80)
    make_submission(user=bob, challenge=challenge, public=0.50, private=0.98)
    rows = private_board(challenge=challenge, scope=Scope(None))
    assert [(r.participant, r.score, r.entries) for r in rows] == [("bob", 0.8, 3), ("ada", 0.7, 2)]


def test_record_progression_keeps_only_new_bests(site):
    challenge = make_challenge(baselines=())
    now = clock.now()
    scores = [0.5, 0.4, 0.7, 0.7, 0.6, 0.9, 0.9]
    users = [make_user(f"u{i}") for i in range(3)]
    for i, score in enumerate(scores):
        make_submission(
            user=users[i % 3],
            challenge=challenge,
            public=score,
            created_at=now - dt.timedelta(minutes=60 - i),
        )
    points = record_progression(challenge=challenge, scope=Scope(None))
    assert [score for _, score in points] == [0.5, 0.7, 0.9]
    series = progressions(challenge=challenge, scope=Scope(None), participants=["u0", "u1"])
    assert [s for _, s in series["u0"]] == [0.5, 0.7, 0.9]
    assert [s for _, s in series["u1"]] == [0.4, 0.6]


def test_boards_carry_each_best_scores_interval_and_mark_statistical_ties(site, client):
    challenge = make_challenge(baselines=())
    scores = (("ada", 0.95, 0.93, 0.97), ("bob", 0.94, 0.92, 0.96), ("cy", 0.80, 0.78, 0.82))
    for name, public, low, high in scores:
        make_submission(
            user=make_user(name),
            challenge=challenge,
            public=public,
            public_low=low,
            public_high=high,
            private_low=low,
            private_high=high,
        )
    rows = public_board(challenge=challenge, scope=Scope(None), at=clock.now())
    assert [(row.participant, row.interval, row.tied_with_above) for row in rows] == [
        ("ada", (0.93, 0.97), False),
        ("bob", (0.92, 0.96), True),
        ("cy", (0.78, 0.82), False),
    ]
    private = private_board(challenge=challenge, scope=Scope(None))
    assert [row.tied_with_above for row in private] == [False, True, False]
    html = client.get(f"/challenges/{challenge.slug}/leaderboard/").content.decode()
    assert html.count('data-tied="1"') == 1 and "0.9200 to 0.9600" in html


def test_each_board_shows_a_baseline_on_its_own_split_and_marks_bounds(site):
    challenge = make_challenge(baselines=())
    Baseline.objects.create(challenge=challenge, name="Net", score=0.80, private_score=0.90)
    Baseline.objects.create(
        challenge=challenge, name="Bayes", score=0.95, private_score=0.96, bound=True, position=1
    )
    ada = make_user("ada")
    make_submission(user=ada, challenge=challenge, public=0.85, private=0.85)
    public = public_board(challenge=challenge, scope=Scope(None))
    private = private_board(challenge=challenge, scope=Scope(None))
    assert [(_names([r])[0], r.score, r.is_bound) for r in public] == [
        ("Bayes", 0.95, True),
        ("ada", 0.85, False),
        ("Net", 0.80, False),
    ]
    assert [(_names([r])[0], r.score) for r in private] == [
        ("Bayes", 0.96),
        ("Net", 0.90),
        ("ada", 0.85),
    ]


def test_a_published_baseline_is_the_same_on_both_boards_and_marked_as_published(site, client):
    challenge = make_challenge(baselines=())
    Baseline.objects.create(challenge=challenge, name="Paper", score=0.99, published=True)
    Baseline.objects.create(
        challenge=challenge, name="Measured", score=0.98, private_score=0.97, position=1
    )
    for board, measured in ((public_board, 0.98), (private_board, 0.97)):
        rows = board(challenge=challenge, scope=Scope(None))
        assert [(r.label, r.score, r.is_published) for r in rows] == [
            ("Paper", 0.99, True),
            ("Measured", measured, False),
        ]
    html = client.get(f"/challenges/{challenge.slug}/leaderboard/").content.decode()
    assert html.count('data-published="1"') == 1
    assert 'title="as published, on all test items' in html
    api = client.get(f"/api/challenges/{challenge.slug}/leaderboard/").json()["rows"]
    assert [(row["baseline_name"], row["is_published"]) for row in api] == [
        ("Paper", True),
        ("Measured", False),
    ]
    detail = client.get(f"/api/challenges/{challenge.slug}/").json()["baselines"]
    assert [(b["name"], b["published"], b["private_score"]) for b in detail] == [
        ("Paper", True, None),
        ("Measured", False, 0.97),
    ]


@pytest.mark.parametrize(
    ("direction", "expected"), [("higher", "Best method"), ("lower", "Chance")]
)
def test_the_result_to_beat_is_the_best_listed_method_never_a_bound(site, direction, expected):
    challenge = make_challenge(
        direction=direction,
        baselines=(("Chance", 0.5), ("Best method", 0.9), ("Historic, listed last", 0.7)),
    )
    Baseline.objects.create(challenge=challenge, name="Bound", score=0.99, bound=True, position=3)
    Baseline.objects.create(challenge=challenge, name="Bound", score=0.01, bound=True, position=4)
    assert challenge.baseline_to_beat is not None
    assert challenge.baseline_to_beat.name == expected
    # The reference solution is held to the milestone's own row: the last result listed.
    assert challenge.reference_result is not None
    assert challenge.reference_result.name == "Historic, listed last"


def test_results_measured_on_the_splits_come_before_published_ones(site):
    challenge = make_challenge(baselines=(("Measured", 0.8), ("Ours", 0.85)))
    Baseline.objects.create(
        challenge=challenge, name="Paper", score=0.99, published=True, position=2
    )
    # Neither the result to beat nor the reference's own: not on either board's split.
    assert challenge.baseline_to_beat is not None and challenge.baseline_to_beat.name == "Ours"
    assert challenge.reference_result is not None and challenge.reference_result.name == "Ours"


def test_published_results_count_where_none_is_measured(site):
    challenge = make_challenge(baselines=())
    for i, (name, score) in enumerate((("Best paper", 0.99), ("Later paper", 0.95))):
        Baseline.objects.create(
            challenge=challenge, name=name, score=score, published=True, position=i
        )
    assert challenge.baseline_to_beat is not None
    assert challenge.baseline_to_beat.name == "Best paper"
    assert challenge.reference_result is not None
    assert challenge.reference_result.name == "Later paper"


def test_of_equal_results_the_later_listed_is_the_one_to_beat(site):
    challenge = make_challenge(baselines=(("Earlier", 0.9), ("Later", 0.9)))
    assert challenge.baseline_to_beat is not None
    assert challenge.baseline_to_beat.name == "Later"

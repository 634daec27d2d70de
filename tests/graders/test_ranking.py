from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graders.ranking import Entry, RankedRow, rank

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def entry(who: str, score: float, minute: int, sid: int | None = None) -> Entry:
    return Entry(participant=who, score=score, submitted_at=at(minute), submission_id=sid)


def baseline(label: str, score: float) -> Entry:
    return Entry(participant="", score=score, submitted_at=T0, is_baseline=True, label=label)


def summary(rows: list[RankedRow]) -> list[tuple[int | None, str, float]]:
    return [
        (row.rank, row.label if row.is_baseline else row.participant, row.score) for row in rows
    ]


def test_each_participant_is_ranked_by_their_best_score() -> None:
    rows = rank(
        [entry("ann", 0.7, 1), entry("bob", 0.8, 2), entry("ann", 0.9, 3), entry("ann", 0.5, 4)],
        direction="higher",
    )
    assert summary(rows) == [(1, "ann", 0.9), (2, "bob", 0.8)]


def test_a_participants_tie_goes_to_their_earlier_submission() -> None:
    rows = rank([entry("ann", 0.9, 5, sid=2), entry("ann", 0.9, 1, sid=1)], direction="higher")
    assert [(row.submission_id, row.submitted_at) for row in rows] == [(1, at(1))]


def test_equal_scores_rank_the_earlier_participant_first_with_distinct_ranks() -> None:
    rows = rank([entry("late", 0.8, 9), entry("early", 0.8, 2)], direction="higher")
    assert summary(rows) == [(1, "early", 0.8), (2, "late", 0.8)]


def test_lower_direction_ranks_the_smallest_score_first() -> None:
    rows = rank(
        [entry("ann", 2.0, 1), entry("ann", 0.5, 2), entry("bob", 1.0, 3), entry("cid", 3.0, 4)],
        direction="lower",
    )
    assert summary(rows) == [(1, "ann", 0.5), (2, "bob", 1.0), (3, "cid", 3.0)]


def test_baselines_are_marked_in_place_and_take_no_rank() -> None:
    rows = rank(
        [entry("ann", 0.9, 1), baseline("Linear", 0.6), entry("bob", 0.5, 2)],
        direction="higher",
    )
    assert summary(rows) == [(1, "ann", 0.9), (None, "Linear", 0.6), (2, "bob", 0.5)]
    assert [row.is_baseline for row in rows] == [False, True, False]


def test_entries_count_every_scored_submission_of_a_participant() -> None:
    rows = rank(
        [entry("ann", 0.1, 1), entry("ann", 0.2, 2), entry("bob", 0.3, 3), baseline("B", 0.0)],
        direction="higher",
    )
    assert {row.participant or row.label: row.entries for row in rows} == {
        "ann": 2,
        "bob": 1,
        "B": 0,
    }


def test_nan_scores_are_excluded_and_not_counted() -> None:
    rows = rank(
        [entry("ann", float("nan"), 1), entry("ann", 0.4, 2), entry("bob", float("nan"), 3)],
        direction="higher",
    )
    assert summary(rows) == [(1, "ann", 0.4)]
    assert rows[0].entries == 1


def test_the_order_of_the_input_does_not_matter() -> None:
    entries = [entry("a", 0.5, 3, 3), entry("b", 0.5, 3, 1), entry("c", 0.7, 1, 2)]
    assert rank(entries, direction="higher") == rank(entries[::-1], direction="higher")


def test_no_entries_give_an_empty_leaderboard() -> None:
    assert rank([], direction="lower") == []


def test_an_unknown_direction_is_refused() -> None:
    with pytest.raises(ValueError, match="direction"):
        rank([entry("ann", 1.0, 1)], direction="up")


def _with_interval(who: str, score: float, low: float, high: float, minute: int) -> Entry:
    return Entry(participant=who, score=score, submitted_at=at(minute), interval=(low, high))


def test_a_participant_whose_interval_overlaps_the_one_above_is_marked_tied() -> None:
    rows = rank(
        [
            _with_interval("ada", 0.90, 0.88, 0.92, 1),
            _with_interval("bob", 0.87, 0.85, 0.89, 2),  # overlaps ada's
            baseline("LeNet-5", 0.86),  # a baseline neither ties nor breaks a tie
            _with_interval("cy", 0.84, 0.83, 0.86, 3),  # overlaps bob's, across the baseline
            _with_interval("di", 0.70, 0.68, 0.72, 4),  # clear of cy's
            entry("ed", 0.69, 5),  # no interval: never marked
        ],
        direction="higher",
    )
    marks = {row.participant: row.tied_with_above for row in rows if not row.is_baseline}
    assert marks == {"ada": False, "bob": True, "cy": True, "di": False, "ed": False}
    assert [row.rank for row in rows if not row.is_baseline] == [1, 2, 3, 4, 5]

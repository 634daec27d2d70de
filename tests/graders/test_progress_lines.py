"""Progress lines (one JSON object on a line of the log) become progress and
curves; a hostile program's lines are read within bounds or not at all."""

from __future__ import annotations

import json

from graders.readers.progress_lines import (
    MAX_KEY_CHARS,
    MAX_LINE_CHARS,
    MAX_POINTS,
    MAX_SERIES,
    Curves,
    parse_line,
    stored_series,
)


def test_a_progress_line_gives_its_finite_numbers():
    line = '{"progress": 0.42, "step": 420, "loss": 1.23, "val_acc": 0.97, "note": "hi"}'
    assert parse_line(line) == {"progress": 0.42, "step": 420.0, "loss": 1.23, "val_acc": 0.97}


def test_lines_that_are_not_progress_lines_are_ignored():
    for line in (
        "epoch 1 loss 0.3",
        '{"loss": 0.3}',  # neither progress nor step
        '{"progress": "half"}',
        '{"progress": true}',
        "[1, 2, 3]",
        '{"progress": 0.5',
        "{" + '"step": 1, ' * 2000 + '"x": 1}',  # too long
        "{}",
    ):
        assert parse_line(line) is None, line
    assert len("{" + '"step": 1, ' * 2000 + '"x": 1}') > MAX_LINE_CHARS


def test_non_finite_numbers_and_odd_names_are_dropped():
    numbers = parse_line(
        '{"step": 1, "loss": NaN, "big": Infinity, "bad name": 1, "'
        + "k" * (MAX_KEY_CHARS + 1)
        + '": 2, "ok": 3}'
    )
    assert numbers == {"step": 1.0, "ok": 3.0}


def test_progress_is_clamped_and_the_step_is_the_x():
    curves = Curves()
    curves.feed('{"progress": 1.7, "step": 10, "loss": 2}\n{"progress": -1, "step": 20, "loss": 1}')
    assert curves.progress == 0.0
    assert curves.series == {"loss": [(10.0, 2.0), (20.0, 1.0)]}


def test_without_a_step_the_x_is_the_lines_number():
    curves = Curves()
    curves.feed('{"progress": 0.1, "loss": 3}\nnoise\n{"progress": 0.2, "loss": 2}\n')
    assert curves.series["loss"] == [(1.0, 3.0), (2.0, 2.0)]
    assert curves.as_json() == {"progress": 0.2, "series": {"loss": [[1.0, 3.0], [2.0, 2.0]]}}


def test_the_series_and_their_points_are_bounded_and_span_the_run():
    curves = Curves()
    names = [f"s{i}" for i in range(MAX_SERIES + 5)]
    for step in range(5000):
        curves.feed(json.dumps({"step": step, **{name: step * 0.5 for name in names}}))
    assert list(curves.series) == names[:MAX_SERIES]
    for points in curves.series.values():
        assert MAX_POINTS // 2 <= len(points) <= MAX_POINTS
        assert points[0][0] == 0.0 and points[-1][0] >= 4990.0
        assert [x for x, _ in points] == sorted(x for x, _ in points)


def test_no_progress_line_keeps_nothing():
    curves = Curves()
    curves.feed("training...\ndone\n")
    assert curves.as_json() == {}


def test_stored_curves_are_checked_again_when_read_back():
    stored = {
        "series": {
            "loss": [[1, 2.0], [2, "x"], [3], [4, 1.0]],
            "bad name": [[1, 1]],
            "empty": [],
            "acc": "not a list",
        }
    }
    assert stored_series(stored) == {"loss": [(1.0, 2.0), (4.0, 1.0)]}
    assert stored_series({"series": None}) == {} and stored_series([]) == {}

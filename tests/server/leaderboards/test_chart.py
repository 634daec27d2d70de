"""The leaderboard chart's geometry: pure, points in, SVG shapes out."""

from __future__ import annotations

import datetime as dt

from server.leaderboards.chart import HEIGHT, LEFT, TOP, WIDTH, build_chart

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def test_no_scores_no_chart():
    assert build_chart(record=[], series={}, baselines=[("Chance", 0.5)], now=_at(1)) is None


def test_record_is_a_step_line_held_until_now_inside_the_plot():
    record = [(_at(0), 0.5), (_at(10), 0.9)]
    chart = build_chart(
        record=record, series={"ada": record}, baselines=[("Chance", 0.5)], now=_at(20), you="ada"
    )
    assert chart is not None
    best = chart.lines[0]
    assert best.path.startswith(f"M{LEFT:.1f} ") and best.path.count("V") == 1
    assert best.path.endswith(f"H{WIDTH - 16:.1f}")  # held until now, at the right edge
    assert chart.lines[1].is_you and chart.lines[1].label == "ada"
    assert all(TOP <= tick.pos <= HEIGHT for tick in chart.y_ticks)
    assert chart.baselines[0].label == "Chance"
    assert "from 0.5 on 2026-01-01 to 0.9 on 2026-01-01, improved once" in chart.summary


def test_higher_scores_are_drawn_higher():
    chart = build_chart(
        record=[(_at(0), 0.2), (_at(1), 0.8)],
        series={},
        baselines=[("low", 0.1), ("high", 0.95)],
        now=_at(2),
    )
    assert chart is not None
    low, high = chart.baselines
    assert high.y < low.y  # SVG's y grows downwards


def test_a_single_flat_score_still_has_a_range():
    chart = build_chart(record=[(_at(0), 1.0)], series={}, baselines=[], now=_at(0))
    assert chart is not None and chart.y_ticks[0].label != chart.y_ticks[-1].label

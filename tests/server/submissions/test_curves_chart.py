"""A run's curves drawn as small SVG panels: each in its own scale, inside its
plot area, a single point or a flat curve drawn too."""

from __future__ import annotations

import re

from server.submissions.curves_chart import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, panels


def _coordinates(path: str) -> list[tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    return list(zip(numbers[::2], numbers[1::2], strict=False))


def test_each_curve_is_a_panel_of_its_own_scale_inside_its_plot_area():
    drawn = panels({"loss": [(1, 2.0), (2, 1.0), (3, 0.5)], "val_acc": [(1, 0.9), (3, 0.99)]})
    assert [p.name for p in drawn] == ["loss", "val_acc"]
    for panel in drawn:
        points = _coordinates(panel.path)
        assert all(
            LEFT <= x <= WIDTH - RIGHT + 0.2 and TOP <= y <= HEIGHT - BOTTOM for x, y in points
        )
        assert points[0][0] == LEFT and points[-1][0] == WIDTH - RIGHT  # spans the width
    loss = drawn[0]
    assert (loss.y_low, loss.y_high, loss.x_low, loss.x_high) == ("0.5", "2", "1", "3")
    assert "loss went from 2 to 0.5 over 3 points" in loss.summary


def test_a_single_point_and_a_flat_curve_are_drawn():
    one, flat = panels({"one": [(5, 1.0)], "flat": [(1, 3.0), (2, 3.0)]})
    assert one.path.endswith("h0.1") and len(_coordinates(one.path)) == 1
    assert len({y for _, y in _coordinates(flat.path)}) == 1


def test_empty_series_are_left_out():
    assert panels({"none": []}) == []

"""A run's training curves as small SVG charts drawn on the server: one panel per
curve (its own scale: a loss and an accuracy do not share one), x the step.
Pure: points in, shapes out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from server.leaderboards.chart import PALETTE

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 48, 10, 10, 24


@dataclass(frozen=True)
class Panel:
    name: str
    path: str
    color: str
    last: float
    y_low: str  # the axis' labels
    y_high: str
    x_low: str
    x_high: str
    summary: str

    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def plot_width(self) -> int:
        return self.right - self.left

    @property
    def plot_height(self) -> int:
        return self.bottom - self.top


def panels(series: Mapping[str, Sequence[tuple[float, float]]]) -> list[Panel]:
    return [
        _panel(name, points, PALETTE[index % len(PALETTE)])
        for index, (name, points) in enumerate(series.items())
        if points
    ]


def _panel(name: str, points: Sequence[tuple[float, float]], color: str) -> Panel:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    x_low, x_high = _spread(min(xs), max(xs))
    y_low, y_high = _spread(min(ys), max(ys))

    def at(x: float, y: float) -> str:
        px = LEFT + (x - x_low) / (x_high - x_low) * (WIDTH - LEFT - RIGHT)
        py = TOP + (y_high - y) / (y_high - y_low) * (HEIGHT - TOP - BOTTOM)
        return f"{px:.1f} {py:.1f}"

    path = "M" + " L".join(at(x, y) for x, y in points)
    if len(points) == 1:
        path += " h0.1"  # a round cap makes one point a dot
    return Panel(
        name=name,
        path=path,
        color=color,
        last=ys[-1],
        y_low=f"{min(ys):.3g}",
        y_high=f"{max(ys):.3g}",
        x_low=f"{min(xs):.6g}",
        x_high=f"{max(xs):.6g}",
        summary=f"{name} went from {ys[0]:.4g} to {ys[-1]:.4g} over {len(points)} points "
        f"(lowest {min(ys):.4g}, highest {max(ys):.4g}).",
    )


def _spread(low: float, high: float) -> tuple[float, float]:
    if high == low:
        pad = abs(high) * 0.1 or 0.5
        return low - pad, high + pad
    return low, high

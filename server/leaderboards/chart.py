"""The leaderboard's chart, drawn on the server as SVG geometry: the board's
best score over time as a thick step line, a few participants' own progress as
thin ones, and the baselines as dashed rules. Pure: points in, shapes out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Points = Sequence[tuple[dt.datetime, float]]
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 60, 16, 14, 34
# Distinct on white and on each other, each with at least 4.5:1 contrast.
PALETTE = ("#1f5fbf", "#116329", "#a40e26", "#6e40c9", "#0a6b75", "#8a5a00", "#b3246f", "#4d5560")
RECORD_COLOR = "#1b1f24"
BASELINE_COLOR = "#7a3e00"


@dataclass(frozen=True)
class Line:
    label: str
    path: str
    color: str
    width: float
    is_you: bool = False


@dataclass(frozen=True)
class Rule:
    label: str
    y: float
    score: float


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: list[Line]
    baselines: list[Rule]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    summary: str

    @property
    def plot_width(self) -> int:
        return self.right - self.left

    @property
    def plot_height(self) -> int:
        return self.bottom - self.top


def build_chart(
    *,
    record: Points,
    series: Mapping[str, Points],
    baselines: Sequence[tuple[str, float]],
    now: dt.datetime,
    you: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Chart | None:
    """None when there is nothing to draw yet. ``series`` and ``you`` name
    entrants by key; ``labels`` gives a key's name in the legend (the key itself
    when absent)."""
    if not record:
        return None
    times = [t for t, _ in record] + [t for points in series.values() for t, _ in points]
    start = min(times)
    end = max(now, max(times) + dt.timedelta(minutes=1))
    values = [v for _, v in record] + [v for p in series.values() for _, v in p]
    values += [score for _, score in baselines]
    low, high = _padded(min(values), max(values))
    scale = _Scale(start, end, low, high)
    lines = [Line("Best on the board", scale.steps(record, end), RECORD_COLOR, 3.0)]
    for index, (name, points) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        label = (labels or {}).get(name, name)
        lines.append(Line(label, scale.steps(points, end), color, 1.6, is_you=name == you))
    rules = [Rule(label, round(scale.y(score), 1), score) for label, score in baselines]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        lines=lines,
        baselines=rules,
        x_ticks=scale.x_ticks(),
        y_ticks=scale.y_ticks(),
        summary=_summary(record),
    )


def _padded(low: float, high: float) -> tuple[float, float]:
    if high == low:
        spread = abs(high) * 0.1 or 0.5
        return low - spread, high + spread
    pad = (high - low) * 0.06
    return low - pad, high + pad


def _summary(record: Points) -> str:
    (first_at, first), (last_at, last) = record[0], record[-1]
    if len(record) == 1:
        return f"Best score {last:.4g}, reached on {last_at:%Y-%m-%d}."
    return (
        f"The best score went from {first:.4g} on {first_at:%Y-%m-%d} to {last:.4g} on "
        f"{last_at:%Y-%m-%d}, improved {_times(len(record) - 1)}."
    )


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


class _Scale:
    def __init__(self, start: dt.datetime, end: dt.datetime, low: float, high: float) -> None:
        self.start, self.end, self.low, self.high = start, end, low, high
        self.span = (end - start).total_seconds()

    def x(self, moment: dt.datetime) -> float:
        share = (moment - self.start).total_seconds() / self.span
        return LEFT + share * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        share = (self.high - value) / (self.high - self.low)
        return TOP + share * (HEIGHT - TOP - BOTTOM)

    def steps(self, points: Points, end: dt.datetime) -> str:
        """A step line: each best holds until the next one, the last until now."""
        (first_at, first), *rest = points
        parts = [f"M{self.x(first_at):.1f} {self.y(first):.1f}"]
        for moment, value in rest:
            parts.append(f"H{self.x(moment):.1f} V{self.y(value):.1f}")
        parts.append(f"H{self.x(end):.1f}")
        return " ".join(parts)

    def y_ticks(self, count: int = 5) -> list[Tick]:
        step = (self.high - self.low) / (count - 1)
        values = [self.low + i * step for i in range(count)]
        return [Tick(round(self.y(v), 1), f"{v:.3g}") for v in values]

    def x_ticks(self, count: int = 4) -> list[Tick]:
        fmt = "%b %d" if self.span > 2 * 86400 else "%H:%M"
        moments = [self.start + (self.end - self.start) * (i / (count - 1)) for i in range(count)]
        return [Tick(round(self.x(m), 1), m.astimezone(dt.UTC).strftime(fmt)) for m in moments]

"""A run's progress and training curves, read from its log: one JSON object per
line, such as ``{"progress": 0.42, "step": 420, "loss": 1.23, "val_acc": 0.97}``
(the convention of ``challenges/README.md``: nothing to install).

``progress`` (0 to 1) drives the progress bar and the estimated time left;
``step`` is the curves' x (else the line's number among such lines); every
other key with a finite number is a curve. The program is hostile: a line is
read only if it is short and a JSON object with a number under ``progress`` or
``step``; names are short and plain; numbers are finite; what is kept is bounded
(series, points per series: a full series drops every other point, so it always
spans the whole run)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

MAX_LINE_CHARS = 1000
MAX_SERIES = 8
MAX_POINTS = 400  # per series; halved (every other point kept) when full
MAX_KEY_CHARS = 32
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/]*")
RESERVED = ("progress", "step")
Point = tuple[float, float]


def parse_line(line: str) -> dict[str, float] | None:
    """The finite numbers of one progress line, or None if it is not one."""
    text = line.strip()
    if not (text.startswith("{") and text.endswith("}")) or len(text) > MAX_LINE_CHARS:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    numbers = {
        key: float(value)
        for key, value in data.items()
        if _plain_key(key) and _finite_number(value)
    }
    if not any(key in numbers for key in RESERVED):
        return None
    return numbers


def _plain_key(key: str) -> bool:
    return len(key) <= MAX_KEY_CHARS and KEY.fullmatch(key) is not None


def _finite_number(value: object) -> bool:
    # bool is an int to Python, but true is not a measurement.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass
class Curves:
    """The curves read so far; ``as_json()`` is what is stored with the submission."""

    series: dict[str, list[Point]] = field(default_factory=dict)
    progress: float | None = None
    lines: int = 0  # progress lines read

    def feed(self, text: str) -> None:
        for line in text.splitlines():
            numbers = parse_line(line)
            if numbers is not None:
                self._add(numbers)

    def _add(self, numbers: dict[str, float]) -> None:
        self.lines += 1
        if "progress" in numbers:
            self.progress = min(max(numbers["progress"], 0.0), 1.0)
        x = numbers.get("step", float(self.lines))
        for name, value in numbers.items():
            if name in RESERVED:
                continue
            points = self.series.get(name)
            if points is None:
                if len(self.series) >= MAX_SERIES:
                    continue  # the first MAX_SERIES names are kept
                points = self.series[name] = []
            points.append((x, value))
            if len(points) > MAX_POINTS:
                del points[1::2]

    def as_json(self) -> dict[str, object]:
        """Empty when the program printed no progress line."""
        if not self.lines:
            return {}
        return {
            "progress": self.progress,
            "series": {name: [list(p) for p in points] for name, points in self.series.items()},
        }


def stored_series(curves: object) -> dict[str, list[Point]]:
    """The series of a stored ``as_json()``, checked again (it is read back from the
    database and Redis): anything out of shape is left out."""
    if not isinstance(curves, dict) or not isinstance(curves.get("series"), dict):
        return {}
    kept: dict[str, list[Point]] = {}
    for name, points in list(curves["series"].items())[:MAX_SERIES]:
        if not (isinstance(name, str) and _plain_key(name) and isinstance(points, list)):
            continue
        pairs = [
            (float(p[0]), float(p[1]))
            for p in points[: MAX_POINTS + 1]
            if isinstance(p, list) and len(p) == 2 and all(_finite_number(v) for v in p)
        ]
        if pairs:
            kept[name] = pairs
    return kept

"""Validation of a ``[grading]`` table: every problem is collected, so an instructor
fixes a challenge in one pass rather than one error per reload."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TypedDict

from graders.errors import GradingSpecError
from graders.metrics import DIRECTIONS, METRICS, Direction

KEYS = frozenset(
    {"output", "reader", "value_column", "labels", "metric", "direction"}
    | {"public_fraction", "max_output_mb"}
)
LABEL_READERS = frozenset({"csv_labels"})  # readers whose values come from a fixed label set
DEFAULT_MAX_OUTPUT_MB = 16
LARGEST_MAX_OUTPUT_MB = 1024  # the grader reads the whole file into memory


class SpecFields(TypedDict):
    output: str
    reader: str
    metric: str
    direction: Direction
    public_fraction: float
    value_column: str
    labels: tuple[int, ...] | None
    max_output_mb: float


def check_spec(table: Mapping[str, object], *, readers: Collection[str]) -> SpecFields:
    """Return the fields of a valid table, or raise ``GradingSpecError`` with all problems."""
    if not isinstance(table, Mapping):
        raise GradingSpecError(["the [grading] table must be a table"])
    problems = [f"unknown key {key!r}" for key in sorted(map(str, table)) if key not in KEYS]
    reader = _reader(table, readers, problems)
    fields = SpecFields(
        output=_output(table, problems),
        reader=reader,
        metric=_metric(table, problems),
        direction=_direction(table, problems),
        public_fraction=_public_fraction(table, problems),
        value_column=_value_column(table, problems),
        labels=_labels(table, reader, problems),
        max_output_mb=_max_output_mb(table, problems),
    )
    if problems:
        raise GradingSpecError(problems)
    return fields


def _output(table: Mapping[str, object], problems: list[str]) -> str:
    output = table.get("output")
    if not isinstance(output, str) or not output:
        problems.append("output must be a file name, e.g. 'predictions.csv'")
        return ""
    if output in (".", "..") or any(c in output for c in "/\\\x00") or not output.isprintable():
        problems.append(f"output {output!r} must be a plain file name (no folders, no '..')")
    return output


def _reader(table: Mapping[str, object], readers: Collection[str], problems: list[str]) -> str:
    reader = table.get("reader")
    if not isinstance(reader, str) or reader not in readers:
        problems.append(f"reader must be one of {', '.join(sorted(readers))}, got {reader!r}")
        return ""
    return reader


def _metric(table: Mapping[str, object], problems: list[str]) -> str:
    metric = table.get("metric")
    if not isinstance(metric, str) or metric not in METRICS:
        problems.append(f"metric must be one of {', '.join(sorted(METRICS))}, got {metric!r}")
        return ""
    return metric


def _direction(table: Mapping[str, object], problems: list[str]) -> Direction:
    """Derived from the metric; an explicit value is allowed but must agree with it."""
    metric = METRICS.get(str(table.get("metric")))
    given = table.get("direction")
    if given is not None and given not in DIRECTIONS:
        problems.append(f"direction must be 'higher' or 'lower', got {given!r}")
    elif metric is not None and given is not None and given != metric.direction:
        problems.append(
            f"direction {given!r} contradicts metric {metric.name!r} ({metric.direction} is better)"
        )
    return metric.direction if metric is not None else "higher"


def _public_fraction(table: Mapping[str, object], problems: list[str]) -> float:
    given = table.get("public_fraction")
    fraction = _as_number(given)
    if fraction is None or not 0 < fraction < 1:
        problems.append(f"public_fraction must be a number strictly between 0 and 1, got {given!r}")
        return 0.5
    return fraction


def _value_column(table: Mapping[str, object], problems: list[str]) -> str:
    column = table.get("value_column", "label")
    if not isinstance(column, str) or not column.isidentifier() or column == "id":
        problems.append(f"value_column must be a plain column name other than 'id', got {column!r}")
        return "label"
    return column


def _labels(
    table: Mapping[str, object], reader: str, problems: list[str]
) -> tuple[int, ...] | None:
    labels = table.get("labels")
    label_readers = ", ".join(sorted(LABEL_READERS))
    if labels is None:
        if reader in LABEL_READERS:
            problems.append(f"labels (a list of integers) is required for reader {reader}")
        return None
    if reader and reader not in LABEL_READERS:
        problems.append(f"labels only applies to reader {label_readers}")
        return None
    if not isinstance(labels, list) or not labels or not all(_is_int(x) for x in labels):
        problems.append(f"labels must be a non-empty list of integers, got {labels!r}")
        return None
    if len(set(labels)) != len(labels):
        problems.append("labels must not repeat a value")
    return tuple(labels)


def _max_output_mb(table: Mapping[str, object], problems: list[str]) -> float:
    given = table.get("max_output_mb", DEFAULT_MAX_OUTPUT_MB)
    size = _as_number(given)
    if size is None or not 0 < size <= LARGEST_MAX_OUTPUT_MB:
        problems.append(
            f"max_output_mb must be a number in (0, {LARGEST_MAX_OUTPUT_MB}], got {given!r}"
        )
        return DEFAULT_MAX_OUTPUT_MB
    return size


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # TOML true is not 1


def _as_number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None

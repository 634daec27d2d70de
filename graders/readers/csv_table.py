"""Strict readers of ``id,<value_column>`` CSV files written by untrusted programs.

Only this dialect is accepted: one header line, then one ``id,value`` row per
test id, plain commas (no quoting), ``\\n`` or ``\\r\\n`` line ends, blank lines only
at the end. The first problem found is raised as ``InvalidOutput`` naming the
file and line, so a student can fix it without guessing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from graders.errors import InvalidOutput
from graders.readers.untrusted import read_untrusted_text, show

T = TypeVar("T")
_INT = re.compile(r"-?[0-9]{1,20}")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NON_FINITE = {"nan", "inf", "infinity"}
_MISSING_SHOWN = 5
_LONGEST_NUMBER = 100  # characters; float() of a megabyte of digits is slow


class _BadField(Exception):
    """A problem with one row; the caller adds the file name and line number."""


def read_label_csv(
    path: Path,
    *,
    expected_ids: Sequence[int],
    value_column: str,
    labels: Sequence[int] | None,
    max_bytes: int,
) -> dict[int, int]:
    """Read integer labels, one per expected id; ``labels`` (if given) are the allowed values."""
    allowed = None if labels is None else frozenset(labels)

    def parse(field: str) -> int:
        value = _parse_int(field)
        if value is None:
            raise _BadField(f"{value_column} {show(field)} is not an integer")
        if allowed is not None and value not in allowed:
            described = _describe(allowed)
            raise _BadField(f"{value_column} {value} is not an allowed label ({described})")
        return value

    return _read_table(path, expected_ids, value_column, parse, max_bytes)


def read_value_csv(
    path: Path, *, expected_ids: Sequence[int], value_column: str, max_bytes: int
) -> dict[int, float]:
    """Read finite real values, one per expected id (NaN and infinities are refused)."""

    def parse(field: str) -> float:
        if field.lower().lstrip("+-") in _NON_FINITE:
            raise _BadField(f"{value_column} {show(field)} is not finite (NaN or infinity)")
        if len(field) > _LONGEST_NUMBER or not _FLOAT.fullmatch(field):
            raise _BadField(f"{value_column} {show(field)} is not a number")
        value = float(field)
        if not math.isfinite(value):  # e.g. 1e999 overflows to inf
            raise _BadField(f"{value_column} {show(field)} is not finite (too large)")
        return value

    return _read_table(path, expected_ids, value_column, parse, max_bytes)


def _read_table(
    path: Path,
    expected_ids: Sequence[int],
    value_column: str,
    parse_value: Callable[[str], T],
    max_bytes: int,
) -> dict[int, T]:
    name = path.name
    # Trailing blank lines are allowed: drop them here, so any blank line left is an error.
    text = read_untrusted_text(path, max_bytes=max_bytes).rstrip()
    if not text:
        raise InvalidOutput(f"{name}: is empty")
    lines = enumerate(_lines(text), start=1)
    _check_header(name, next(lines)[1], value_column)
    values = _read_rows(name, lines, frozenset(expected_ids), value_column, parse_value)
    _check_complete(name, expected_ids, values)
    return values


def _lines(text: str) -> Iterator[str]:
    """Lines without their ``\\n`` or ``\\r\\n`` end, one at a time: splitting a file of
    millions of tiny lines at once would cost far more memory than the file."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        yield text[start:end].removesuffix("\r")
        start = end + 1


def _read_rows(
    name: str,
    lines: Iterator[tuple[int, str]],
    expected: Collection[int],
    value_column: str,
    parse_value: Callable[[str], T],
) -> dict[int, T]:
    values: dict[int, T] = {}
    line_of: dict[int, int] = {}
    for number, line in lines:
        try:
            item_id, value = _parse_row(line, expected, value_column, parse_value)
            if item_id in line_of:
                raise _BadField(f"id {item_id} appears twice (also on line {line_of[item_id]})")
        except _BadField as exc:
            raise InvalidOutput(f"{name} line {number}: {exc}") from None
        values[item_id] = value
        line_of[item_id] = number
    return values


def _check_header(name: str, line: str, value_column: str) -> None:
    fields = [field.strip() for field in line.split(",", 2)]
    if fields != ["id", value_column]:
        raise InvalidOutput(
            f"{name}: the first line must be 'id,{value_column}', found {show(line.strip())}"
        )


def _parse_row(
    line: str, expected: Collection[int], value_column: str, parse_value: Callable[[str], T]
) -> tuple[int, T]:
    if not line.strip():
        raise _BadField("blank line (blank lines are only allowed at the end)")
    if line.count(",") != 1:  # counted, not split: a line of a million commas stays cheap
        found = line.count(",") + 1
        raise _BadField(f"expected 2 fields (id,{value_column}), found {found}")
    fields = [field.strip() for field in line.split(",")]
    item_id = _parse_int(fields[0])
    if item_id is None:
        raise _BadField(f"id {show(fields[0])} is not an integer")
    if item_id not in expected:
        raise _BadField(f"id {item_id} is not a test id")
    return item_id, parse_value(fields[1])


def _check_complete(name: str, expected_ids: Sequence[int], values: dict[int, T]) -> None:
    missing = [item_id for item_id in expected_ids if item_id not in values]
    if missing:
        shown = ", ".join(str(item_id) for item_id in missing[:_MISSING_SHOWN])
        more = ", …" if len(missing) > _MISSING_SHOWN else ""
        raise InvalidOutput(
            f"{name}: {len(missing)} of {len(expected_ids)} test ids are missing "
            f"(first: {shown}{more})"
        )


def _parse_int(field: str) -> int | None:
    # A regex rather than int(): int() also takes "1_000", "+5" and non-ASCII digits.
    return int(field) if _INT.fullmatch(field) else None


def _describe(allowed: Collection[int]) -> str:
    values = sorted(allowed)
    if len(values) >= 3 and values[-1] - values[0] == len(values) - 1:
        return f"{values[0]}..{values[-1]}"
    shown = ", ".join(str(value) for value in values[:10])
    return shown + (", …" if len(values) > 10 else "")

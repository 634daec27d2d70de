"""The protocol's messages, read as hostile input: only exact, finite JSON objects pass."""

from __future__ import annotations

import json

import pytest

from graders.interactive import ProtocolViolation, encode_query, parse_answer, parse_ready


def test_the_ready_line_is_exactly_ready_true():
    parse_ready(b'{"ready": true}')
    parse_ready(b' {"ready":true} ')


@pytest.mark.parametrize(
    "line", [b"", b"ready", b'{"ready": 1}', b'{"ready": true, "x": 1}', b"[true]", b"\xff\xfe"]
)
def test_anything_else_first_on_stdout_is_a_violation_that_points_to_stderr(line: bytes):
    with pytest.raises(ProtocolViolation, match="print logs and progress to stderr"):
        parse_ready(line)


def test_queries_are_numbered_compact_json_lines():
    line = encode_query(3, {"contexts": [[1, 2], [3]]})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == {"query": 3, "contexts": [[1, 2], [3]]}


def test_an_environment_cannot_overwrite_the_query_number():
    with pytest.raises(ValueError, match="query"):
        encode_query(0, {"query": 5})


def test_an_answer_gives_back_the_environment_part():
    assert parse_answer(b'{"query": 2, "logprobs": [[0.0]]}', number=2) == {"logprobs": [[0.0]]}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"query": 1, "x": 0}', 'must carry "query": 2'),
        (b'{"query": 2.0, "x": 0}', 'must carry "query": 2'),
        (b'{"query": true, "x": 0}', 'must carry "query": 2'),
        (b'{"x": 0}', 'must carry "query": 2'),
        (b'{"query": 2, "x": NaN}', "NaN is not a number in JSON"),
        (b'{"query": 2, "x": -Infinity}', "-Infinity is not a number in JSON"),
        (b'{"query": 2, "query": 2}', "a key appears twice"),
        (b"[2]", "must be a JSON object"),
        (b'{"query": 2', "is not one line of JSON"),
        (b'{"query": 2, "x": "\xff"}', "is not UTF-8 text"),
    ],
)
def test_a_bad_answer_is_a_violation_that_says_why(line: bytes, reason: str):
    with pytest.raises(ProtocolViolation, match=reason.replace("(", r"\(")):
        parse_answer(line, number=2)


def test_a_reason_quotes_only_the_start_of_a_line_and_nothing_unprintable():
    with pytest.raises(ProtocolViolation) as caught:
        parse_answer(b"\x1b[2J" + b"A" * 1000, number=0)
    reason = str(caught.value)
    assert "\x1b" not in reason and len(reason) < 250 and reason.endswith("...'")

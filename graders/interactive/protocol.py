"""The interactive protocol's messages: JSON lines, read from the program as hostile input.

The program prints one ready line (``{"ready": true}``), then answers each query
line with one answer line. The grader numbers its queries (``"query": n``) and
the answer must carry the same number, so an answer that drifts out of step is
caught instead of being scored against the wrong targets. Everything else in a
message belongs to the environment (see ``environment.py``).

Every function here raises ``ProtocolViolation`` (an ``InvalidOutput``: the
student's fault) with one plain sentence for the student.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from graders.errors import InvalidOutput

READY = {"ready": True}
QUERY_KEY = "query"
# The ready line, and anything printed before it, must fit in this many bytes.
MAX_READY_BYTES = 4096
SHOWN_BYTES = 80  # how much of a bad line a reason quotes


class ProtocolViolation(InvalidOutput):
    """The program broke the protocol; ``str(exc)`` says how, in one line."""


def encode(message: Mapping[str, object]) -> bytes:
    """One message as a line: compact JSON (ASCII only), ending in a newline."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode() + b"\n"


def encode_query(number: int, payload: Mapping[str, object]) -> bytes:
    if QUERY_KEY in payload:
        raise ValueError(f"an environment's query may not use the key {QUERY_KEY!r}")
    return encode({QUERY_KEY: number, **payload})


def parse_ready(line: bytes) -> None:
    """Accept exactly the ready message; anything else printed first is a violation."""
    try:
        message: object = _parse(line, what="the ready line")
    except ProtocolViolation:
        message = None
    if not isinstance(message, dict) or message != READY or message["ready"] is not True:
        raise ProtocolViolation(
            f"the first line on stdout must be {json.dumps(READY)}, got {shown(line)}; "
            "print logs and progress to stderr, not stdout"
        )


def parse_answer(line: bytes, *, number: int) -> dict[str, Any]:
    """The environment's part of the answer to query ``number`` (its ``query`` key checked)."""
    message = _parse(line, what=f"the answer to query {number}")
    if message.get(QUERY_KEY) != number or type(message.get(QUERY_KEY)) is not int:
        raise ProtocolViolation(
            f'the answer to query {number} must carry "{QUERY_KEY}": {number}, got {shown(line)}'
        )
    return {key: value for key, value in message.items() if key != QUERY_KEY}


def _parse(line: bytes, *, what: str) -> dict[str, Any]:
    try:
        message = json.loads(
            line.decode("utf-8"), parse_constant=_no_constants, object_pairs_hook=_no_duplicates
        )
    except UnicodeDecodeError:
        raise ProtocolViolation(f"{what} is not UTF-8 text: {shown(line)}") from None
    except ValueError as exc:
        raise ProtocolViolation(f"{what} is not one line of JSON ({exc}): {shown(line)}") from None
    if not isinstance(message, dict):
        raise ProtocolViolation(f"{what} must be a JSON object, got {shown(line)}")
    return message


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a number in JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    message = dict(pairs)
    if len(message) != len(pairs):
        raise ValueError("a key appears twice")
    return message


def shown(line: bytes) -> str:
    """A short, printable quote of an untrusted line for a failure reason."""
    text = line[:SHOWN_BYTES].decode("utf-8", errors="replace").rstrip("\n")
    text = "".join(c if c.isprintable() else "\ufffd" for c in text)
    more = "..." if len(line.rstrip(b"\n")) > SHOWN_BYTES else ""
    return f"'{text}{more}'" if text else "an empty line"

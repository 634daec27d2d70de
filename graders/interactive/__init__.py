"""Interactive grading: the program answers queries while it runs; the hidden data
stays with the grader. Pure: the worker's harness (``worker/interactive``) carries
the lines between a sandboxed program and an environment defined here.

The protocol, as students see it, is documented in ``challenges/INTERACTIVE.md``.
"""

from graders.interactive.environment import Environment
from graders.interactive.protocol import (
    MAX_READY_BYTES,
    ProtocolViolation,
    encode_query,
    parse_answer,
    parse_ready,
)
from graders.interactive.registry import ENVIRONMENTS
from graders.interactive.spec import InteractiveSpec

__all__ = [
    "ENVIRONMENTS",
    "MAX_READY_BYTES",
    "Environment",
    "InteractiveSpec",
    "ProtocolViolation",
    "encode_query",
    "parse_answer",
    "parse_ready",
]

"""The ``interactive`` kind of grading: a ``[grading]`` table that names an environment.

    [grading]
    kind = "interactive"
    environment = "char_lm"   # see registry.py
    query_seconds = 120       # the query phase's budget, from the ready line to the last answer
    max_answer_kb = 1024      # the largest answer line
    steps = 32                # ...and the environment's own keys

The metric and its direction are the environment's; ``metric`` and ``direction``
may be given (the site stores them back) but must agree with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from graders.errors import GradingSpecError
from graders.graded import LiveGraded
from graders.interactive.environment import Environment
from graders.interactive.registry import ENVIRONMENTS
from graders.metrics import Direction

HARNESS_KEYS = frozenset({"environment", "query_seconds", "max_answer_kb", "metric", "direction"})
LIMITS = {"query_seconds": (120, 6 * 3600), "max_answer_kb": (1024, 64 * 1024)}


@dataclass(frozen=True)
class InteractiveSpec(LiveGraded):
    environment: str
    metric: str
    direction: Direction
    query_seconds: float
    max_answer_kb: int
    options: Mapping[str, object] = field(default_factory=dict)
    kind: ClassVar[str] = "interactive"

    @classmethod
    def from_dict(cls, table: Mapping[str, object]) -> InteractiveSpec:
        """Validate every key; raise ``GradingSpecError`` listing all problems at once."""
        problems: list[str] = []
        environment = ENVIRONMENTS.get(str(table.get("environment")))
        if environment is None:
            known = ", ".join(sorted(ENVIRONMENTS))
            problems.append(f"environment must be one of {known}, got {table.get('environment')!r}")
        limits = {name: _limit(table, name, problems) for name in LIMITS}
        options = {key: value for key, value in table.items() if key not in HARNESS_KEYS}
        if environment is not None:
            problems += environment.check_options(options)
            problems += _agrees(table, environment)
        if problems or environment is None:
            raise GradingSpecError(problems)
        return cls(
            environment=environment.name,
            metric=environment.metric,
            direction=environment.direction,
            options=options,
            query_seconds=float(limits["query_seconds"]),
            max_answer_kb=limits["max_answer_kb"],
        )

    def open(self, *, hidden_dir: Path) -> Environment:
        """A fresh environment over the hidden data: one per evaluation."""
        return ENVIRONMENTS[self.environment](hidden_dir=hidden_dir, options=self.options)


def _limit(table: Mapping[str, object], name: str, problems: list[str]) -> int:
    default, largest = LIMITS[name]
    value: Any = table.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= largest:
        problems.append(f"{name} must be a whole number from 1 to {largest}")
        return default
    return int(value)


def _agrees(table: Mapping[str, object], environment: type[Environment]) -> list[str]:
    problems = []
    for key, expected in (("metric", environment.metric), ("direction", environment.direction)):
        if key in table and table[key] != expected:
            problems.append(
                f"{key} of environment {environment.name!r} is {expected!r}, not {table[key]!r}"
            )
    return problems

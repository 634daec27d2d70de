"""What an environment is: the grader's side of an interactive evaluation.

An environment holds the hidden data and owns the whole evaluation: it makes
each query's payload, takes the program's answer (checking it as hostile
input, scoring it, and only then moving its own state forward), and finally
gives the scores of the public and private parts. It never sees a pipe or a
process; the worker's harness (``worker/interactive``) carries the lines.

A language model answers next-character distributions for contexts of a
hidden text (``char_lm.py``); a reinforcement-learning agent answers actions
for observations of a grader-owned simulator, with the episodes' returns as
the scores (``cartpole.py``). Adding one is adding a module and a line in
``registry.py``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from graders.metrics import Direction
from graders.scores import Scores


class Environment(ABC):
    name: ClassVar[str]
    metric: ClassVar[str]  # the name of the score shown on the site
    direction: ClassVar[Direction]
    score_range: ClassVar[tuple[float, float]] = (0.0, math.inf)  # where real scores lie

    @classmethod
    def check_options(cls, options: Mapping[str, object]) -> list[str]:
        """Problems with the environment's own keys of a ``[grading]`` table."""
        return [f"unknown key {key!r}" for key in sorted(map(str, options))]

    @abstractmethod
    def __init__(self, *, hidden_dir: Path, options: Mapping[str, object]) -> None:
        """Load the hidden data. A broken file is a platform error (``ValueError``)."""

    @property
    @abstractmethod
    def total_queries(self) -> int:
        """How many queries the whole evaluation asks, at most (for progress and reasons)."""

    @abstractmethod
    def next_query(self) -> dict[str, Any] | None:
        """The payload of the next query (JSON-ready), or None once the evaluation is over."""

    @abstractmethod
    def take_answer(self, answer: Mapping[str, Any]) -> None:
        """Check and score the answer to the last query, then move forward.

        Raises ``ProtocolViolation`` with a plain reason when the answer is unusable."""

    @abstractmethod
    def scores(self) -> Scores:
        """The public and private scores, once ``next_query`` has returned None."""

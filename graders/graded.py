"""The two ways a challenge is graded, one base class each. Every kind of
grading (``graders.kinds``) makes a spec of one of them, and the worker runs a
submission by which one it is, in one place.

- ``FileGraded``: the program runs to its end, then the grader reads the files
  it left in ``/output`` as hostile input and scores them (``labels``,
  ``samples``).
- ``LiveGraded``: the grader talks with the program while it runs: it opens an
  environment over the hidden data, outside the sandbox, and the environment
  scores each answer (``interactive``).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from graders.metrics import Direction
from graders.scores import Scores, check_range

if TYPE_CHECKING:  # the interactive package's specs subclass LiveGraded
    from graders.interactive.environment import Environment

KiB = 1024


class FileGraded(ABC):
    kind: ClassVar[str]
    metric: str
    direction: Direction

    @property
    def score_range(self) -> tuple[float, float]:
        """Where every real score lies; anything else is invalid output."""
        return (0.0, math.inf)

    @abstractmethod
    def grade(self, *, output_dir: Path, hidden_dir: Path) -> Scores:
        """Score the output of one run. ``InvalidOutput`` is the student's fault;
        any other exception is the platform's (bad hidden data, an unreadable
        disk) and worth a retry."""


class LiveGraded(ABC):
    kind: ClassVar[str]
    metric: str
    direction: Direction
    query_seconds: float  # the query phase's budget, from the ready line to the last answer
    max_answer_kb: int  # the largest answer line

    @property
    def max_answer_bytes(self) -> int:
        return self.max_answer_kb * KiB

    @abstractmethod
    def open(self, *, hidden_dir: Path) -> Environment:
        """A fresh environment over the hidden data: one per evaluation."""


GradedSpec = FileGraded | LiveGraded


def grade(*, spec: FileGraded, output_dir: Path, hidden_dir: Path) -> Scores:
    """Score the files one run left in ``output_dir`` (see ``FileGraded.grade``):
    only finite scores within the metric's range, else ``InvalidOutput``."""
    low, high = spec.score_range
    return check_range(spec.grade(output_dir=output_dir, hidden_dir=hidden_dir), low=low, high=high)

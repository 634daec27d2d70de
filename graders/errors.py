"""The two kinds of failure a grader reports.

They are kept apart because they are charged differently: ``InvalidOutput`` is
the student's fault (the submission fails, final, with the message as reason);
``GradingSpecError`` is an instructor's mistake found when a challenge loads.
Anything else raised while grading is a platform error and is retried.
"""

from __future__ import annotations

from collections.abc import Iterable


class InvalidOutput(Exception):
    """The program's output is unusable. ``str(exc)`` is one printable line for the student."""


class GradingSpecError(ValueError):
    """A ``[grading]`` table is wrong; ``problems`` lists every problem, not just the first."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("; ".join(self.problems))

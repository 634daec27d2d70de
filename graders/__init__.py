"""Pure scoring: metrics, public/private splits, strict readers of untrusted outputs.

Nothing here imports Django, Celery or any other part of the project, so an
instructor can grade a file from a notebook exactly as the worker does.
"""

from graders.errors import GradingSpecError, InvalidOutput
from graders.grading import GradedSpec, GradingSpec, Scores, grade
from graders.kinds import KINDS, load_spec

__all__ = [
    "KINDS",
    "GradedSpec",
    "GradingSpec",
    "GradingSpecError",
    "InvalidOutput",
    "Scores",
    "grade",
    "load_spec",
]

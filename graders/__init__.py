"""Pure scoring: kinds of grading, metrics, public/private splits, strict readers
of untrusted outputs, ranking rules.

Nothing here imports Django, Celery or any other part of the project, so an
instructor can grade a file from a notebook exactly as the worker does.
"""

from graders.errors import GradingSpecError, InvalidOutput
from graders.graded import FileGraded, GradedSpec, LiveGraded, grade
from graders.kinds import KINDS, load_spec
from graders.labels import GradingSpec
from graders.scores import Scores

__all__ = [
    "KINDS",
    "FileGraded",
    "GradedSpec",
    "GradingSpec",
    "GradingSpecError",
    "InvalidOutput",
    "LiveGraded",
    "Scores",
    "grade",
    "load_spec",
]

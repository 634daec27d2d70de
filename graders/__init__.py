"""Pure scoring: metrics, public/private splits, strict readers of untrusted outputs.

Nothing here imports Django, Celery or any other part of the project, so an
instructor can grade a file from a notebook exactly as the worker does.
"""

from graders.errors import GradingSpecError, InvalidOutput
from graders.grading import GradingSpec, Scores, grade

__all__ = ["GradingSpec", "GradingSpecError", "InvalidOutput", "Scores", "grade"]

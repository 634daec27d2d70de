"""Interactive runs: a sandboxed program answers queries over stdin/stdout while
an environment of ``graders.interactive`` (outside the sandbox) asks and scores.

``harness.run_interactive`` grades one submission this way (the worker's path);
``conversation.py`` is the sandbox channel that drives the environment,
``wire.py`` the lines with their deadlines and caps, and ``direct.py`` the same
conversation with a plain child process (benchmarks, instructors).
"""

from worker.interactive.conversation import Conversation, Ending, Record
from worker.interactive.harness import Outcome, decide, run_interactive

__all__ = ["Conversation", "Ending", "Outcome", "Record", "decide", "run_interactive"]

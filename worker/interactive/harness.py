"""One interactive evaluation: open the environment over the hidden data (here, in
the worker: the hidden data never enters the sandbox), run the program with a
``Conversation`` as its channel, then decide the outcome from the conversation's
record and what the sandbox observed.

The decision, in order:
1. every query answered: scored (what the program does after its last answer
   does not count; it is stopped);
2. the program broke the protocol: failed, with the violation as the reason;
3. the run was cancelled and the conversation had not stopped it: not ours to
   record (the lease was lost, or the submission cancelled);
4. the sandbox saw a limit crossed or a crash: failed, with the sandbox's reason;
5. the program exited cleanly before the end: failed, saying how far it got.
A platform fault (the environment's hidden data broken, a sandbox failure)
raises, as for any run, and the submission is retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graders import LiveGraded
from graders.scores import Scores
from worker.interactive.conversation import Conversation, Ending, Record
from worker.reasons import failure_reason
from worker.sandbox import SandboxBackend, SandboxResult, SandboxSpec, Status
from worker.sandbox.base import Tick

STOPPED_BY_GRADER = "stopped_by_grader"  # the sandbox status recorded for runs we ended


@dataclass(frozen=True)
class Outcome:
    result: SandboxResult
    record: Record
    scores: Scores | None = None
    reason: str = ""  # why it failed, when it did
    cancelled: bool = False  # neither scored nor failed: the run was not ours to finish

    @property
    def sandbox_status(self) -> str:
        stopped = self.result.status is Status.CANCELLED and not self.cancelled
        return STOPPED_BY_GRADER if stopped else str(self.result.status)

    @property
    def log_tail(self) -> str:
        """The program's log (its stderr), then one line of the grader's own."""
        return f"{self.result.log_tail.rstrip()}\n[grader] {_summary(self.record)}\n".lstrip()


def run_interactive(
    *,
    backend: SandboxBackend,
    spec: SandboxSpec,
    grading: LiveGraded,
    hidden_dir: Path,
    tick: Tick | None = None,
) -> Outcome:
    environment = grading.open(hidden_dir=hidden_dir)
    conversation = Conversation(
        environment=environment,
        query_seconds=grading.query_seconds,
        max_answer_bytes=grading.max_answer_bytes,
    )
    result = backend.run(spec, tick=tick, channel=conversation)
    return decide(result=result, record=conversation.record, spec=spec)


def decide(*, result: SandboxResult, record: Record, spec: SandboxSpec) -> Outcome:
    if record.ending is Ending.COMPLETED:
        return Outcome(result, record, scores=record.scores)
    if record.ending is Ending.VIOLATION:
        return Outcome(result, record, reason=record.violation)
    if result.status is Status.CANCELLED:
        return Outcome(result, record, cancelled=True)
    if result.status is not Status.OK:
        return Outcome(
            result, record, reason=f"{failure_reason(result, spec.limits)} {_when(record)}"
        )
    if record.ready_at is None:
        return Outcome(
            result,
            record,
            reason="Your program exited without printing its ready "
            'line ({"ready": true}) to stdout.',
        )
    return Outcome(
        result,
        record,
        reason=f"Your program exited after answering {record.answered} "
        f"of {record.total_queries} queries; it must answer them all.",
    )


def _when(record: Record) -> str:
    if record.ready_at is None:
        return "It had not printed its ready line yet."
    return f"It had answered {record.answered} of {record.total_queries} queries."


def _summary(record: Record) -> str:
    if record.ready_at is None:
        return "no ready line was received."
    ready = f"ready after {record.ready_at - record.started_at:.1f} s"
    answered = f"{record.answered} of {record.total_queries} queries answered"
    phase = record.query_phase_seconds
    return f"{ready}; {answered}" + (f" in {phase:.1f} s." if phase is not None else ".")

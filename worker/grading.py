"""Running a program and grading it, by the two ways of grading
(``graders.graded``): the one place the worker tells the kinds apart.

- ``FileGraded``: the sandbox runs the program to its end; then the grader reads
  what it left in ``/output`` as hostile input, outside the sandbox.
- ``LiveGraded``: the grader talks with the program while it runs
  (``worker.interactive``); the hidden data never enters the sandbox.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from graders import FileGraded, GradedSpec, InvalidOutput, LiveGraded, Scores, grade
from server.submissions.lifecycle import RunFacts
from worker.interactive import Outcome, run_interactive
from worker.reasons import failure_reason
from worker.sandbox import SandboxBackend, SandboxResult, SandboxSpec, Status
from worker.sandbox.base import Tick


@dataclass(frozen=True)
class Verdict:
    """How a run ended: scored (``scores``) or failed (``reason``), with what it used."""

    facts: RunFacts
    scores: Scores | None = None
    reason: str = ""
    stopped: bool = False  # cancelled, or its lease taken over: not this run's to score


def run_and_grade(
    *, backend: SandboxBackend, spec: SandboxSpec, grading: GradedSpec, hidden_dir: Path, tick: Tick
) -> Verdict:
    """The verdict of one run (``stopped`` when it was cancelled or its lease taken
    over: then only its log and resources may be kept). A platform fault raises."""
    if isinstance(grading, LiveGraded):
        return _graded_live(backend, spec, grading, hidden_dir, tick)
    return _graded_from_files(backend, spec, grading, hidden_dir, tick)


def _graded_from_files(
    backend: SandboxBackend, spec: SandboxSpec, grading: FileGraded, hidden_dir: Path, tick: Tick
) -> Verdict:
    result = backend.run(spec, tick=tick)
    facts = facts_of(result)
    if result.status is Status.CANCELLED:
        return Verdict(facts, stopped=True)
    if not result.ok:
        return Verdict(facts, reason=failure_reason(result, spec.limits))
    try:
        scores = grade(spec=grading, output_dir=spec.output_dir, hidden_dir=hidden_dir)
    except InvalidOutput as exc:
        return Verdict(facts, reason=str(exc))
    return Verdict(facts, scores=scores)


def _graded_live(
    backend: SandboxBackend, spec: SandboxSpec, grading: LiveGraded, hidden_dir: Path, tick: Tick
) -> Verdict:
    """Scores, or a failure reason, come out of the conversation, not out of /output."""
    outcome = run_interactive(
        backend=backend, spec=spec, grading=grading, hidden_dir=hidden_dir, tick=tick
    )
    return verdict_of(outcome)


def verdict_of(outcome: Outcome) -> Verdict:
    """An interactive run's verdict: sealed once a query went out (``server.submissions.sealing``)."""
    facts = dataclasses.replace(
        facts_of(outcome.result),
        sandbox_status=outcome.sandbox_status,
        log_tail=outcome.log_tail,
        sealed=outcome.record.queried,
        log_before_queries=outcome.record.log_before_queries,
    )
    return Verdict(facts, scores=outcome.scores, reason=outcome.reason, stopped=outcome.cancelled)


def facts_of(result: SandboxResult) -> RunFacts:
    return RunFacts(
        sandbox_status=str(result.status),
        wall_seconds=result.wall_seconds,
        cpu_seconds=result.cpu_seconds,
        peak_memory_bytes=result.peak_memory_bytes,
        log_tail=result.log_tail,
        warned_of=result.warned_of or "",
    )

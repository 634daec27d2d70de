"""The harness without a sandbox: run a program as a plain child process and
grade it interactively. For benchmarks and for an instructor checking a
reference on a machine of their own, never for students' code (nothing here
contains it: no limits but the query phase's budget).
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from graders import LiveGraded
from graders.scores import Scores
from worker.interactive.conversation import Conversation, Ending, Record


def run_direct(
    *,
    spec: LiveGraded,
    argv: Sequence[str],
    hidden_dir: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Scores:
    """The program's scores; ``RuntimeError`` with the reason when it fails."""
    record = converse_direct(spec=spec, argv=argv, hidden_dir=hidden_dir, env=env, cwd=cwd)
    if record.ending is not Ending.COMPLETED or record.scores is None:
        reason = record.violation or f"the program ended after {record.answered} answers"
        raise RuntimeError(reason)
    return record.scores


def converse_direct(
    *,
    spec: LiveGraded,
    argv: Sequence[str],
    hidden_dir: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Record:
    """The conversation's record (timings included) of one direct run."""
    conversation = Conversation(
        environment=spec.open(hidden_dir=hidden_dir),
        query_seconds=spec.query_seconds,
        max_answer_bytes=spec.max_answer_bytes,
    )
    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=dict(env) if env is not None else None,
        cwd=cwd,
    )
    assert process.stdin is not None and process.stdout is not None
    ended = threading.Event()

    def wait_then_say_so() -> None:
        process.wait()
        ended.set()

    threading.Thread(target=wait_then_say_so, daemon=True).start()
    try:
        conversation.converse(
            to_program=process.stdin.fileno(),
            from_program=process.stdout.fileno(),
            ended=ended,
            log_so_far=lambda: "",  # stderr is the caller's own here
        )
    finally:
        process.kill()
        process.wait()
        process.stdin.close()
        process.stdout.close()
    return conversation.record

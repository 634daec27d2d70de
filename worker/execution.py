"""Running one submission: claim it, unpack it, run it in the sandbox, grade its
output outside the sandbox, and record the outcome under the claimed attempt."""

from __future__ import annotations

import logging
import os
import socket
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings

from graders import InvalidOutput, grade, load_spec
from worker import dispatch, lifecycle
from worker.reasons import failure_reason
from worker.sandbox import Limits, SandboxResult, SandboxSpec, Status, get_backend
from worker.unpack import UnpackRejected, remove_tree, unpack_submission

logger = logging.getLogger(__name__)
MiB = 1024 * 1024
HEARTBEAT_EVERY_SECONDS = 1.0


def worker_id() -> str:
    return settings.WORKER_ID or f"{socket.gethostname()}:{os.getpid()}"


def execute_submission(*, submission_id: int) -> None:
    attempt = lifecycle.claim(submission_id=submission_id, worker_id=worker_id())
    if attempt is None:
        return  # a redelivery, or someone else's: nothing to do
    try:
        _run_claimed(submission_id, attempt)
    except Exception as exc:
        logger.exception("platform failure running submission %s", submission_id)
        state = lifecycle.release_after_platform_failure(
            submission_id=submission_id, attempt=attempt, reason=type(exc).__name__
        )
        if state == "queued":
            dispatch.resend(submission_id)
    finally:
        dispatch.dispatch_pending()


def _run_claimed(submission_id: int, attempt: int) -> None:
    submission = (
        apps.get_model("submissions", "Submission")
        .objects.select_related("challenge")
        .get(id=submission_id)
    )
    challenge = submission.challenge
    workdir = Path(settings.SANDBOX_WORK_DIR) / f"{submission_id}-{attempt}"
    remove_tree(workdir)
    try:
        try:
            with submission.upload.open("rb") as source:
                unpack_submission(
                    source, name=submission.upload.name, target=workdir / "code",
                    entrypoint=challenge.entrypoint,
                    max_bytes=settings.SUBMISSION_MAX_UNPACKED_BYTES,
                    max_files=settings.SUBMISSION_MAX_FILES,
                )  # fmt: skip
        except UnpackRejected as exc:
            lifecycle.finish_failed(submission_id=submission_id, attempt=attempt,
                                    reason=str(exc), facts=lifecycle.RunFacts())  # fmt: skip
            return
        _sandbox_and_grade(submission_id, attempt, challenge, workdir)
    finally:
        remove_tree(workdir)


def _sandbox_and_grade(submission_id: int, attempt: int, challenge, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    output_dir = workdir / "output"
    output_dir.mkdir(parents=True)
    limits = limits_for(challenge.limits)
    spec = SandboxSpec(
        code_dir=workdir / "code", data_dir=challenge.public_dir, output_dir=output_dir,
        runtime=challenge.runtime, entrypoint=challenge.entrypoint, limits=limits, gpu=None,
    )  # fmt: skip
    backend = get_backend(settings.SANDBOX_BACKEND, runtimes_dir=Path(settings.RUNTIMES_DIR))
    result = backend.run(spec, tick=_heartbeat(submission_id, attempt))
    if result.status is Status.CANCELLED:
        return  # cancelled, or our lease was taken over: the row is not ours to write
    facts = _facts(result)
    if not result.ok:
        reason = failure_reason(result, limits)
        lifecycle.finish_failed(submission_id=submission_id, attempt=attempt, reason=reason,
                                facts=facts)  # fmt: skip
        return
    try:
        scores = grade(spec=load_spec(challenge.grading), output_dir=output_dir,
                       hidden_dir=challenge.hidden_dir)  # fmt: skip
    except InvalidOutput as exc:
        lifecycle.finish_failed(submission_id=submission_id, attempt=attempt, reason=str(exc),
                                facts=facts)  # fmt: skip
        return
    lifecycle.finish_scored(submission_id=submission_id, attempt=attempt, public=scores.public,
                            private=scores.private, facts=facts)  # fmt: skip


def limits_for(table: dict[str, int]) -> Limits:
    defaults = Limits()
    return Limits(
        wall_seconds=float(table.get("wall_seconds", defaults.wall_seconds)),
        cpu_seconds=float(table.get("cpu_seconds", defaults.cpu_seconds)),
        memory_bytes=int(table.get("memory_mb", defaults.memory_bytes // MiB)) * MiB,
        processes=int(table.get("processes", defaults.processes)),
        output_bytes=int(table.get("output_mb", defaults.output_bytes // MiB)) * MiB,
        tmp_bytes=int(table.get("tmp_mb", defaults.tmp_bytes // MiB)) * MiB,
    )


def _heartbeat(submission_id: int, attempt: int):  # type: ignore[no-untyped-def]
    last = [0.0]

    def tick() -> bool:
        now = time.monotonic()
        if now - last[0] < HEARTBEAT_EVERY_SECONDS:
            return True
        last[0] = now
        return lifecycle.heartbeat(submission_id=submission_id, attempt=attempt)

    return tick


def _facts(result: SandboxResult) -> lifecycle.RunFacts:
    return lifecycle.RunFacts(
        sandbox_status=str(result.status),
        wall_seconds=result.wall_seconds,
        cpu_seconds=result.cpu_seconds,
        peak_memory_bytes=result.peak_memory_bytes,
        log_tail=result.log_tail,
    )

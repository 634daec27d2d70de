"""Running one submission: claim it, unpack it, run it in the sandbox, grade its
output outside the sandbox, and record the outcome under the claimed attempt."""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection

from graders import InvalidOutput, grade, load_spec
from worker import broker, dispatch, lifecycle, monitoring, slots
from worker.interactive import run_interactive
from worker.reasons import failure_reason
from worker.sandbox import (
    Limits,
    SandboxBackend,
    SandboxResult,
    SandboxSpec,
    SandboxUnavailable,
    Status,
    get_backend,
)
from worker.unpack import UnpackRejected, remove_tree, unpack_submission

logger = logging.getLogger(__name__)
MiB = 1024 * 1024


def worker_id() -> str:
    return settings.WORKER_ID or f"{socket.gethostname()}:{os.getpid()}"


def execute_submission(*, submission_id: int) -> None:
    gpu_mode = _gpu_mode_if_queued(submission_id)
    if gpu_mode is None:
        return  # a redelivery, a cancelled one, or someone else's: nothing to do
    try:
        # The GPU and cores first, then the claim: a claimed run never waits
        # for a device while its lease runs out.
        with slots.granted(gpu_mode=gpu_mode) as grant:
            _claim_and_run(submission_id, grant)
    except slots.NoFreeGpu:
        logger.warning("no free GPU for submission %s: sent back to the queue", submission_id)
        dispatch.resend(submission_id)  # not claimed: no attempt is spent
    finally:
        dispatch.dispatch_pending()


def _gpu_mode_if_queued(submission_id: int) -> str | None:
    row = (
        apps.get_model("submissions", "Submission")
        .objects.filter(id=submission_id, state="queued")
        .values_list("challenge__gpu", flat=True)
    )
    return row.first()


def _claim_and_run(submission_id: int, grant: slots.Grant) -> None:
    attempt = lifecycle.claim(submission_id=submission_id, worker_id=worker_id())
    if attempt is None:
        return  # someone else claimed it first
    broker.forget_sent([submission_id])
    try:
        _run_claimed(submission_id, attempt, grant)
    except Exception as exc:
        logger.exception("platform failure running submission %s", submission_id)
        state = lifecycle.release_after_platform_failure(
            submission_id=submission_id, attempt=attempt, reason=type(exc).__name__
        )
        monitoring.record_incident(submission_id, f"{type(exc).__name__}: {exc} ({state})")
        if state == "queued":
            dispatch.resend(submission_id)


def _run_claimed(submission_id: int, attempt: int, grant: slots.Grant) -> None:
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
        _sandbox_and_grade(submission_id, attempt, challenge, workdir, grant)
    finally:
        remove_tree(workdir)


def _sandbox_and_grade(submission_id: int, attempt: int, challenge, workdir: Path,  # type: ignore[no-untyped-def]
                       grant: slots.Grant) -> None:  # fmt: skip
    if challenge.gpu == "required" and grant.gpu is None:
        raise SandboxUnavailable("this challenge needs a GPU and this worker has none")
    output_dir = workdir / "output"
    output_dir.mkdir(parents=True)
    limits = limits_for(challenge.limits)
    spec = SandboxSpec(
        code_dir=workdir / "code", data_dir=challenge.public_dir, output_dir=output_dir,
        runtime=challenge.runtime, entrypoint=challenge.entrypoint, limits=limits,
        gpu=grant.gpu, cpus=grant.cpus,
    )  # fmt: skip
    backend = get_backend(settings.SANDBOX_BACKEND, runtimes_dir=Path(settings.RUNTIMES_DIR))
    if challenge.grading.get("kind") == "interactive":
        _run_interactive(submission_id, attempt, challenge, spec, backend)
        return
    result = backend.run(spec, tick=_heartbeat(submission_id, attempt))
    if result.status is Status.CANCELLED:
        # Cancelled, or our lease was taken over: the row is not ours to write.
        logger.warning("submission %s attempt %s is no longer this run's (cancelled or "
                       "taken over): its run was stopped", submission_id, attempt)  # fmt: skip
        return
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


def _run_interactive(  # type: ignore[no-untyped-def]
    submission_id: int, attempt: int, challenge, spec: SandboxSpec, backend: SandboxBackend
) -> None:
    """The grader talks with the program while it runs (worker/interactive): scores,
    or a failure reason, come out of the conversation, not out of /output."""
    outcome = run_interactive(
        backend=backend, spec=spec, grading=load_spec(challenge.grading),
        hidden_dir=challenge.hidden_dir, tick=_heartbeat(submission_id, attempt),
    )  # fmt: skip
    if outcome.cancelled:
        return  # cancelled, or our lease was taken over: the row is not ours to write
    facts = dataclasses.replace(_facts(outcome.result), sandbox_status=outcome.sandbox_status,
                                log_tail=outcome.log_tail)  # fmt: skip
    if outcome.scores is None:
        lifecycle.finish_failed(submission_id=submission_id, attempt=attempt,
                                reason=outcome.reason, facts=facts)  # fmt: skip
        return
    lifecycle.finish_scored(submission_id=submission_id, attempt=attempt,
                            public=outcome.scores.public, private=outcome.scores.private,
                            facts=facts)  # fmt: skip


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
    """The sandbox's tick (about every 0.5 s). Every tick reads whether the run is
    still ours, so a cancel or a take-over stops it within a second; the lease
    is renewed every third of its length."""
    renew_every = max(0.5, settings.LEASE_SECONDS / 3)
    last = [time.monotonic()]  # the claim has just set the lease

    def tick() -> bool:
        now = time.monotonic()
        try:
            if now - last[0] < renew_every:
                return lifecycle.still_ours(submission_id=submission_id, attempt=attempt)
            last[0] = now
            return lifecycle.heartbeat(submission_id=submission_id, attempt=attempt)
        except DatabaseError:
            # Keep running: if the lease runs out meanwhile, the guarded finish
            # (or the next successful tick) sees that the run is no longer ours.
            logger.warning("heartbeat of submission %s failed", submission_id, exc_info=True)
            connection.close_if_unusable_or_obsolete()
            return True

    return tick


def _facts(result: SandboxResult) -> lifecycle.RunFacts:
    return lifecycle.RunFacts(
        sandbox_status=str(result.status),
        wall_seconds=result.wall_seconds,
        cpu_seconds=result.cpu_seconds,
        peak_memory_bytes=result.peak_memory_bytes,
        log_tail=result.log_tail,
    )

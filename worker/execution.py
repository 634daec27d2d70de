"""Running one submission: take a GPU and cores, claim it, unpack it, run and
grade it (``worker.grading``), and record the outcome under the claimed attempt."""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import socket
import time
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

from graders import LiveGraded, load_spec
from server.competitions.models import Challenge
from server.submissions import lifecycle, queueing
from server.submissions.models import Submission
from worker import broker, dispatch, slots
from worker.environment import ran_on
from worker.grading import run_and_grade
from worker.incidents import record_incident
from worker.progress import LiveRun
from worker.queues import GPU_QUEUES
from worker.review import beyond_plausible, contamination
from worker.sandbox import Limits, SandboxSpec, SandboxUnavailable, get_backend
from worker.sandbox.base import Tick
from worker.unpack import UnpackRejected, remove_tree, unpack_submission

logger = logging.getLogger(__name__)
MiB = 1024 * 1024


def worker_id() -> str:
    return settings.WORKER_ID or f"{socket.gethostname()}:{os.getpid()}"


def execute_submission(*, submission_id: int) -> None:
    queue = queueing.queue_if_queued(submission_id)
    if queue is None:
        return  # a redelivery, a cancelled one, or someone else's: nothing to do
    try:
        # The GPU and cores first, then the claim: a claimed run never waits
        # for a device while its lease runs out. A job sent to a GPU queue gets a
        # GPU; one sent to a CPU queue (gpu = "optional", no GPU worker) runs without.
        with slots.granted(gpu=queue in GPU_QUEUES) as grant:
            _claim_and_run(submission_id, grant)
    except slots.NoFreeGpu:
        logger.warning("no free GPU for submission %s: sent back to the queue", submission_id)
        dispatch.resend(submission_id)  # not claimed: no attempt is spent
    finally:
        dispatch.dispatch_pending()


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
        record_incident(submission_id, f"{type(exc).__name__}: {exc} ({state})")
        if state == lifecycle.State.QUEUED:
            dispatch.resend(submission_id)


def _run_claimed(submission_id: int, attempt: int, grant: slots.Grant) -> None:
    submission = lifecycle.claimed(submission_id=submission_id)
    challenge = submission.challenge
    workdir = Path(settings.SANDBOX_WORK_DIR) / f"{submission_id}-{attempt}"
    remove_tree(workdir)
    name = submission.upload.name or ""
    with submission.upload.open("rb") as stored:
        upload = stored.read()  # at most the upload limit: checked when it was stored
    try:
        try:
            unpack_submission(
                io.BytesIO(upload),
                name=name,
                target=workdir / "code",
                entrypoint=challenge.entrypoint,
                max_bytes=settings.SUBMISSION_MAX_UNPACKED_BYTES,
                max_files=settings.SUBMISSION_MAX_FILES,
            )
        except UnpackRejected as exc:
            lifecycle.finish_failed(
                submission_id=submission_id,
                attempt=attempt,
                reason=str(exc),
                facts=lifecycle.RunFacts(),
            )
            return
        # Scanned on every run, so a rescore scans again (with today's fingerprints).
        contaminated = contamination(
            name=_shown_name(submission.original_name, stored=name),
            upload=upload,
            hidden_dir=challenge.hidden_dir,
            checksum=challenge.grader_checksum,
        )
        _sandbox_and_grade(submission, attempt, workdir, grant, held_for=contaminated)
    finally:
        remove_tree(workdir)


def _shown_name(original: str, *, stored: str) -> str:
    """The name the student gave the upload, when it is of the kind it was stored as."""
    suffix = Path(stored).suffix
    return original if original.lower().endswith(suffix) else Path(stored).name


def _sandbox_and_grade(
    submission: Submission, attempt: int, workdir: Path, grant: slots.Grant, *, held_for: str
) -> None:
    challenge = submission.challenge
    if challenge.gpu == Challenge.Gpu.REQUIRED and grant.gpu is None:
        raise SandboxUnavailable("this challenge needs a GPU and this worker has none")
    output_dir = workdir / "output"
    output_dir.mkdir(parents=True)
    spec = SandboxSpec(
        code_dir=workdir / "code",
        data_dir=challenge.public_dir,
        output_dir=output_dir,
        runtime=challenge.runtime,
        entrypoint=challenge.entrypoint,
        limits=limits_for(challenge.limits),
        gpu=grant.gpu,
        cpus=grant.cpus,
        seed=submission.seed,
    )
    grading = load_spec(challenge.grading)
    watcher = LiveRun(
        submission_id=submission.id,
        attempt=attempt,
        heartbeat=_heartbeat(submission.id, attempt),
        interactive=isinstance(grading, LiveGraded),
    )
    verdict = run_and_grade(
        backend=get_backend(settings.SANDBOX_BACKEND, runtimes_dir=Path(settings.RUNTIMES_DIR)),
        spec=spec,
        grading=grading,
        hidden_dir=challenge.hidden_dir,
        tick=watcher,
    )
    # A GPU held for the run is charged for its whole wall time (GPU budgets).
    gpu_seconds = (verdict.facts.wall_seconds or 0.0) if grant.gpu is not None else 0.0
    facts = dataclasses.replace(
        verdict.facts,
        ran_on=_ran_on(challenge, grant),
        gpu_seconds=gpu_seconds,
        curves=watcher.curves_after(verdict.facts.log_tail),
    )
    if verdict.stopped:
        # Cancelled: the student keeps the log of what ran. Taken over: nothing is written.
        kept = lifecycle.record_cancelled_run(
            submission_id=submission.id, attempt=attempt, facts=facts
        )
        logger.warning(
            "submission %s attempt %s was stopped (%s)",
            submission.id,
            attempt,
            "cancelled: its log is kept" if kept else "no longer this run's",
        )
        return
    if verdict.scores is None:
        lifecycle.finish_failed(
            submission_id=submission.id, attempt=attempt, reason=verdict.reason, facts=facts
        )
        return
    lifecycle.finish_scored(
        submission_id=submission.id,
        attempt=attempt,
        scores=verdict.scores,
        facts=facts,
        hold_reason=held_for
        or beyond_plausible(
            scores=verdict.scores, best=challenge.plausible_best, direction=challenge.direction
        ),
    )


def _ran_on(challenge: Challenge, grant: slots.Grant) -> dict[str, object]:
    return ran_on(
        runtime=challenge.runtime,
        runtimes_dir=Path(settings.RUNTIMES_DIR),
        backend=settings.SANDBOX_BACKEND,
        gpu=grant.gpu,
        bundle_hash=challenge.bundle_hash,
        grader_checksum=challenge.grader_checksum,
    )


def limits_for(table: Mapping[str, int]) -> Limits:
    """A challenge's ``[limits]`` table (every key present: the bundle loader fills
    in the defaults) as the sandbox's limits."""
    return Limits(
        wall_seconds=float(table["wall_seconds"]),
        cpu_seconds=float(table["cpu_seconds"]),
        memory_bytes=int(table["memory_mb"]) * MiB,
        processes=int(table["processes"]),
        output_bytes=int(table["output_mb"]) * MiB,
        tmp_bytes=int(table["tmp_mb"]) * MiB,
    )


def _heartbeat(submission_id: int, attempt: int) -> Tick:
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

"""Running a dry run (``server.dry_runs``): the program, unpacked as a submission's
is, in the same sandbox with the challenge's limits capped at DRY_RUN_SECONDS of
wall and CPU time, reading the challenge's training sample at ``/data``; then its
output graded as a real run's (``worker.grading``) against the sample's
set-aside training labels. It goes to the short lane of its device, so it answers
within seconds when a worker of that lane is free; it takes a core group like
any run and is never charged."""

from __future__ import annotations

import dataclasses
import io
import logging
from pathlib import Path

from django.conf import settings

from graders import FileGraded, load_spec
from server.competitions.models import Challenge
from server.dry_runs.models import DryRun
from worker import slots
from worker.celery import app
from worker.dispatch import gpu_worker_alive
from worker.execution import limits_for
from worker.grading import run_and_grade
from worker.queues import Lane, device_for, queue_for
from worker.sandbox import Limits, SandboxSpec, get_backend
from worker.unpack import UnpackRejected, remove_tree, unpack_submission

logger = logging.getLogger(__name__)
DRY_RUN_TASK = "worker.tasks.dry_run"


def request(dry_run_id: int, *, gpu_mode: str) -> None:
    device = device_for(gpu_mode, gpu_worker_alive=gpu_worker_alive())
    app.send_task(DRY_RUN_TASK, args=[dry_run_id], queue=queue_for(device, Lane.SHORT).value)


def capped(limits: Limits, *, seconds: float, cores: int) -> Limits:
    """The challenge's limits, with at most ``seconds`` of wall time and as many
    CPU seconds per core granted."""
    return dataclasses.replace(
        limits,
        wall_seconds=min(limits.wall_seconds, seconds),
        cpu_seconds=min(limits.cpu_seconds, seconds * max(1, cores)),
    )


def execute_dry_run(*, dry_run_id: int) -> None:
    if not DryRun.claim(dry_run_id):
        return  # a redelivery, or someone else's
    dry_run = DryRun.objects.select_related("challenge").get(pk=dry_run_id)
    workdir = Path(settings.SANDBOX_WORK_DIR) / f"dry-run-{dry_run_id}"
    remove_tree(workdir)
    facts: dict[str, object]
    try:
        with slots.granted(gpu=dry_run.challenge.gpu == Challenge.Gpu.REQUIRED) as grant:
            facts = _run(dry_run, workdir, grant)
    except Exception as exc:
        logger.exception("platform failure in dry run %s", dry_run_id)
        facts = {
            "passed": False,
            "reason": f"The platform failed during the dry run ({type(exc).__name__}); "
            "start another.",
        }
    finally:
        remove_tree(workdir)
    passed = facts.pop("passed") is True
    DryRun.finish(dry_run_id, passed=passed, **facts)


def _run(dry_run: DryRun, workdir: Path, grant: slots.Grant) -> dict[str, object]:
    challenge = dry_run.challenge
    grading = load_spec(challenge.grading)
    if not isinstance(grading, FileGraded) or not challenge.offers_dry_run:
        return {"passed": False, "reason": "This challenge offers no dry run."}
    with dry_run.upload.open("rb") as stored:
        upload = stored.read()
    try:
        unpack_submission(
            io.BytesIO(upload),
            name=dry_run.upload.name or "",
            target=workdir / "code",
            entrypoint=challenge.entrypoint,
            max_bytes=settings.SUBMISSION_MAX_UNPACKED_BYTES,
            max_files=settings.SUBMISSION_MAX_FILES,
        )
    except UnpackRejected as exc:
        return {"passed": False, "reason": str(exc)}
    (workdir / "output").mkdir(parents=True)
    spec = SandboxSpec(
        code_dir=workdir / "code",
        data_dir=challenge.dry_run_dir / "public",
        output_dir=workdir / "output",
        runtime=challenge.runtime,
        entrypoint=challenge.entrypoint,
        limits=capped(
            limits_for(challenge.limits),
            seconds=settings.DRY_RUN_SECONDS,
            cores=len(grant.cpus),
        ),
        gpu=grant.gpu,
        cpus=grant.cpus,
        dry_run=True,
    )
    verdict = run_and_grade(
        backend=get_backend(settings.SANDBOX_BACKEND, runtimes_dir=Path(settings.RUNTIMES_DIR)),
        spec=spec,
        grading=grading,
        hidden_dir=challenge.dry_run_dir / "hidden",
        tick=lambda: True,
    )
    facts: dict[str, object] = {
        "log": verdict.facts.log_tail,
        "wall_seconds": verdict.facts.wall_seconds,
        "cpu_seconds": verdict.facts.cpu_seconds,
    }
    scores = verdict.scores
    if scores is None:
        return {**facts, "passed": False, "reason": verdict.reason}
    items = scores.n_public + scores.n_private
    # Over the whole sample: each half's score weighted by its items (the mean
    # over items, for the per-item metrics of the challenges that offer dry runs).
    overall = (scores.public * scores.n_public + scores.private * scores.n_private) / items
    return {**facts, "passed": True, "sample_score": overall, "sample_items": items}

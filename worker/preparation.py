"""Preparing an uploaded bundle: instructor code, run like student code.

The web request only stages a bundle (``server.competitions.loading``); this
maintenance task runs its ``prepare.py`` inside the sandbox, through the same
backend as a submission: the bundle (with the ``graders`` package beside it) at
``/submission`` and the raw datasets at ``/data``, both read-only, an empty
``/output`` as the staging folder, no network, a clean environment, the
bundle's own time and memory limits. What it wrote is read as hostile input:
only regular files and folders are copied out, then checked and installed
atomically (``worker.installing``). Then the version's fields are applied to the
challenge and its reference solution, if it has one, is submitted through the
normal pipeline (``server.competitions.preparations`` settles the check).

Every transition is a guarded UPDATE on the preparation's state, so a
redelivered task is a no-op."""

from __future__ import annotations

import dataclasses
import io
import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

import graders
from graders import artifacts
from server.competitions.models import Baseline, Challenge, Preparation
from server.submissions import lifecycle
from worker import dispatch, prepare_entry
from worker.celery import app
from worker.execution import limits_for
from worker.installing import install, prepared_problems, staging_beside, zip_folder
from worker.queues import Queue
from worker.reasons import failure_reason
from worker.sandbox import SandboxResult, SandboxSpec, get_backend
from worker.unpack import remove_tree

logger = logging.getLogger(__name__)
PREPARE_TASK = "worker.tasks.prepare_bundle"
ENTRY = "milestones_prepare_entry.py"
State = Preparation.State


def request(preparation_id: int) -> None:
    app.send_task(PREPARE_TASK, args=[preparation_id], queue=Queue.MAINTENANCE.value)


def prepare_uploaded(*, preparation_id: int) -> None:
    if not _move(preparation_id, State.STAGED, State.PREPARING):
        return  # a redelivery, or already done
    preparation = Preparation.objects.select_related("challenge").get(pk=preparation_id)
    workdir = Path(settings.SANDBOX_WORK_DIR) / f"prepare-{preparation_id}"
    remove_tree(workdir)
    try:
        problem = _prepare_in_sandbox(preparation, workdir)
    except Exception as exc:
        logger.exception("preparing bundle version %s failed", preparation_id)
        problem = f"The platform failed while preparing ({type(exc).__name__}); upload it again."
    finally:
        remove_tree(workdir)
    if problem is not None:
        _fail(preparation, problem)
        return
    _apply(preparation)
    _submit_reference(preparation)


def _prepare_in_sandbox(preparation: Preparation, workdir: Path) -> str | None:
    """Run prepare.py and install what it wrote; the problem, or None when installed."""
    bundle = Path(preparation.bundle_dir)
    code, output = workdir / "code", workdir / "output"
    _lay_out_code(bundle, code)
    output.mkdir(parents=True)
    limits = dataclasses.replace(
        limits_for(preparation.fields["limits"]),
        output_bytes=settings.BUNDLE_PREPARE_MAX_OUTPUT_BYTES,
    )
    spec = SandboxSpec(
        code_dir=code,
        data_dir=_datasets_dir(workdir),
        output_dir=output,
        runtime=str(preparation.fields["runtime"]),
        entrypoint=ENTRY,
        limits=limits,
    )
    backend = get_backend(settings.SANDBOX_BACKEND, runtimes_dir=Path(settings.RUNTIMES_DIR))
    result = backend.run(spec)
    Preparation.objects.filter(pk=preparation.pk).update(log=result.log_tail)
    if not result.ok:
        return _sandbox_problem(result, spec)
    data_dir = Path(settings.CHALLENGE_DATA_DIR) / preparation.challenge.slug
    staging = staging_beside(data_dir)
    # The backend copied out folders and regular files only, the worker's own
    # (sandbox.outputs.copy_out): a move installs them, nothing to re-check.
    shutil.move(output, staging)
    problems = prepared_problems(staging)
    if problems:
        shutil.rmtree(staging, ignore_errors=True)
        return "; ".join(problems)
    install(staging=staging, starter_dir=bundle / "starter", data_dir=data_dir)
    return None


def _lay_out_code(bundle: Path, code: Path) -> None:
    """The bundle's files, the ``graders`` package its prepare.py may import, and
    the entrypoint, readable by the sandbox's uid."""
    shutil.copytree(bundle, code, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        Path(graders.__file__).parent,
        code / "graders",
        ignore=shutil.ignore_patterns("__pycache__"),
        dirs_exist_ok=True,
    )
    shutil.copyfile(prepare_entry.__file__, code / ENTRY)
    for path in [code, *code.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def _datasets_dir(workdir: Path) -> Path:
    datasets = Path(settings.DATASETS_DIR)
    if datasets.is_dir():
        return datasets
    empty = workdir / "no-datasets"  # none installed: prepare.py finds none
    empty.mkdir(parents=True)
    return empty


def _sandbox_problem(result: SandboxResult, spec: SandboxSpec) -> str:
    if result.exit_code == prepare_entry.DATA_MISSING:
        return (
            "prepare.py did not find the raw data it reads (see the log). Ask an "
            "operator to install the datasets (manage.py fetch_datasets), then upload again."
        )
    reason = failure_reason(result, spec.limits).replace("Your program", "prepare.py")
    return reason.replace("/output", "its output")


def _move(preparation_id: int, source: str, target: str, **fields: object) -> bool:
    updated = Preparation.objects.filter(pk=preparation_id, state=source).update(
        state=target, **fields
    )
    return updated == 1


def _fail(preparation: Preparation, reason: str) -> None:
    if _move(preparation.pk, State.PREPARING, State.FAILED, reason=reason):
        # A challenge whose first version failed has no data to show.
        Challenge.objects.filter(
            pk=preparation.challenge_id, data_status=Challenge.DataStatus.PREPARING
        ).update(data_status=Challenge.DataStatus.FAILED, data_problem=reason)


@transaction.atomic
def _apply(preparation: Preparation) -> None:
    """The version's fields, now that its data is in place."""
    challenge = preparation.challenge
    Challenge.objects.filter(pk=challenge.pk).update(
        **preparation.fields,
        bundle_dir=preparation.bundle_dir,
        bundle_hash=preparation.bundle_hash,
        grader_checksum=artifacts.checksum(challenge.hidden_dir),
        data_status=Challenge.DataStatus.READY,
        data_problem="",
    )
    challenge.baselines.all().delete()
    Baseline.objects.bulk_create(
        Baseline(challenge=challenge, position=i, **row)
        for i, row in enumerate(preparation.baselines)
    )
    _forget_older_versions(preparation)


def _forget_older_versions(preparation: Preparation) -> None:
    current = Path(preparation.bundle_dir)
    wanted = set(
        Preparation.objects.filter(challenge_id=preparation.challenge_id)
        .exclude(state__in=Preparation.FINAL_STATES)
        .values_list("bundle_dir", flat=True)
    ) | {str(current)}
    for version in current.parent.iterdir():
        if version.is_dir() and str(version) not in wanted:
            shutil.rmtree(version, ignore_errors=True)


def _submit_reference(preparation: Preparation) -> None:
    challenge = Challenge.objects.get(pk=preparation.challenge_id)
    reference = Path(preparation.bundle_dir) / "reference"
    if not (reference / challenge.entrypoint).is_file():
        _move(preparation.pk, State.PREPARING, State.READY)  # nothing to check
        return
    if challenge.owner is None:
        _fail(preparation, "The challenge has no owner to submit its reference solution.")
        return
    buffer = io.BytesIO()
    zip_folder(reference, buffer)
    upload = SimpleUploadedFile("reference.zip", buffer.getvalue())
    try:
        submission = lifecycle.create(user=challenge.owner, challenge=challenge, upload=upload)
    except Exception as exc:  # refused (a limit, a disqualification): the check cannot run
        _fail(preparation, f"The reference solution could not be submitted: {exc}")
        return
    _move(
        preparation.pk,
        State.PREPARING,
        State.CHECKING,
        reference_submission_id=submission.pk,
    )
    dispatch.request()

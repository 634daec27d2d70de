"""Loading challenge bundles into rows: from the repository's challenges/ folder
(``manage.py load_challenges``) or from an instructor's uploaded zip, through one
validation (``server.bundles``) and one upsert."""

from __future__ import annotations

import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from graders import artifacts
from server.accounts.models import User
from server.accounts.roles import can_manage
from server.bundles.archives import ArchiveProblems, extract_bundle
from server.bundles.bundle import Bundle, BundleError, read_bundle
from server.bundles.markdown import render_markdown
from server.bundles.preparation import DataMissing, prepare_data
from server.competitions.models import Baseline, Challenge, Preparation
from worker import api as worker_api

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadOutcome:
    slug: str
    action: str  # created | updated | unchanged | failed
    detail: str = ""


def challenge_load(
    *, bundle_dir: Path, force: bool = False, owner: User | None = None, draft: bool = False
) -> LoadOutcome:
    """Load one trusted bundle (the repository's ``challenges/``, at setup):
    validate, prepare its data in this process if it changed, upsert the rows.
    ``owner`` and ``draft`` apply when the challenge is created, never to an update.
    An uploaded bundle never comes here: see ``challenge_upload``."""
    bundle = read_bundle(bundle_dir)
    existing = Challenge.objects.filter(slug=bundle.slug).first()
    unchanged = (
        existing is not None
        and existing.bundle_hash == bundle.content_hash
        and existing.data_status == Challenge.DataStatus.READY
        and existing.public_dir.is_dir()
    )
    if unchanged and not force:
        return LoadOutcome(bundle.slug, "unchanged")
    data_status, problem = _prepare(bundle)
    _upsert(bundle, data_status=data_status, data_problem=problem, owner=owner, draft=draft)
    action = "created" if existing is None else "updated"
    return LoadOutcome(bundle.slug, action, problem)


def challenges_load_all(*, root: Path, force: bool = False) -> list[LoadOutcome]:
    """Load every bundle under root; one bundle's failure does not stop the others."""
    outcomes = []
    for bundle_dir in sorted(p for p in root.iterdir() if (p / "challenge.toml").is_file()):
        try:
            outcomes.append(challenge_load(bundle_dir=bundle_dir, force=force))
        except BundleError as exc:
            outcomes.append(LoadOutcome(bundle_dir.name, "failed", "; ".join(exc.problems)))
        except Exception as exc:
            logger.exception("loading %s failed", bundle_dir)
            outcomes.append(LoadOutcome(bundle_dir.name, "failed", f"{type(exc).__name__}: {exc}"))
    return outcomes


def _prepare(bundle: Bundle) -> tuple[str, str]:
    data_dir = Path(settings.CHALLENGE_DATA_DIR) / bundle.slug
    try:
        prepare_data(bundle_dir=bundle.path, data_dir=data_dir, datasets_dir=settings.DATASETS_DIR)
    except DataMissing as exc:
        return Challenge.DataStatus.MISSING, (
            f"{exc}. Install the datasets (manage.py fetch_datasets) or set "
            f"MILESTONES_DATASETS_DIR, then run manage.py load_challenges."
        )
    return Challenge.DataStatus.READY, ""


@transaction.atomic
def _upsert(
    bundle: Bundle, *, data_status: str, data_problem: str, owner: User | None, draft: bool
) -> Challenge:
    fields = _fields(bundle, data_status, data_problem)
    challenge, _ = Challenge.objects.update_or_create(
        slug=bundle.slug,
        create_defaults={**fields, "owner": owner, "is_published": not draft},
        defaults=fields,
    )
    challenge.baselines.all().delete()
    Baseline.objects.bulk_create(
        Baseline(challenge=challenge, position=i, **row) for i, row in enumerate(bundle.baselines)
    )
    return challenge


def _fields(bundle: Bundle, data_status: str, data_problem: str) -> dict[str, object]:
    ready = data_status == Challenge.DataStatus.READY
    hidden_dir = Path(settings.CHALLENGE_DATA_DIR) / bundle.slug / "hidden"
    return {
        **_bundle_fields(bundle),
        # Only a successful prepare records the hash, so a fix of the data is retried.
        "bundle_hash": bundle.content_hash if ready else "",
        "grader_checksum": artifacts.checksum(hidden_dir) if ready else "",
        "data_status": data_status,
        "data_problem": data_problem,
    }


def _bundle_fields(bundle: Bundle) -> dict[str, object]:
    """What a bundle says of its challenge, whatever its data (JSON-ready)."""
    return {
        "title": bundle.title,
        "year": bundle.year,
        "idea": bundle.idea,
        "runtime": bundle.runtime,
        "gpu": bundle.gpu,
        "entrypoint": bundle.entrypoint,
        "limits": bundle.limits,
        "grading": {
            **bundle.grading_table,
            "metric": bundle.grading.metric,
            "direction": bundle.grading.direction,
        },
        "description_html": render_markdown(bundle.readme),
        "bundle_dir": str(bundle.path),
        "plausible_best": bundle.plausible_best,
    }


def challenge_upload(*, user: User, archive: UploadedFile) -> LoadOutcome:
    """Stage a challenge version from an uploaded bundle zip, validated as
    ``manage.py load_challenges`` validates (raises BundleError listing every
    problem; then nothing is created or changed). Its prepare.py is instructor
    code: it never runs here but in a worker's sandbox (``worker.preparation``),
    sent once this transaction commits. A new challenge is created as a draft
    whose data is being prepared; an existing one keeps its current version
    until the new one is prepared."""
    name = Path(archive.name or "bundle.zip")
    if archive.size is not None and archive.size > settings.BUNDLE_UPLOAD_MAX_BYTES:
        raise BundleError(
            name, [f"the zip is larger than {settings.BUNDLE_UPLOAD_MAX_BYTES:,} bytes"]
        )
    root_dir = Path(settings.UPLOADED_BUNDLES_DIR)
    staging = root_dir / f".upload-{uuid.uuid4().hex}"
    try:
        bundle = _unpacked_bundle(archive, name=name, staging=staging)
        existing = Challenge.objects.filter(slug=bundle.slug).first()
        if existing is not None and not can_manage(user, existing):
            raise BundleError(name, [f"the slug {bundle.slug!r} belongs to another challenge"])
        final = root_dir / bundle.slug / bundle.content_hash[:16]
        if not final.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            bundle.path.rename(final)
        _stage(bundle, final, owner=user)
        return LoadOutcome(bundle.slug, "staged" if existing is None else "updated")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@transaction.atomic
def _stage(bundle: Bundle, version: Path, *, owner: User) -> Preparation:
    fields = _bundle_fields(bundle)
    challenge, _ = Challenge.objects.get_or_create(
        slug=bundle.slug,
        defaults={
            **fields,
            "bundle_dir": str(version),
            "owner": owner,
            "is_published": False,
            "data_status": Challenge.DataStatus.PREPARING,
        },
    )
    fields.pop("bundle_dir")
    preparation = Preparation.objects.create(
        challenge=challenge,
        bundle_dir=str(version),
        bundle_hash=bundle.content_hash,
        fields=fields,
        baselines=bundle.baselines,
    )
    transaction.on_commit(lambda: worker_api.request_preparation(preparation.pk))
    return preparation


def _unpacked_bundle(archive: UploadedFile, *, name: Path, staging: Path) -> Bundle:
    archive.seek(0)
    try:
        root, problems = extract_bundle(
            archive,
            target=staging,
            max_bytes=settings.BUNDLE_UPLOAD_MAX_UNPACKED_BYTES,
            max_files=settings.BUNDLE_UPLOAD_MAX_FILES,
        )
    except ArchiveProblems as exc:
        raise BundleError(name, exc.problems) from exc
    if root is None:
        raise BundleError(
            name, [*problems, "no challenge.toml at the zip's root or in its one top folder"]
        )
    try:
        bundle = read_bundle(root)
    except BundleError as exc:
        raise BundleError(name, [*problems, *exc.problems]) from exc
    if problems:
        raise BundleError(name, problems)
    return bundle

"""Writes on challenges: loading bundles (from the repository or an instructor's
uploaded zip), and the competition rules an instructor sets."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from server.accounts.models import User
from server.accounts.roles import can_manage
from server.competitions.archives import ArchiveProblems, extract_bundle
from server.competitions.bundles import Bundle, BundleError, read_bundle
from server.competitions.markdown import render_markdown
from server.competitions.models import Baseline, Challenge, Disqualification, Phase
from server.competitions.preparation import DataMissing, prepare_data

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadOutcome:
    slug: str
    action: str  # created | updated | unchanged | failed
    detail: str = ""


def challenge_load(
    *, bundle_dir: Path, force: bool = False, owner: User | None = None, draft: bool = False
) -> LoadOutcome:
    """Load one bundle: validate, prepare its data if it changed, upsert the rows.
    ``owner`` and ``draft`` apply when the challenge is created, never to an update."""
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
    challenge, _ = Challenge.objects.update_or_create(
        slug=bundle.slug,
        create_defaults={
            **_fields(bundle, data_status, data_problem),
            "owner": owner,
            "is_published": not draft,
        },
        defaults=_fields(bundle, data_status, data_problem),
    )
    challenge.baselines.all().delete()
    Baseline.objects.bulk_create(
        Baseline(challenge=challenge, position=i, **row) for i, row in enumerate(bundle.baselines)
    )
    return challenge


def _fields(bundle: Bundle, data_status: str, data_problem: str) -> dict[str, object]:
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
        # Only a successful prepare records the hash, so a fix of the data is retried.
        "bundle_hash": bundle.content_hash if data_status == "ready" else "",
        "data_status": data_status,
        "data_problem": data_problem,
    }


# --- An instructor's uploaded bundle ----------------------------------------------


def challenge_upload(*, user: User, archive: UploadedFile) -> LoadOutcome:
    """Create or update a challenge from an uploaded bundle zip, through the same
    loader and validation as ``manage.py load_challenges``. Raises BundleError
    listing every problem; on any failure nothing is created or changed."""
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
        created_now = not final.exists()
        if created_now:
            final.parent.mkdir(parents=True, exist_ok=True)
            bundle.path.rename(final)
        try:
            outcome = challenge_load(bundle_dir=final, owner=user, draft=True)
        except Exception as exc:
            if created_now:
                _remove_version(final)
            if isinstance(exc, BundleError):
                raise
            logger.exception("loading the uploaded bundle %s failed", bundle.slug)
            raise BundleError(name, [f"prepare.py failed: {type(exc).__name__}: {exc}"]) from exc
        _forget_older_versions(final)
        return outcome
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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


def _remove_version(version: Path) -> None:
    shutil.rmtree(version, ignore_errors=True)
    with contextlib.suppress(OSError):
        version.parent.rmdir()  # only when no other version is there


def _forget_older_versions(current: Path) -> None:
    for version in current.parent.iterdir():
        if version != current and version.is_dir():
            shutil.rmtree(version, ignore_errors=True)


# --- Competition rules ---------------------------------------------------------------


class ChangeRefused(Exception):
    """An instructor's change that cannot be made; ``str(exc)`` says why."""


def challenge_set_rules(
    *, challenge: Challenge, daily_limit: int | None, max_final: int, is_published: bool
) -> None:
    if daily_limit is not None and daily_limit < 1:
        raise ChangeRefused("The daily limit must be at least 1 (or empty for the default).")
    if not 1 <= max_final <= 20:
        raise ChangeRefused("Final submissions must be between 1 and 20.")
    Challenge.objects.filter(pk=challenge.pk).update(
        daily_limit=daily_limit, max_final=max_final, is_published=is_published
    )


def phase_create(
    *, challenge: Challenge, name: str, starts_at: dt.datetime, ends_at: dt.datetime
) -> Phase:
    """Add a phase; phases of one challenge never overlap, so at most one is open."""
    if not name.strip():
        raise ChangeRefused("A phase needs a name.")
    if ends_at <= starts_at:
        raise ChangeRefused("A phase must end after it starts.")
    with transaction.atomic():
        # Serialise phase changes of this challenge: the overlap check then holds.
        Challenge.objects.select_for_update().filter(pk=challenge.pk).exists()
        clash = Phase.objects.filter(
            challenge=challenge, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).first()
        if clash is not None:
            raise ChangeRefused(f"It overlaps the phase {clash.name!r}; phases may not overlap.")
        return Phase.objects.create(
            challenge=challenge, name=name.strip(), starts_at=starts_at, ends_at=ends_at
        )


def phase_delete(*, challenge: Challenge, phase_id: int) -> bool:
    deleted, _ = Phase.objects.filter(challenge=challenge, id=phase_id).delete()
    return deleted > 0


def participant_disqualify(
    *, challenge: Challenge, username: str, reason: str, by: User
) -> Disqualification:
    """Hide a participant from the challenge's boards; their records stay."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ChangeRefused(f"There is no participant named {username!r}.")
    if not reason.strip():
        raise ChangeRefused("Give the reason: the participant sees it.")
    row, _ = Disqualification.objects.get_or_create(
        challenge=challenge, user=user, defaults={"reason": reason.strip(), "created_by": by}
    )
    return row


def participant_reinstate(*, challenge: Challenge, disqualification_id: int) -> bool:
    deleted, _ = Disqualification.objects.filter(
        challenge=challenge, id=disqualification_id
    ).delete()
    return deleted > 0

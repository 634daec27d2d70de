"""Writes on challenges: loading bundles (from the repository or an upload)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from server.competitions.bundles import Bundle, BundleError, read_bundle
from server.competitions.markdown import render_markdown
from server.competitions.models import Baseline, Challenge
from server.competitions.preparation import DataMissing, prepare_data

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadOutcome:
    slug: str
    action: str  # created | updated | unchanged | failed
    detail: str = ""


def challenge_load(*, bundle_dir: Path, force: bool = False) -> LoadOutcome:
    """Load one bundle: validate, prepare its data if it changed, upsert the rows."""
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
    _upsert(bundle, data_status=data_status, data_problem=problem)
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
def _upsert(bundle: Bundle, *, data_status: str, data_problem: str) -> Challenge:
    challenge, _ = Challenge.objects.update_or_create(
        slug=bundle.slug,
        defaults={
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
        },
    )
    challenge.baselines.all().delete()
    Baseline.objects.bulk_create(
        Baseline(challenge=challenge, position=i, **row) for i, row in enumerate(bundle.baselines)
    )
    return challenge

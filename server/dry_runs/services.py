"""Starting a dry run: the same checks of the upload as a submission's, none of its
charges (no allowance, no compute budget), and limits of its own so that it is
never free compute: one at a time per student, at most ``DRY_RUNS_PER_HOUR``."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from server.accounts.models import User
from server.competitions.models import Challenge
from server.dry_runs.models import LOST_AFTER, DryRun
from server.site import clock
from server.submissions.errors import SubmissionRefused
from server.submissions.services import upload_accepted
from worker import api as worker_api

HOUR = dt.timedelta(hours=1)


def dry_run_create(*, user: User, challenge: Challenge, upload: UploadedFile) -> DryRun:
    if not challenge.offers_dry_run:
        raise SubmissionRefused("This challenge offers no dry run.")
    upload_accepted(user=user, challenge=challenge, upload=upload)
    with transaction.atomic():
        # The student's row, locked: two uploads at once count one after the other.
        User.objects.select_for_update().filter(pk=user.pk).first()
        _check_pace(user=user)
        dry_run = DryRun(
            user=user,
            challenge=challenge,
            token=secrets.token_hex(16),
            original_name=(upload.name or "upload")[:200],
            created_at=clock.now(),
        )
        dry_run.upload.save(upload.name or "main.py", upload, save=False)
        dry_run.save()
        transaction.on_commit(
            lambda: worker_api.request_dry_run(dry_run.pk, gpu_mode=challenge.gpu)
        )
    return dry_run


def _check_pace(*, user: User) -> None:
    now = clock.now()
    busy = (
        DryRun.objects.filter(
            user=user, state__in=DryRun.ACTIVE_STATES, created_at__gt=now - LOST_AFTER
        )
        .values_list("pk", flat=True)
        .first()
    )
    if busy is not None:
        raise SubmissionRefused(
            f"Your dry run #{busy} has not finished yet; one runs at a time (each takes "
            f"at most {settings.DRY_RUN_SECONDS} s)."
        )
    recent = DryRun.objects.filter(user=user, created_at__gt=now - HOUR).count()
    if recent >= settings.DRY_RUNS_PER_HOUR:
        raise SubmissionRefused(
            f"You have made {recent} dry runs in the last hour, the most there may be; "
            "try again later, or submit."
        )

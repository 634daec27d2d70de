"""Writes on submissions: creating one (with its daily limit) and cancelling."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from server.accounts.models import User
from server.competitions.models import Challenge
from server.submissions.models import Submission
from server.submissions.selectors import submissions_used_today
from server.submissions.uploads import UploadRejected, UploadRules, check_upload
from worker import dispatch


class SubmissionRefused(Exception):
    """Why this upload cannot be accepted now, in words shown to the student."""


def submission_create(*, user: User, challenge: Challenge, upload: UploadedFile) -> Submission:
    if challenge.data_status != Challenge.DataStatus.READY:
        raise SubmissionRefused("This challenge's data is not installed yet; try again later.")
    rules = UploadRules(
        entrypoint=challenge.entrypoint,
        max_bytes=settings.SUBMISSION_MAX_UPLOAD_BYTES,
        max_unpacked_bytes=settings.SUBMISSION_MAX_UNPACKED_BYTES,
        max_files=settings.SUBMISSION_MAX_FILES,
    )
    try:
        check_upload(upload, rules=rules)
    except UploadRejected as exc:
        raise SubmissionRefused(str(exc)) from exc
    with transaction.atomic():
        # Lock the participant's row so two simultaneous uploads count one after
        # the other: the last free slot of the day goes to exactly one of them.
        User.objects.select_for_update().filter(pk=user.pk).exists()
        used = submissions_used_today(user=user, challenge=challenge)
        if used >= settings.SUBMISSIONS_PER_DAY:
            raise SubmissionRefused(
                f"You have used your {settings.SUBMISSIONS_PER_DAY} submissions of the last "
                "24 hours on this challenge; the oldest frees up 24 hours after it was made."
            )
        submission = Submission(
            user=user,
            challenge=challenge,
            token=secrets.token_hex(16),
            original_name=(upload.name or "upload")[:200],
        )
        submission.upload.save(upload.name or "main.py", upload, save=False)
        submission.save()
        transaction.on_commit(dispatch.dispatch_pending)
    return submission


def submission_cancel(*, submission: Submission) -> bool:
    """Queued or running -> cancelled (a running one is stopped by its worker's
    next heartbeat). A cancelled submission is not charged."""
    cancelled = Submission.objects.filter(
        id=submission.id, state__in=(*Submission.ACTIVE_STATES, Submission.State.PENDING)
    ).update(state=Submission.State.CANCELLED, finished_at=timezone.now(), lease_expires_at=None)
    if cancelled:
        transaction.on_commit(dispatch.dispatch_pending)
    return cancelled == 1


def day_window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=24)

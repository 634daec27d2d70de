"""Writes on submissions: creating one (phase, daily limit), cancelling,
marking finals, and rescoring (running the stored code again)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from server import clock
from server.accounts.models import User
from server.competitions.models import Challenge, Disqualification, Phase
from server.competitions.selectors import phase_containing, phase_state
from server.submissions.models import Submission
from server.submissions.selectors import UNCHARGED_STATES, WINDOW
from server.submissions.uploads import UploadRejected, UploadRules, check_upload
from worker import dispatch


class SubmissionRefused(Exception):
    """Why this action cannot be done now, in words shown to the participant."""


def submission_create(*, user: User, challenge: Challenge, upload: UploadedFile) -> Submission:
    if challenge.data_status != Challenge.DataStatus.READY:
        raise SubmissionRefused("This challenge's data is not installed yet; try again later.")
    state = phase_state(challenge=challenge)
    if not state.accepting:
        raise SubmissionRefused(state.closed_reason)
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
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        _check_allowed(user=user, challenge=challenge, now=clock.now())
        submission = Submission(
            user=user,
            challenge=challenge,
            token=secrets.token_hex(16),
            original_name=(upload.name or "upload")[:200],
            created_at=clock.now(),
        )
        submission.upload.save(upload.name or "main.py", upload, save=False)
        submission.save()
        transaction.on_commit(dispatch.dispatch_pending)
    return submission


def _check_allowed(*, user: User, challenge: Challenge, now: dt.datetime) -> None:
    """Inside the locked transaction: disqualification and the rolling daily limit."""
    barred = Disqualification.objects.filter(challenge=challenge, user=user).first()
    if barred is not None:
        raise SubmissionRefused(f"You were disqualified from this challenge: {barred.reason}")
    charged = Submission.objects.filter(
        user=user, challenge=challenge, created_at__gte=now - WINDOW
    ).exclude(state__in=UNCHARGED_STATES)
    limit = challenge.submissions_per_day
    times = list(charged.order_by("created_at").values_list("created_at", flat=True)[:limit])
    if len(times) >= limit:
        frees = times[0] + WINDOW if times else now
        raise SubmissionRefused(
            f"You have used your {limit} submissions of the last 24 hours on this challenge; "
            f"the next one frees up at {clock.site_time(frees)}."
        )


def submission_cancel(*, submission: Submission) -> bool:
    """Queued or running -> cancelled (a running one is stopped by its worker's
    next heartbeat). A cancelled submission is not charged."""
    cancelled = Submission.objects.filter(
        id=submission.id, state__in=(*Submission.ACTIVE_STATES, Submission.State.PENDING)
    ).update(state=Submission.State.CANCELLED, finished_at=timezone.now(), lease_expires_at=None)
    if cancelled:
        transaction.on_commit(dispatch.dispatch_pending)
    return cancelled == 1


def submission_select(*, user: User, submission: Submission, selected: bool) -> None:
    """Mark (or unmark) a scored submission as final, before its phase ends, at
    most ``challenge.max_final`` per participant and phase."""
    challenge = submission.challenge
    if submission.user_id != user.id:
        raise SubmissionRefused("Only its author can mark a submission as final.")
    now = clock.now()
    phase = phase_containing(challenge=challenge, moment=submission.created_at)
    if challenge.phases.all() and phase is None:
        raise SubmissionRefused("This submission was made outside every phase.")
    if phase is not None and phase.has_ended_at(now):
        raise SubmissionRefused(f"{phase.name} has ended: final choices are locked.")
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        if selected:
            _check_selectable(submission=submission, phase=phase)
        Submission.objects.filter(id=submission.id, user=user).update(selected=selected)


def _check_selectable(*, submission: Submission, phase: Phase | None) -> None:
    challenge = submission.challenge
    if submission.state != Submission.State.SCORED:
        raise SubmissionRefused("Only a scored submission can be marked as final.")
    others = Submission.objects.filter(
        user_id=submission.user_id, challenge=challenge, selected=True
    ).exclude(id=submission.id)
    if phase is not None:
        others = others.filter(created_at__gte=phase.starts_at, created_at__lt=phase.ends_at)
    if others.count() >= challenge.max_final:
        raise SubmissionRefused(
            f"You may mark at most {challenge.max_final} submissions as final; unmark one first."
        )


# What a rescore clears: the stored code runs again from pending, as if new, but
# keeps its creation time, so the daily limit counts it exactly as before.
RESCORABLE_STATES = (Submission.State.SCORED, Submission.State.FAILED)
_RESET = {
    "state": Submission.State.PENDING,
    "public_score": None,
    "private_score": None,
    "failure_reason": "",
    "log_tail": "",
    "sandbox_status": "",
    "wall_seconds": None,
    "cpu_seconds": None,
    "peak_memory_bytes": None,
    "queued_at": None,
    "started_at": None,
    "finished_at": None,
    "lease_owner": "",
    "lease_expires_at": None,
    "platform_failures": 0,
}


def submission_rescore(*, submission: Submission) -> bool:
    """scored | failed -> pending (one guarded UPDATE); the dispatcher takes it on."""
    moved = Submission.objects.filter(id=submission.id, state__in=RESCORABLE_STATES).update(
        **_RESET
    )
    if moved:
        transaction.on_commit(dispatch.dispatch_pending)
    return moved == 1


def challenge_rescore_all(*, challenge: Challenge) -> int:
    """Every scored or failed submission of the challenge runs again (after a
    grader fix); returns how many were moved back to pending."""
    moved = Submission.objects.filter(challenge=challenge, state__in=RESCORABLE_STATES).update(
        **_RESET
    )
    if moved:
        transaction.on_commit(dispatch.dispatch_pending)
    return int(moved)

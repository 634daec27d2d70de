"""Writes on submissions a participant or an instructor asks for: submitting
(the phase, the data, the upload checked first), cancelling, marking finals,
rescoring. Each state change is a transition of ``lifecycle``; after one that
frees or adds work, a dispatch is requested from the workers."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from server.accounts.models import User
from server.accounts.roles import is_entrant
from server.competitions.deadlines import Acceptance, acceptance
from server.competitions.models import Challenge
from server.competitions.selectors import finals_open_for, phase_of
from server.competitions.services import participant_disqualify
from server.courses.selectors import lock_reason
from server.leaderboards import standings
from server.site import clock
from server.site.mail import send_each
from server.submissions import lifecycle
from server.submissions.entrants import entrant_of
from server.submissions.errors import SubmissionRefused
from server.submissions.models import RegradeRequest, Submission
from server.submissions.uploads import UploadRejected, UploadRules, check_upload
from worker import api as worker_api


def upload_accepted(*, user: User, challenge: Challenge, upload: UploadedFile) -> Acceptance:
    """Whether ``user`` may run ``upload`` on ``challenge`` now (its phase, their
    course, the upload itself: a syntax error is refused here, uncharged); the
    phase's decision, or ``SubmissionRefused`` with the reason. Shared by
    submissions and dry runs (``server.dry_runs``)."""
    if challenge.data_status != Challenge.DataStatus.READY:
        raise SubmissionRefused("This challenge's data is not installed yet; try again later.")
    entrant = entrant_of(user=user, challenge=challenge)
    accepted = acceptance(
        challenge=challenge, user_id=user.pk, team_id=entrant.team_id, at=clock.now()
    )
    if not accepted.accepted:
        raise SubmissionRefused(accepted.reason)
    locked = lock_reason(user=user, challenge=challenge)
    if locked is not None:
        raise SubmissionRefused(locked)
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
    return accepted


def submission_create(*, user: User, challenge: Challenge, upload: UploadedFile) -> Submission:
    accepted = upload_accepted(user=user, challenge=challenge, upload=upload)
    submission = lifecycle.create(
        user=user,
        challenge=challenge,
        upload=upload,
        accepted=lifecycle.Accepted(
            phase_id=accepted.phase.pk if accepted.phase is not None else None,
            late_days=accepted.late_days,
        ),
    )
    transaction.on_commit(worker_api.request_dispatch)
    return submission


def submission_cancel(*, submission: Submission) -> bool:
    """Stop a pending, queued or running submission; it is not charged."""
    cancelled = lifecycle.cancel(submission_id=submission.id)
    if cancelled:
        transaction.on_commit(worker_api.request_dispatch)
    return cancelled


def submission_select(*, user: User, submission: Submission, selected: bool) -> None:
    """Mark (or unmark) a scored submission as final, until its phase closes, at
    most ``challenge.max_final`` per entrant (participant or team) and phase."""
    challenge = submission.challenge
    if not is_entrant(user, submission):
        raise SubmissionRefused("Only its author or their team can mark a submission as final.")
    if not finals_open_for(
        challenge=challenge, created_at=submission.created_at, phase_id=submission.phase_id
    ):
        raise SubmissionRefused("Its phase has closed: final choices are locked.")
    with transaction.atomic():
        lifecycle.lock_entrant(user=submission.user, challenge=challenge)
        if selected:
            _check_selectable(submission=submission)
        Submission.objects.filter(id=submission.id).update(selected=selected)
        standings.refresh(
            challenge=challenge, user_id=submission.user_id, team_id=submission.team_id
        )


def _check_selectable(*, submission: Submission) -> None:
    challenge = submission.challenge
    if submission.state != Submission.State.SCORED:
        raise SubmissionRefused("Only a scored submission can be marked as final.")
    same_entrant = (
        Q(team_id=submission.team_id)
        if submission.team_id is not None
        else Q(user_id=submission.user_id, team__isnull=True)
    )
    others = Submission.objects.filter(same_entrant, challenge=challenge, selected=True).exclude(
        id=submission.id
    )
    phase = phase_of(challenge=challenge, phase_id=submission.phase_id, at=submission.created_at)
    if phase is not None:
        others = others.filter(
            Q(phase=phase)
            | Q(phase__isnull=True, created_at__gte=phase.starts_at, created_at__lt=phase.ends_at)
        )
    if others.count() >= challenge.max_final:
        raise SubmissionRefused(
            f"You may mark at most {challenge.max_final} submissions as final; unmark one first."
        )


def submission_release(*, submission: Submission) -> bool:
    """A held submission, reviewed, goes on the boards."""
    return lifecycle.release(submission_id=submission.id)


def submission_disqualify_author(*, submission: Submission, by: User) -> None:
    """A held submission, reviewed, costs its author the challenge: they leave its
    boards, with the reason the submission was held."""
    reason = submission.hold_reason or "a submission held for review"
    participant_disqualify(
        challenge=submission.challenge,
        username=submission.user.username,
        reason=f"Submission #{submission.id} was reviewed: {reason}",
        by=by,
    )


def submission_rescore(*, submission: Submission) -> bool:
    """A scored or failed submission runs again from pending."""
    moved = lifecycle.rescore(submission_id=submission.id)
    if moved:
        transaction.on_commit(worker_api.request_dispatch)
    return moved


def challenge_rescore_all(*, challenge: Challenge) -> int:
    """Every scored or failed submission of the challenge runs again (after a
    grader fix); returns how many were moved back to pending."""
    moved = lifecycle.rescore_challenge(challenge_id=challenge.id)
    if moved:
        transaction.on_commit(worker_api.request_dispatch)
    return moved


# --- regrade requests ---------------------------------------------------------------

REGRADE_TEXT_MAX = 1000
REGRADABLE = (Submission.State.SCORED, Submission.State.HELD, Submission.State.FAILED)


def regrade_request(*, user: User, submission: Submission, text: str) -> RegradeRequest:
    """A participant asks, in a sentence, for a look at their submission's result."""
    if not is_entrant(user, submission):
        raise SubmissionRefused("Only its author or their team can ask for a regrade.")
    if submission.state not in REGRADABLE:
        raise SubmissionRefused("A regrade can be asked once the submission has a result.")
    text = " ".join(text.split())
    if not text:
        raise SubmissionRefused("Say in a sentence what should be looked at again.")
    if len(text) > REGRADE_TEXT_MAX:
        raise SubmissionRefused(f"Keep it under {REGRADE_TEXT_MAX} characters.")
    if submission.regrade_requests.filter(state=RegradeRequest.State.OPEN).exists():
        raise SubmissionRefused("A request for this submission is already waiting for an answer.")
    return RegradeRequest.objects.create(submission=submission, user=user, text=text)


def regrade_answer(*, request: RegradeRequest, by: User, answer: str, rescore: bool) -> None:
    """The instructor answers (and, with ``rescore``, runs the submission again);
    the participant is emailed the answer."""
    answer = answer.strip()
    if request.state != RegradeRequest.State.OPEN:
        raise SubmissionRefused("That request was already answered.")
    if not answer and not rescore:
        raise SubmissionRefused("Write an answer, or rescore the submission.")
    if rescore and not submission_rescore(submission=request.submission):
        raise SubmissionRefused("It cannot be rescored now (it is not scored, held or failed).")
    state = RegradeRequest.State.RESCORED if rescore else RegradeRequest.State.ANSWERED
    RegradeRequest.objects.filter(pk=request.pk).update(
        state=state, answer=answer, answered_by=by, answered_at=clock.now()
    )
    submission = request.submission
    lines = [
        f"Your regrade request for #{submission.id} ({submission.challenge.title}) was answered."
    ]
    if rescore:
        lines.append("The submission is running again; its page shows the new result.")
    if answer:
        lines += ["", answer]
    lines += ["", settings.SITE_URL + reverse("submission", args=[submission.id])]
    transaction.on_commit(
        lambda: send_each(
            subject=f"Regrade of #{submission.id}: {submission.challenge.title}",
            body="\n".join(lines),
            to=[request.user.email],
        )
    )

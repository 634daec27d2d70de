"""Word when it matters: an email to its author when a run that took long ends
(settings.RUN_EMAIL_AFTER_SECONDS; they may turn it off on their profile)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from server.site.mail import send_each
from server.submissions.models import Submission
from server.submissions.sealing import sealed_for

ENDED: dict[str, str] = {
    Submission.State.SCORED: "was scored",
    Submission.State.HELD: "was scored and is held for an instructor's review",
    Submission.State.FAILED: "failed",
    Submission.State.ERROR: "could not be run by the platform",
}


def run_ended(submission_id: int) -> None:
    """After the transaction that ended the run: email its author if it ran long."""
    transaction.on_commit(lambda: _send(submission_id))


def _send(submission_id: int) -> None:
    submission = (
        Submission.objects.select_related("user", "challenge").filter(id=submission_id).first()
    )
    if submission is None or submission.state not in ENDED:
        return
    if submission.sealed and sealed_for(user=submission.user, submission=submission):
        return  # its arrival would time the run's end: the page shows it on its grid
    user = submission.user
    ran = submission.wall_seconds or 0.0
    if not ran and submission.started_at and submission.finished_at:  # the platform's error
        ran = (submission.finished_at - submission.started_at).total_seconds()
    if not (user.email and user.email_when_run_ends) or ran < settings.RUN_EMAIL_AFTER_SECONDS:
        return
    link = settings.SITE_URL + reverse("submission", args=[submission.id])
    what = ENDED[submission.state]
    lines = [f"Your submission #{submission.id} to {submission.challenge.title} {what}."]
    if submission.public_score is not None:
        lines.append(
            f"Public score: {submission.public_score:.4f} ({submission.challenge.metric})."
        )
    if submission.failure_reason:
        lines.append(submission.failure_reason)
    lines += [
        f"It ran {ran / 60:.0f} minutes.",
        "",
        link,
        "",
        "You get this email when a run longer than a few minutes ends; "
        f"turn it off on your profile: {settings.SITE_URL}{reverse('profile')}",
    ]
    send_each(
        subject=f"#{submission.id} {what}: {submission.challenge.title}",
        body="\n".join(lines),
        to=[user.email],
    )

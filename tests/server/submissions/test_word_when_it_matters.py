"""Word when it matters: a long run's end is emailed to its author (unless they
turned it off), and a regrade request is answered or rescored, by email."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from graders import Scores
from server.accounts.models import User
from server.submissions import lifecycle
from server.submissions.errors import SubmissionRefused
from server.submissions.models import RegradeRequest, Submission
from server.submissions.services import regrade_answer, regrade_request
from tests.support.factories import make_challenge, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(site) -> User:
    return User.objects.create_user("ada", email="ada@example.org", password="x")


def _end_run(submission: Submission, seconds: float, *, fail: bool = False) -> None:
    Submission.objects.filter(pk=submission.pk).update(
        state="running", attempt=1, started_at=timezone.now()
    )
    facts = lifecycle.RunFacts(sandbox_status="exited", wall_seconds=seconds, cpu_seconds=seconds)
    if fail:
        lifecycle.finish_failed(
            submission_id=submission.pk, attempt=1, reason="It crashed.", facts=facts
        )
    else:
        scores = Scores(public=0.9, private=0.8, n_public=10, n_private=10)
        lifecycle.finish_scored(submission_id=submission.pk, attempt=1, scores=scores, facts=facts)


def test_a_long_run_emails_its_author_when_it_ends(
    settings, ada, django_capture_on_commit_callbacks
):
    settings.RUN_EMAIL_AFTER_SECONDS = 300
    challenge = make_challenge()
    quick, slow, broken = (
        make_submission(user=ada, challenge=challenge, state="queued") for _ in range(3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _end_run(quick, 12)
        _end_run(slow, 1800)
        _end_run(broken, 900, fail=True)
    assert [m.subject for m in mail.outbox] == [
        f"#{slow.pk} was scored: {challenge.title}",
        f"#{broken.pk} failed: {challenge.title}",
    ]
    assert "Public score: 0.9000 (accuracy)." in mail.outbox[0].body
    assert f"/submissions/{slow.pk}/" in mail.outbox[0].body
    assert "It crashed." in mail.outbox[1].body and mail.outbox[1].to == ["ada@example.org"]


def test_no_email_for_one_who_turned_it_off(settings, ada, django_capture_on_commit_callbacks):
    settings.RUN_EMAIL_AFTER_SECONDS = 300
    User.objects.filter(pk=ada.pk).update(email_when_run_ends=False)
    submission = make_submission(user=ada, challenge=make_challenge(), state="queued")
    with django_capture_on_commit_callbacks(execute=True):
        _end_run(submission, 1800)
    assert mail.outbox == []


def test_a_regrade_is_asked_once_and_answered_by_email(ada, django_capture_on_commit_callbacks):
    prof = User.objects.create_user("prof", is_instructor=True, password="x")
    submission = make_submission(user=ada, challenge=make_challenge(owner=prof), public=0.5)
    request = regrade_request(user=ada, submission=submission, text="  The  seed changed? ")
    assert request.text == "The seed changed?"
    with pytest.raises(SubmissionRefused, match="already waiting for an answer"):
        regrade_request(user=ada, submission=submission, text="again")
    with pytest.raises(SubmissionRefused, match="Only its author or their team"):
        regrade_request(user=prof, submission=submission, text="me too")
    with django_capture_on_commit_callbacks(execute=True):
        regrade_answer(
            request=request, by=prof, answer="Rerun with the fixed grader.", rescore=True
        )
    request.refresh_from_db()
    assert request.state == RegradeRequest.State.RESCORED and request.answered_by == prof
    assert Submission.objects.get(pk=submission.pk).state == "pending"
    [sent] = mail.outbox
    assert sent.to == ["ada@example.org"]
    assert (
        "The submission is running again" in sent.body
        and "Rerun with the fixed grader." in sent.body
    )


def test_a_pending_submission_cannot_be_regraded(ada):
    submission = make_submission(user=ada, challenge=make_challenge(), state="pending")
    with pytest.raises(SubmissionRefused, match="once the submission has a result"):
        regrade_request(user=ada, submission=submission, text="why?")

"""Rescoring runs the stored code again: a guarded update puts a final
submission back to pending, the normal dispatch and a real worker take it on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from server.site import clock
from server.submissions.allowance import allowance_of
from server.submissions.models import Submission
from server.submissions.services import challenge_rescore_all, submission_rescore
from tests.support.factories import make_challenge, make_submission, make_user
from tests.support.paths import REPO
from tests.support.waiting import wait_for

REFERENCE = REPO / "challenges" / "1986-xor-backprop" / "reference" / "main.py"


@pytest.mark.django_db
def test_rescore_clears_the_outcome_and_keeps_the_code_and_the_charge(site):
    challenge = make_challenge(daily_limit=5)
    ada = make_user("ada")
    submission = make_submission(
        user=ada,
        challenge=challenge,
        public=0.9,
        private=0.8,
        log_tail="epoch 1",
        wall_seconds=1.5,
        selected=True,
    )
    used = allowance_of(user=ada, challenge=challenge).used
    assert submission_rescore(submission=submission)
    submission.refresh_from_db()
    assert submission.state == "pending"
    assert (submission.public_score, submission.private_score) == (None, None)
    assert submission.log_tail == "" and submission.wall_seconds is None
    assert submission.selected and submission.upload.read() == b"print('hello')\n"
    assert allowance_of(user=ada, challenge=challenge).used == used


@pytest.mark.django_db
def test_only_finished_runs_are_rescored(site):
    challenge = make_challenge()
    ada = make_user("ada")
    for state in ("pending", "queued", "running", "error", "cancelled"):
        submission = make_submission(user=ada, challenge=challenge, state=state)
        assert not submission_rescore(submission=submission), state
        submission.refresh_from_db()
        assert submission.state == state


@pytest.mark.django_db
def test_rescore_all_takes_every_scored_and_failed_submission_of_the_challenge(site):
    challenge, other = make_challenge(), make_challenge("1998-other")
    ada = make_user("ada")
    long_ago = clock.now() - dt.timedelta(days=3)
    for state in ("scored", "failed", "error", "running"):
        make_submission(user=ada, challenge=challenge, state=state, created_at=long_ago)
    make_submission(user=ada, challenge=other, public=0.3)
    assert challenge_rescore_all(challenge=challenge) == 2
    states = sorted(challenge.submissions.values_list("state", flat=True))
    assert states == ["error", "pending", "pending", "running"]
    assert other.submissions.get().state == "scored"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_rescored_submission_is_run_and_scored_again_by_a_worker(xor_challenge, start_worker):
    start_worker()
    ada = make_user("ada")
    submission = Submission(
        user=ada,
        challenge=xor_challenge,
        token="rescore-1",
        original_name="main.py",
        state="scored",
        public_score=0.1,
        private_score=0.1,
    )
    submission.upload.save("main.py", ContentFile(REFERENCE.read_bytes()), save=False)
    submission.save()
    assert submission_rescore(submission=submission)  # dispatches on commit (autocommit here)

    def scored_again() -> Submission | None:
        row = Submission.objects.get(id=submission.id)
        return row if row.state in ("scored", "failed", "error") else None

    row = wait_for(scored_again, timeout=90, what="the rescored submission to finish")
    assert row.state == "scored", (row.failure_reason, row.log_tail)
    assert row.public_score > 0.9 and row.attempt == 1


@pytest.mark.django_db
def test_staff_rescore_from_djangos_admin(client, site):
    challenge = make_challenge()
    submission = make_submission(user=make_user("ada"), challenge=challenge, public=0.4)
    client.force_login(make_user("sam", staff=True))  # staff, not superuser
    response = client.post(
        "/admin/submissions/submission/", {"action": "rescore", "_selected_action": [submission.id]}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == "pending" and submission.public_score is None

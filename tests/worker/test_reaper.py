"""The reaper: expired leases go back to the queue (then to ``error``, uncharged),
and a queued submission whose message Redis lost is sent again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from server.submissions import lifecycle
from server.submissions.allowance import allowance_of
from server.submissions.models import Submission
from worker import broker as broker_module
from worker import dispatch, incidents
from worker.reaper import reap, seconds_since_last_run

pytestmark = pytest.mark.django_db(transaction=True)


def _running_with_expired_lease(submission: Submission) -> int:
    attempt = lifecycle.claim(submission_id=submission.id, worker_id="dead-worker")
    assert attempt is not None
    past = timezone.now() - dt.timedelta(seconds=1)
    Submission.objects.filter(id=submission.id).update(lease_expires_at=past)
    return attempt


def test_an_expired_lease_is_requeued_sent_again_and_logged(broker, make_user, make_submission):
    submission = make_submission(make_user(), state="queued")
    _running_with_expired_lease(submission)
    reap()
    submission.refresh_from_db()
    assert (submission.state, submission.platform_failures, submission.lease_owner) == (
        "queued",
        1,
        "",
    )
    assert broker_module.queue_depth("cpu-short") == 1
    assert submission.id in broker_module.sent_ids()
    since = timezone.now() - dt.timedelta(minutes=1)
    assert [i.submission_id for i in incidents.incidents_since(since)] == [submission.id]
    assert seconds_since_last_run() is not None


def test_a_held_lease_is_left_alone(broker, make_user, make_submission):
    submission = make_submission(make_user(), state="queued")
    lifecycle.claim(submission_id=submission.id, worker_id="busy-worker")
    reap()
    submission.refresh_from_db()
    assert (submission.state, submission.platform_failures) == ("running", 0)


def test_lease_expiring_past_the_retries_ends_in_error_not_charged(
    settings, broker, make_user, make_submission
):
    settings.MAX_PLATFORM_ATTEMPTS = 2
    student = make_user()
    submission = make_submission(student, state="queued")
    for _ in range(2):
        _running_with_expired_lease(submission)
        reap()
    submission.refresh_from_db()
    assert submission.state == "error"
    assert "not counted against your daily limit" in submission.failure_reason
    assert allowance_of(user=student, challenge=submission.challenge).used == 0


def _age(submission: Submission, seconds: int) -> None:
    then = timezone.now() - dt.timedelta(seconds=seconds)
    Submission.objects.filter(id=submission.id).update(queued_at=then)


def test_a_message_lost_in_a_flush_is_sent_again(settings, broker, make_user, make_submission):
    settings.REDISPATCH_GRACE_SECONDS = 5
    submission = make_submission(make_user())
    assert dispatch.dispatch_pending() == [submission.id]
    broker.flushdb()
    _age(submission, 10)
    assert dispatch.redispatch_lost() == [submission.id]
    assert broker_module.queue_depth("cpu-short") == 1
    assert broker_module.sent_ids() == {submission.id}


def test_a_message_still_in_the_broker_is_not_sent_twice(
    settings, broker, make_user, make_submission
):
    settings.REDISPATCH_GRACE_SECONDS = 5
    settings.REDISPATCH_AFTER_SECONDS = 600
    submission = make_submission(make_user())
    dispatch.dispatch_pending()
    _age(submission, 60)
    assert dispatch.redispatch_lost() == []
    assert broker_module.queue_depth("cpu-short") == 1


def test_the_safety_net_resends_a_long_queued_one_whatever_redis_says(
    settings, broker, make_user, make_submission
):
    settings.REDISPATCH_AFTER_SECONDS = 600
    submission = make_submission(make_user())
    dispatch.dispatch_pending()
    _age(submission, 601)
    assert dispatch.redispatch_lost() == [submission.id]


def test_markers_of_claimed_submissions_are_dropped(broker, make_user, make_submission):
    submission = make_submission(make_user())
    dispatch.dispatch_pending()
    lifecycle.claim(submission_id=submission.id, worker_id="w")
    dispatch.forget_stale_markers()
    assert broker_module.sent_ids() == set()

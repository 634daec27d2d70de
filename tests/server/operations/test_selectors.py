"""What the operations page reads: queue depth per queue (the broker and the
database), running jobs with their elapsed time, failures of the last hour."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from server.operations import selectors
from server.submissions import lifecycle
from server.submissions.models import Submission
from worker import dispatch
from worker.incidents import record_incident

pytestmark = pytest.mark.django_db(transaction=True)


def test_queue_depths_count_the_broker_and_the_database(
    settings, broker, make_user, make_submission
):
    settings.MAX_ACTIVE_JOBS_PER_USER = 1
    student = make_user()
    for _ in range(3):
        make_submission(student)
    gpu_one = make_submission(make_user())
    type(gpu_one.challenge).objects.filter(pk=gpu_one.challenge_id).update(gpu="required")
    # Same challenge: all four now route to the gpu queue.
    dispatch.dispatch_pending()
    depths = {q.queue: q for q in selectors.queue_depths()}
    assert (depths["gpu-short"].messages, depths["gpu-short"].queued) == (2, 2)
    assert (depths["cpu-short"].messages, depths["cpu-short"].queued) == (0, 0)
    assert selectors.pending_count() == 2


def test_running_jobs_show_their_worker_and_elapsed_time(broker, make_user, make_submission):
    submission = make_submission(make_user("ada"), state="queued")
    lifecycle.claim(submission_id=submission.id, worker_id="cpu@host-1:42")
    an_hour_ago = timezone.now() - dt.timedelta(minutes=61)
    Submission.objects.filter(id=submission.id).update(started_at=an_hour_ago)
    [job] = selectors.running_jobs()
    assert (job.submission_id, job.username, job.queue, job.worker, job.attempt) == (
        submission.id,
        "ada",
        "cpu-short",
        "cpu@host-1:42",
        1,
    )
    assert 3600 < job.elapsed_seconds < 3800
    assert not job.lease_expired


def test_failures_of_the_last_hour_only(broker, make_user, make_submission):
    student = make_user()
    now = timezone.now()
    for state, minutes_ago in (("failed", 5), ("error", 10), ("failed", 90), ("scored", 1)):
        row = make_submission(student, state=state)
        finished = now - dt.timedelta(minutes=minutes_ago)
        Submission.objects.filter(id=row.id).update(finished_at=finished, failure_reason=state)
    record_incident(12345, "the worker running it stopped responding")
    failures = selectors.failures_last_hour()
    assert (failures.failed, failures.errors) == (1, 1)
    assert [state for _, state, _, _ in failures.latest] == ["failed", "error"]
    assert [i.submission_id for i in failures.incidents] == [12345]


def test_an_instructor_sees_only_their_own_challenges_jobs(broker, make_user, make_submission):
    from server.competitions.models import Challenge
    from tests.support.factories import make_challenge

    owner = make_user("owner")
    type(owner).objects.filter(pk=owner.pk).update(is_instructor=True)
    owner.refresh_from_db()
    theirs = make_challenge("1999-owned-challenge", owner=owner)
    mine = make_submission(make_user("ada"), state="running", challenge=theirs)
    other = make_submission(make_user("bob"), state="running")
    assert isinstance(other.challenge, Challenge) and other.challenge.owner_id != owner.id
    seen = selectors.snapshot(user=owner)
    assert [job.submission_id for job in seen.running] == [mine.id]
    assert not seen.everything and all(q.messages is None for q in seen.queues)
    staff = make_user("root")
    type(staff).objects.filter(pk=staff.pk).update(is_staff=True)
    staff.refresh_from_db()
    everything = selectors.snapshot(user=staff)
    assert {job.submission_id for job in everything.running} == {mine.id, other.id}

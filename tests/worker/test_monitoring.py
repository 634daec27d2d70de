"""What the operations page reads: queue depth per queue, running jobs with their
elapsed time, workers alive from their heartbeats, failures of the last hour."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from django.utils import timezone

from server.submissions.models import Submission
from tests.support.waiting import wait_for
from worker import dispatch, lifecycle, liveness, monitoring

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
    depths = {q.queue: q for q in monitoring.queue_depths()}
    assert (depths["gpu"].messages, depths["gpu"].queued, depths["gpu"].pending) == (2, 2, 2)
    assert (depths["cpu"].messages, depths["cpu"].queued, depths["cpu"].pending) == (0, 0, 0)


def test_running_jobs_show_their_worker_and_elapsed_time(broker, make_user, make_submission):
    submission = make_submission(make_user("ada"), state="queued")
    lifecycle.claim(submission_id=submission.id, worker_id="cpu@host-1:42")
    an_hour_ago = timezone.now() - dt.timedelta(minutes=61)
    Submission.objects.filter(id=submission.id).update(started_at=an_hour_ago)
    [job] = monitoring.running_jobs()
    assert (job.submission_id, job.username, job.queue, job.worker, job.attempt) == (
        submission.id, "ada", "cpu", "cpu@host-1:42", 1,
    )  # fmt: skip
    assert 3600 < job.elapsed_seconds < 3800
    assert not job.lease_expired


def test_failures_of_the_last_hour_only(broker, make_user, make_submission):
    student = make_user()
    now = timezone.now()
    for state, minutes_ago in (("failed", 5), ("error", 10), ("failed", 90), ("scored", 1)):
        row = make_submission(student, state=state)
        finished = now - dt.timedelta(minutes=minutes_ago)
        Submission.objects.filter(id=row.id).update(finished_at=finished, failure_reason=state)
    monitoring.record_incident(12345, "the worker running it stopped responding")
    failures = monitoring.failures_last_hour()
    assert (failures.failed, failures.errors) == (1, 1)
    assert [state for _, state, _, _ in failures.latest] == ["failed", "error"]
    assert [i.submission_id for i in failures.incidents] == [12345]


def test_a_heartbeat_is_seen_until_it_stops_or_expires(settings, broker):
    settings.WORKER_HEARTBEAT_SECONDS = 1
    beating = liveness.Heartbeat(name="cpu@a", queues=["cpu"], concurrency=2, gpus=[])
    silent = liveness.Heartbeat(name="gpu@b", queues=["gpu"], concurrency=1, gpus=[0])
    beating.start()
    silent.beat()  # one beat, then silence: like a frozen or killed worker
    try:
        names = {w.name for w in liveness.workers_alive() or []}
        assert names == {"cpu@a", "gpu@b"}
        wait_for(lambda: {w.name for w in liveness.workers_alive() or []} == {"cpu@a"},
                 timeout=10, what="the silent worker's heartbeat to expire")  # fmt: skip
    finally:
        beating.stop()
    assert liveness.workers_alive() == []


@pytest.mark.integration
def test_a_real_worker_is_alive_while_it_runs_and_gone_when_stopped(
    xor_challenge, broker, start_worker
):
    worker = start_worker("alive")
    name = f"alive@{socket.gethostname()}"
    found = wait_for(lambda: [w for w in liveness.workers_alive() or [] if w.name == name],
                     timeout=30, what="the worker's heartbeat")  # fmt: skip
    assert found[0].queues == ("cpu", "gpu")
    assert found[0].concurrency == 1
    assert found[0].seconds_since_beat < 30
    worker.stop()
    time.sleep(0.5)
    assert name not in {w.name for w in liveness.workers_alive() or []}

"""What a waiting submission's page says: how many wait ahead in its lane, when it
should start (the lane's recent run times, the workers taking it), and plainly
when no worker takes its lane at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from server.submissions.models import Submission
from server.submissions.selectors import queue_status
from worker import liveness

pytestmark = pytest.mark.django_db(transaction=True)


def _queued(make_submission, user, queue: str, minutes_ago: int) -> Submission:  # type: ignore[no-untyped-def]
    row = make_submission(user, state="queued")
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    Submission.objects.filter(id=row.id).update(queue=queue, queued_at=at)
    row.refresh_from_db()
    return row


def test_a_queued_run_starts_after_those_ahead_share_the_lanes_workers(
    broker, make_user, make_submission
):
    for seconds in (8.0, 10.0, 12.0):  # the lane's recent runs: a median of 10 s
        done = make_submission(make_user(), state="scored")
        Submission.objects.filter(id=done.id).update(
            queue="cpu-short", wall_seconds=seconds, finished_at=timezone.now()
        )
    running = make_submission(make_user(), state="running")
    Submission.objects.filter(id=running.id).update(queue="cpu-short")
    for minutes in (9, 8):
        _queued(make_submission, make_user(), "cpu-short", minutes)
    mine = _queued(make_submission, make_user(), "cpu-short", 1)
    liveness.Heartbeat(name="w@h", queues=["cpu-short"], concurrency=1, gpus=[]).beat()
    status = queue_status(submission=mine)
    assert status is not None and (status.ahead, status.served) == (2, True)
    assert status.starts_in_seconds == 30.0  # three runs before it, one slot, 10 s each
    liveness.Heartbeat(name="v@h", queues=["cpu-short"], concurrency=1, gpus=[]).beat()
    assert queue_status(submission=mine).starts_in_seconds == 10.0  # type: ignore[union-attr]


def test_a_gpu_job_without_a_gpu_worker_says_so(client, broker, make_user, make_submission):
    user = make_user("ada")
    mine = _queued(make_submission, user, "gpu-short", 1)
    status = queue_status(submission=mine)
    assert status is not None and not status.served and status.gpu
    client.force_login(user)
    page = client.get(f"/submissions/{mine.id}/status/").content.decode()
    assert "No GPU worker is available now: it runs when one starts." in page


def test_a_pending_run_waits_for_its_authors_other_runs(client, broker, make_user, make_submission):
    user = make_user("bob")
    mine = make_submission(user)
    client.force_login(user)
    assert (
        "waiting for your other runs to end"
        in client.get(f"/submissions/{mine.id}/status/").content.decode()
    )

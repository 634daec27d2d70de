"""Lanes through the real stack: while a long job runs on the long lane, a short
job submitted after it runs on the short lane and is scored before the long one
ends; it never waits behind it."""

from __future__ import annotations

import pytest

from server.submissions.models import Submission
from tests.support.pipeline import reference_files, sign_in, submit
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SLEEPS = b"import time\ntime.sleep(60)\n"  # then fails for want of output: a long job


def test_a_short_job_is_scored_while_a_long_one_holds_the_long_lane(
    client, load_challenge, xor_challenge, start_worker, settings
):  # type: ignore[no-untyped-def]
    settings.SHORT_LANE_SECONDS = 120
    slow = load_challenge("1958-perceptron")
    type(slow).objects.filter(pk=slow.pk).update(limits={**slow.limits, "wall_seconds": 600})
    start_worker("short", queues="cpu-short,maintenance")
    start_worker("long", queues="cpu-long")
    sign_in(client, "patient")
    long_id = submit(client, slow.slug, {"main.py": SLEEPS})
    wait_for(
        lambda: Submission.objects.get(id=long_id).state == "running",
        timeout=60,
        what="the long job to start",
    )
    client.logout()
    sign_in(client, "quick")
    short_id = submit(client, xor_challenge.slug, reference_files(xor_challenge.slug))
    short = wait_for(lambda: _final(short_id), timeout=45, what="the short job to end")
    assert short.state == "scored" and short.queue == "cpu-short", short.failure_reason
    long = Submission.objects.get(id=long_id)
    assert long.queue == "cpu-long" and long.state == "running"  # still going: no waiting behind it


def _final(submission_id: int) -> Submission | None:
    submission = Submission.objects.get(id=submission_id)
    return submission if submission.is_final else None

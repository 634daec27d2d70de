"""A task delivered twice scores once: the claim is a guarded UPDATE."""

from __future__ import annotations

import pytest

from graders import Scores
from server.submissions import lifecycle
from server.submissions.models import Submission
from tests.support.paths import REPO
from tests.support.pipeline import queued_submission
from tests.support.waiting import wait_for
from worker.execution import execute_submission

REFERENCE = REPO / "challenges" / "1986-xor-backprop" / "reference" / "main.py"
pytestmark = pytest.mark.django_db(transaction=True)


def test_second_delivery_of_a_finished_task_is_a_no_op(xor_challenge):
    submission = queued_submission(xor_challenge, REFERENCE.read_bytes())
    execute_submission(submission_id=submission.id)
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.state == "scored"
    assert submission.attempt == 1


@pytest.mark.integration
def test_same_task_sent_twice_to_a_real_worker_scores_once(xor_challenge, start_worker):
    from worker.tasks import run_submission

    submission = queued_submission(xor_challenge, REFERENCE.read_bytes())
    run_submission.apply_async(args=[submission.id], queue="cpu-short")
    run_submission.apply_async(args=[submission.id], queue="cpu-short")
    start_worker()
    wait_for(lambda: Submission.objects.get(id=submission.id).is_final, timeout=90, what="scored")
    submission.refresh_from_db()
    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert submission.attempt == 1


def test_claim_is_won_by_exactly_one_worker(xor_challenge):
    submission = queued_submission(xor_challenge, REFERENCE.read_bytes())
    first = lifecycle.claim(submission_id=submission.id, worker_id="a")
    second = lifecycle.claim(submission_id=submission.id, worker_id="b")
    assert first == 1 and second is None


def test_a_taken_over_attempt_can_neither_heartbeat_nor_finish(xor_challenge):
    submission = queued_submission(xor_challenge, REFERENCE.read_bytes())
    old = lifecycle.claim(submission_id=submission.id, worker_id="frozen")
    assert old is not None
    Submission.objects.filter(id=submission.id).update(state="queued")  # the reaper's move
    new = lifecycle.claim(submission_id=submission.id, worker_id="fresh")
    assert new == old + 1
    assert not lifecycle.heartbeat(submission_id=submission.id, attempt=old)
    facts = lifecycle.RunFacts()
    stale, fresh = Scores(1.0, 1.0, 1, 1), Scores(0.9, 0.8, 1, 1)
    assert not lifecycle.finish_scored(
        submission_id=submission.id, attempt=old, scores=stale, facts=facts
    )
    assert lifecycle.finish_scored(
        submission_id=submission.id, attempt=new, scores=fresh, facts=facts
    )
    submission.refresh_from_db()
    assert (submission.state, submission.public_score) == ("scored", 0.9)


def test_platform_failures_retry_then_end_as_uncharged_error(xor_challenge, settings):
    settings.MAX_PLATFORM_ATTEMPTS = 2
    submission = queued_submission(xor_challenge, REFERENCE.read_bytes())
    states = []
    for _ in range(2):
        attempt = lifecycle.claim(submission_id=submission.id, worker_id="w")
        assert attempt is not None
        states.append(
            lifecycle.release_after_platform_failure(
                submission_id=submission.id, attempt=attempt, reason="disk full"
            )
        )
    assert states == ["queued", "error"]
    submission.refresh_from_db()
    assert "not counted against your daily limit" in submission.failure_reason

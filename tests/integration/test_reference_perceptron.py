"""The 1958 perceptron challenge through the real stack: Django's test client ->
Redis -> a real Celery worker -> the bubblewrap sandbox (numpy runtime) -> the
grader. The reference runs whole (it needs milliseconds): Rosenblatt's rule to
convergence, which must reproduce the leaderboard's Rosenblatt baseline exactly."""

from __future__ import annotations

import pytest

from tests.support.pipeline import (
    board_halves,
    listed_halves,
    reference_files,
    sign_in,
    starter_files,
    submit_and_wait,
)

SLUG = "1958-perceptron"
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_reference_rule_converges_and_matches_the_rosenblatt_baseline(
    client, load_challenge, start_worker
):  # type: ignore[no-untyped-def]
    challenge = load_challenge(SLUG)
    assert challenge.data_status == "ready", challenge.data_problem
    start_worker()
    sign_in(client, "frank")
    submission = submit_and_wait(client, SLUG, reference_files(SLUG), timeout=120)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert "train accuracy 1.0000" in submission.log_tail  # the rule converged
    majority = challenge.baselines.get(position=0)
    rosenblatt = challenge.baselines.get(position=1)
    assert board_halves(submission) == listed_halves(rosenblatt)
    assert min(board_halves(submission)) > max(listed_halves(majority)) + 0.2
    assert submission.cpu_seconds < challenge.limits["cpu_seconds"]


def test_starter_kit_runs_as_is_and_scores_the_majority_baseline(
    client, load_challenge, start_worker
):  # type: ignore[no-untyped-def]
    challenge = load_challenge(SLUG)
    start_worker()
    sign_in(client, "ada")
    submission = submit_and_wait(client, SLUG, starter_files(SLUG), timeout=120)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert board_halves(submission) == listed_halves(challenge.baselines.get(position=0))

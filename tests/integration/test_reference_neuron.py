"""The 1943 logical-neuron challenge through the real stack: Django's test client ->
Redis -> a real Celery worker -> the bubblewrap sandbox (numpy runtime) -> the
grader. The reference runs on a budget of 20 passes of Rosenblatt's rule (its full
run allows 200): every function one unit computes converges within 14 here, so the
budget changes no answer, and the run must reproduce the listed reference result
exactly, with two layers for exactly the eight functions that need them."""

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

SLUG = "1943-logical-neuron"
BUDGET = {"max_epochs": 20}
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_reference_network_on_a_budget_matches_its_listed_result(
    client, load_challenge, start_worker
):  # type: ignore[no-untyped-def]
    challenge = load_challenge(SLUG)
    assert challenge.data_status == "ready", challenge.data_problem
    start_worker()
    sign_in(client, "warren")
    submission = submit_and_wait(client, SLUG, reference_files(SLUG, budget=BUDGET), timeout=120)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert submission.log_tail.count(": two layers (") == 8, submission.log_tail
    assert board_halves(submission) == listed_halves(challenge.reference_result)
    rosenblatt = challenge.baselines.get(position=2)
    assert min(board_halves(submission)) > max(listed_halves(rosenblatt)) + 0.1
    assert submission.cpu_seconds < challenge.limits["cpu_seconds"]


def test_starter_kit_runs_as_is_and_scores_the_majority_baseline(
    client, load_challenge, start_worker
):  # type: ignore[no-untyped-def]
    challenge = load_challenge(SLUG)
    start_worker()
    sign_in(client, "walter")
    submission = submit_and_wait(client, SLUG, starter_files(SLUG), timeout=120)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert board_halves(submission) == listed_halves(challenge.baselines.get(position=0))

"""The 2006 deep-belief-net challenge through the real stack: Django's test client
-> Redis -> a real Celery worker -> the bubblewrap sandbox (numpy runtime) -> the
grader.

The reference runs on a budget (``budget.json``): its two RBMs pretrained for
three sweeps over 5,000 of the unlabelled digits, a few CPU seconds. Measured
outside the sandbox that budget scored about 0.815 on either half; the test holds
it three points above the starter's listed score on each half (the starter,
training from scratch on the same 100 labels, is the milestone's point of
comparison), about five standard errors of a half. The full run is for
benchmarks/references.py. The starter runs as downloaded, and passes a dry run
on its sample of 40 set-aside labelled digits."""

from __future__ import annotations

import pytest

from tests.support.dry_runs import dry_run, wait_ended
from tests.support.pipeline import (
    board_halves,
    listed_halves,
    reference_files,
    sign_in,
    starter_files,
    submit_and_wait,
)

SLUG = "2006-deep-belief-nets"
BUDGET = {"epochs": 3, "unlabelled_limit": 5000}
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_reference_dbn_on_a_budget_beats_training_from_scratch(
    client, load_challenge, start_worker
):  # type: ignore[no-untyped-def]
    challenge = load_challenge(SLUG)
    assert challenge.data_status == "ready", challenge.data_problem
    start_worker()
    sign_in(client, "geoffrey")
    submission = submit_and_wait(client, SLUG, reference_files(SLUG, budget=BUDGET), timeout=300)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert "100 labelled, 5000 unlabelled digits, 3 epochs a layer" in submission.log_tail
    scratch = listed_halves(challenge.baselines.get(position=1))
    found = board_halves(submission)
    assert all(s is not None and f > s + 0.03 for f, s in zip(found, scratch, strict=True))
    assert submission.cpu_seconds < challenge.limits["cpu_seconds"]
    assert submission.curves["progress"] == 1.0 and submission.curves["series"]["layer2_error"]


def test_starter_kit_runs_as_is_and_scores_its_listed_baseline(
    client, load_challenge, start_worker
):  # type: ignore[no-untyped-def]
    challenge = load_challenge(SLUG)
    start_worker()
    sign_in(client, "ada")
    submission = submit_and_wait(client, SLUG, starter_files(SLUG), timeout=300)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    listed = listed_halves(challenge.baselines.get(position=1))
    found = board_halves(submission)  # within one digit of a half (1/5,000)
    assert all(
        s is not None and abs(round((f - s) * 5_000)) <= 1
        for f, s in zip(found, listed, strict=True)
    )


def test_the_starter_passes_a_dry_run_within_its_cap(client, load_challenge, start_worker):  # type: ignore[no-untyped-def]
    """On 60 labelled digits, 40 set aside, 2,000 unlabelled, 50 steps
    (MILESTONES_DRY_RUN=1 says so): the starter as downloaded."""
    load_challenge(SLUG)
    start_worker()
    sign_in(client, "ada")
    ended = wait_ended(dry_run(client, SLUG, starter_files(SLUG)["main.py"]), timeout=120)

    assert ended.state == "passed", (ended.reason, ended.log)
    assert ended.sample_items == 40
    assert "after 50 steps" in ended.log

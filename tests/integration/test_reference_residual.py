"""The 2015 residual-network challenge through the real stack: Django's test client
-> Redis -> a real Celery worker -> the bubblewrap sandbox with the torch runtime ->
the grader.

The reference runs on a budget (``budget.json``): 10,000 training digits for two
epochs, a few CPU seconds of training, where the full run (all 60,000 for ten
epochs) is for benchmarks/references.py. Its 34 layers train even so: it must
score past 0.9 on either half, where the deep plain network, on all the data for
ten epochs, stays far below (its listed baseline); on a budget that small a
network that does not train scores near chance. The starter, as downloaded,
passes a dry run."""

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

SLUG = "2015-residual-mnist"
BUDGET = {"epochs": 2, "train_limit": 10000}
TRAINS = 0.9  # what the reference reaches on its budget, on either half, at least
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_reference_residual_network_on_a_budget_trains_its_34_layers(
    client, load_challenge, start_worker
):  # type: ignore[no-untyped-def]
    challenge = load_challenge(SLUG)
    assert challenge.data_status == "ready", challenge.data_problem
    start_worker()
    sign_in(client, "kaiming")
    submission = submit_and_wait(client, SLUG, reference_files(SLUG, budget=BUDGET), timeout=300)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert "10000 training images, 2 epochs" in submission.log_tail
    plain = challenge.baselines.get(position=1)
    assert min(board_halves(submission)) >= TRAINS > max(listed_halves(plain))  # type: ignore[type-var]
    assert submission.cpu_seconds < challenge.limits["cpu_seconds"]
    # Its progress lines, one per epoch, kept as its curves.
    assert submission.curves["progress"] == 1.0
    assert [x for x, _ in submission.curves["series"]["train_acc"]] == [1, 2]


def test_the_starter_passes_a_dry_run_within_its_cap(client, load_challenge, start_worker):  # type: ignore[no-untyped-def]
    """On 1,000 training digits, one epoch (MILESTONES_DRY_RUN=1 says so), well
    inside the 20 s a dry run gets: the starter as downloaded."""
    load_challenge(SLUG)
    start_worker()
    sign_in(client, "xiangyu")
    ended = wait_ended(dry_run(client, SLUG, starter_files(SLUG)["main.py"]), timeout=120)

    assert ended.state == "passed", (ended.reason, ended.log)
    assert ended.sample_items == 200
    assert "1000 training images, 1 epochs" in ended.log

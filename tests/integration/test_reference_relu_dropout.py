"""The 2012 ReLU-and-dropout challenge through the real stack: Django's test client
-> Redis -> a real Celery worker -> the bubblewrap sandbox with the torch runtime ->
the grader.

The reference runs on a budget (``budget.json``): 20 epochs of its 100, about 5 CPU
seconds. Outside the sandbox that budget scored 0.9160 and 0.9082 on the two
halves; it must beat the starter's listed result (sigmoid units, no dropout, 100
epochs) by a point on each half, some twenty standard errors of the difference
between two networks on the same 5,000 digits' worth of noise. The full run is for
benchmarks/references.py. The starter runs as downloaded and scores its listed
result (within the bundle test's tolerance for trained networks), and passes a
dry run on 800 digits with 200 set aside."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.support.dry_runs import dry_run, wait_ended
from tests.support.pipeline import (
    board_halves,
    listed_halves,
    reference_files,
    sign_in,
    starter_files,
    submit_and_wait,
)

SLUG = "2012-relu-dropout"
BUDGET = {"epochs": 20}
TRAINED = 0.01  # tests/challenges/test_relu_dropout_bundle.py says why
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_torch() -> None:
    if not (Path(settings.RUNTIMES_DIR) / "torch" / "bin" / "python").exists():
        pytest.skip("the torch runtime is not built (python -m worker.runtimes.build torch)")


def test_reference_on_a_budget_beats_the_sigmoid_network(client, load_challenge, start_worker):  # type: ignore[no-untyped-def]
    challenge = load_challenge(SLUG)
    assert challenge.data_status == "ready", challenge.data_problem
    start_worker()
    sign_in(client, "alex")
    submission = submit_and_wait(client, SLUG, reference_files(SLUG, budget=BUDGET), timeout=300)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert "wrote 10000 predictions after 20 epochs" in submission.log_tail
    sigmoid = challenge.baselines.get(position=0)
    for found, listed in zip(board_halves(submission), listed_halves(sigmoid), strict=True):
        assert listed is not None and found > listed + 0.01, submission.log_tail
    assert submission.cpu_seconds < challenge.limits["cpu_seconds"]
    # Its progress lines, every ten epochs, kept as its curves.
    assert submission.curves["progress"] == 1.0
    assert [x for x, _ in submission.curves["series"]["train_acc"]] == [10, 20]


def test_starter_kit_runs_as_is_and_scores_the_sigmoid_baseline(
    client, load_challenge, start_worker
):  # type: ignore[no-untyped-def]
    challenge = load_challenge(SLUG)
    start_worker()
    sign_in(client, "geoffrey")
    submission = submit_and_wait(client, SLUG, starter_files(SLUG), timeout=300)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    sigmoid = challenge.baselines.get(position=0)
    for found, listed in zip(board_halves(submission), listed_halves(sigmoid), strict=True):
        assert listed is not None and abs(found - listed) <= TRAINED, submission.log_tail
    assert submission.curves["series"]["train_acc"][-1][1] == 1.0  # learned by heart


def test_the_starter_passes_a_dry_run_within_its_cap(client, load_challenge, start_worker):  # type: ignore[no-untyped-def]
    """On 800 served digits, 10 epochs (MILESTONES_DRY_RUN=1 says so), well inside
    the 20 s a dry run gets: the starter as downloaded."""
    load_challenge(SLUG)
    start_worker()
    sign_in(client, "ilya")
    ended = wait_ended(dry_run(client, SLUG, starter_files(SLUG)["main.py"]), timeout=120)

    assert ended.state == "passed", (ended.reason, ended.log)
    assert ended.sample_items == 200
    assert "wrote 200 predictions after 10 epochs" in ended.log
    assert ended.wall_seconds is not None and ended.wall_seconds < 20

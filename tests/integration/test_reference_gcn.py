"""The 2017 graph-convolution challenge through the real stack: Django's test
client -> Redis -> a real Celery worker -> the bubblewrap sandbox (numpy runtime)
-> the grader. The reference runs at full size (200 epochs, about a second), so
no budget is needed: it must reach its listed result, within one node of a half
(its float products' last bits follow the CPU, as the bundle test explains), far
past label propagation. The starter runs as downloaded, and passes a dry run on
the sample of 40 set-aside labelled nodes."""

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

SLUG = "2017-graph-convolution"
ONE_NODE = 1 / 1_200
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _within_a_node(found: tuple[float, float], listed: tuple[float, float | None]) -> bool:
    return all(b is not None and abs(a - b) <= ONE_NODE for a, b in zip(found, listed, strict=True))


def test_reference_gcn_reaches_its_listed_result(client, load_challenge, start_worker):  # type: ignore[no-untyped-def]
    challenge = load_challenge(SLUG)
    assert challenge.data_status == "ready", challenge.data_problem
    start_worker()
    sign_in(client, "thomas")
    submission = submit_and_wait(client, SLUG, reference_files(SLUG), timeout=120)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert "wrote 2400 predictions after 200 epochs" in submission.log_tail
    assert challenge.reference_result is not None
    assert _within_a_node(board_halves(submission), listed_halves(challenge.reference_result))
    propagation = challenge.baselines.get(position=2)
    assert min(board_halves(submission)) > max(listed_halves(propagation)) + 0.1
    assert submission.cpu_seconds < challenge.limits["cpu_seconds"]


def test_starter_kit_runs_as_is_and_scores_the_perceptron_baseline(
    client, load_challenge, start_worker
):  # type: ignore[no-untyped-def]
    challenge = load_challenge(SLUG)
    start_worker()
    sign_in(client, "max")
    submission = submit_and_wait(client, SLUG, starter_files(SLUG), timeout=120)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    perceptron = challenge.baselines.get(position=1)
    assert _within_a_node(board_halves(submission), listed_halves(perceptron))


def test_the_starter_passes_a_dry_run_within_its_cap(client, load_challenge, start_worker):  # type: ignore[no-untyped-def]
    """On the same graph, 60 labelled nodes to learn from and 40 set aside, 20
    epochs (MILESTONES_DRY_RUN=1 says so): the starter as downloaded."""
    load_challenge(SLUG)
    start_worker()
    sign_in(client, "max")
    ended = wait_ended(dry_run(client, SLUG, starter_files(SLUG)["main.py"]), timeout=120)

    assert ended.state == "passed", (ended.reason, ended.log)
    assert ended.sample_items == 40
    assert "after 20 epochs" in ended.log
    assert ended.wall_seconds is not None and ended.wall_seconds < 20

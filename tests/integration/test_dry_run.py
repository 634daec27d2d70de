"""Dry runs through the real stack: Django's test client -> Redis -> a real Celery
worker -> the bubblewrap sandbox -> the grader, against a challenge's training
sample (graders.dry_runs). Uncharged, capped, shown to its author only."""

from __future__ import annotations

import pytest

from server.submissions.models import Submission
from tests.support.dry_runs import dry_run, wait_ended
from tests.support.pipeline import participant, sign_in, starter_files

PERCEPTRON = "1958-perceptron"
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_starter_passes_a_dry_run_uncharged_and_seen_by_its_author_only(
    client, load_challenge, start_worker
):  # type: ignore[no-untyped-def]
    load_challenge(PERCEPTRON)
    start_worker()
    sign_in(client, "ada")
    page = client.get(f"/challenges/{PERCEPTRON}/").content.decode()
    assert "data-dry-run" in page and "MILESTONES_DRY_RUN=1" in page

    dry_run_id = dry_run(client, PERCEPTRON, starter_files(PERCEPTRON)["main.py"])
    ended = wait_ended(dry_run_id, timeout=60)

    assert ended.state == "passed", (ended.reason, ended.log)
    assert ended.sample_items == 50  # the perceptron's set-aside training rows
    assert ended.sample_score is not None and 0.0 <= ended.sample_score <= 1.0
    assert ended.wall_seconds is not None and ended.wall_seconds < 20
    assert not Submission.objects.exists()  # no submission, no charge, no board
    shown = client.get(f"/dry-runs/{dry_run_id}/").content.decode()
    assert "data-passed" in shown and "right format" in shown
    client.force_login(participant("eve"))
    assert client.get(f"/dry-runs/{dry_run_id}/").status_code == 404


WRONG_OUTPUT = b"""
import os
from pathlib import Path
print("MILESTONES_DRY_RUN=" + os.environ.get("MILESTONES_DRY_RUN", ""))
print("data:", sorted(p.name for p in Path("/data").iterdir()))
rows = Path("/data/test.csv").read_text().splitlines()
print("test rows:", len(rows) - 1)
Path("/output/predictions.csv").write_text("id,label\\n0,1\\n1,0\\n")
"""


def test_a_wrong_output_fails_with_the_graders_reason_and_its_whole_log(
    client, load_challenge, start_worker
):  # type: ignore[no-untyped-def]
    load_challenge(PERCEPTRON)
    start_worker()
    sign_in(client, "ada")
    ended = wait_ended(dry_run(client, PERCEPTRON, WRONG_OUTPUT), timeout=60)

    assert ended.state == "failed"
    assert "predictions.csv: 48 of 50 test ids are missing" in ended.reason
    assert "MILESTONES_DRY_RUN=1" in ended.log
    assert "data: ['test.csv', 'train.csv']" in ended.log
    assert "test rows: 50" in ended.log  # the sample, not the 2,000 real test points


def test_a_program_that_does_not_end_is_stopped_at_the_cap(
    client, load_challenge, start_worker, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MILESTONES_DRY_RUN_SECONDS", "3")  # the worker's; 20 by default
    load_challenge(PERCEPTRON)
    start_worker()
    sign_in(client, "ada")
    code = b"import time\nprint('training', flush=True)\ntime.sleep(3600)\n"
    ended = wait_ended(dry_run(client, PERCEPTRON, code), timeout=60)

    assert ended.state == "failed"
    assert "time limit" in ended.reason.lower(), ended.reason
    assert ended.wall_seconds is not None and 3 <= ended.wall_seconds < 8
    assert "training" in ended.log


def test_the_1943_starter_passes_a_dry_run(client, load_challenge, start_worker):  # type: ignore[no-untyped-def]
    load_challenge("1943-logical-neuron")
    start_worker()
    sign_in(client, "warren")
    code = starter_files("1943-logical-neuron")["main.py"]
    ended = wait_ended(dry_run(client, "1943-logical-neuron", code), timeout=60)

    assert ended.state == "passed", (ended.reason, ended.log)
    assert ended.sample_items == 256

"""An interactive challenge in the submission lifecycle (the worker's code, in this
process): the conversation's scores are recorded under the claimed attempt, a
protocol failure is the student's (final), and a fault of the grader's own data
is the platform's (released and retried, never charged)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.support.char_lm import UNIFORM
from tests.support.pipeline import queued_submission
from worker.execution import execute_submission

SLUG = "2017-tiny-transformer"
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def challenge(load_challenge, settings):  # type: ignore[no-untyped-def]
    if not (Path(settings.DATASETS_DIR) / "tinyshakespeare" / "input.txt").is_file():
        pytest.skip("Tiny Shakespeare is not installed (manage.py fetch_datasets)")
    return load_challenge(SLUG)


def test_an_interactive_run_is_scored_under_its_attempt(challenge):
    submission = queued_submission(challenge, UNIFORM.encode())
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert submission.public_score == pytest.approx(math.log2(65), abs=1e-12)
    assert submission.private_score == pytest.approx(math.log2(65), abs=1e-12)
    assert submission.attempt == 1
    assert submission.sandbox_status == "stopped_by_grader"
    assert "16 of 16 queries answered" in submission.log_tail


def test_a_protocol_failure_is_final_and_charged_to_the_program(challenge):
    submission = queued_submission(challenge, b"print('warming up')\n")
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.state == "failed"
    assert "the first line on stdout must be" in submission.failure_reason
    assert submission.platform_failures == 0


def test_broken_hidden_data_is_a_platform_error_and_retried(challenge):
    (challenge.hidden_dir / "text.txt").write_text("\u00e9" * 200_000, encoding="utf-8")
    submission = queued_submission(challenge, UNIFORM.encode())
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.state == "queued"  # released for another attempt, not failed
    assert submission.platform_failures == 1
    assert submission.public_score is None

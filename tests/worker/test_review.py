"""Scores beyond what a real model reaches are held for review: scored, recorded,
off the boards until an instructor releases them. And every run records its seed,
its intervals and what it ran on."""

from __future__ import annotations

import pytest

from graders import Scores
from server.competitions.models import Challenge
from server.submissions.models import Submission
from tests.support.pipeline import queued_submission
from tests.support.programs import reference_code
from worker.execution import execute_submission
from worker.review import beyond_plausible

pytestmark = pytest.mark.django_db(transaction=True)


def _scores(public: float, private: float) -> Scores:
    return Scores(public=public, private=private, n_public=500, n_private=500)


def test_a_score_past_the_plausible_best_says_which_and_by_what_bound():
    reason = beyond_plausible(scores=_scores(0.3, 0.9), best=0.8, direction="lower")
    assert "the public score 0.3 lies below 0.8" in reason
    assert "private" not in reason
    assert beyond_plausible(scores=_scores(0.999, 0.95), best=0.998, direction="higher")


def test_plausible_scores_or_no_bound_are_not_held():
    assert beyond_plausible(scores=_scores(0.9, 0.9), best=0.8, direction="lower") == ""
    assert beyond_plausible(scores=_scores(0.0, 0.0), best=None, direction="lower") == ""


@pytest.mark.integration
def test_a_run_past_the_bound_is_held_with_its_reason(xor_challenge):
    Challenge.objects.filter(pk=xor_challenge.pk).update(plausible_best=0.5)
    submission = queued_submission(xor_challenge, reference_code())
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.state == Submission.State.HELD, submission.failure_reason
    assert "Implausible score" in submission.hold_reason and "above 0.5" in submission.hold_reason
    assert submission.public_score is not None and submission.public_score > 0.5


@pytest.mark.integration
def test_a_run_records_its_seed_intervals_and_what_it_ran_on(xor_challenge):
    code = b"import os, sys\nprint('seed', os.environ['MILESTONES_SEED'], file=sys.stderr)\n"
    submission = queued_submission(xor_challenge, reference_code() + b"\n" + code)
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.state == Submission.State.SCORED, submission.failure_reason
    assert f"seed {submission.seed}" in submission.log_tail
    low, high = submission.public_interval or (None, None)
    assert low is not None and high is not None
    assert low <= submission.public_score <= high
    on = submission.ran_on
    assert on["runtime"] == "numpy" and on["sandbox"] == "bubblewrap"
    assert on["grader_checksum"] == xor_challenge.grader_checksum != ""
    assert on["bundle_hash"] == xor_challenge.bundle_hash and on["cpu"]

"""Compute budgets per entrant and challenge over a rolling period: the runs that
ended are charged (the platform's errors refunded), a spent budget refuses the
upload, and a run that would go past one is refused at dispatch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from server.competitions.models import Challenge
from server.site import clock
from server.submissions import compute
from server.submissions.entrants import entrant_of
from server.submissions.errors import SubmissionRefused
from server.submissions.services import submission_create
from server.teams.services import team_create, team_join
from tests.support.factories import make_challenge, make_submission, make_user

pytestmark = pytest.mark.django_db


def _ran(
    user,
    challenge,
    cpu: float,
    *,
    state: str = "scored",
    gpu: float = 0.0,
    ago_hours: float = 1,
    team=None,
):  # type: ignore[no-untyped-def]
    return make_submission(
        user=user,
        challenge=challenge,
        state=state,
        public=0.5 if state == "scored" else None,
        cpu_seconds=cpu,
        gpu_seconds=gpu,
        wall_seconds=cpu,
        finished_at=timezone.now() - dt.timedelta(hours=ago_hours),
        team=team,
    )


@pytest.fixture
def budgeted(site) -> Challenge:
    return make_challenge(
        cpu_budget_seconds=100, gpu_budget_seconds=50, budget_period="day", team_size=2
    )


def test_used_compute_is_the_ended_runs_in_the_period_and_errors_are_refunded(budgeted):
    ada = make_user("ada")
    _ran(ada, budgeted, 30)
    _ran(ada, budgeted, 20, state="failed", gpu=10)
    _ran(ada, budgeted, 5, state="cancelled")  # a stopped run used what it used
    _ran(ada, budgeted, 1000, state="error")  # the platform's fault
    _ran(ada, budgeted, 1000, ago_hours=25)  # out of the rolling day
    budget = compute.budget_of(entrant=entrant_of(user=ada, challenge=budgeted), challenge=budgeted)
    assert budget is not None
    assert (budget.cpu_used, budget.gpu_used) == (55.0, 10.0)
    assert (budget.cpu_left, budget.gpu_left) == (45.0, 40.0)
    assert budget.period == "a rolling 24 hours"


def test_a_spent_budget_refuses_the_upload_with_when_it_frees(budgeted):
    ada = make_user("ada")
    _ran(ada, budgeted, 60)
    _ran(ada, budgeted, 45)
    with pytest.raises(SubmissionRefused) as refused:
        submission_create(
            user=ada, challenge=budgeted, upload=SimpleUploadedFile("main.py", b"print(1)\n")
        )
    assert str(refused.value).startswith(
        "The CPU budget of this challenge is spent: 105 of 100 CPU seconds in a rolling 24 hours; "
        "it frees up as runs leave a rolling 24 hours, the oldest on "
    )


def test_a_team_shares_one_budget(budgeted):
    ada, bob = make_user("ada"), make_user("bob")
    team = team_create(user=ada, challenge=budgeted, name="Pair")
    team_join(user=bob, challenge=budgeted, code=team.code)
    _ran(ada, budgeted, 60, team=team)
    _ran(bob, budgeted, 41, team=team)
    with pytest.raises(SubmissionRefused, match="The CPU budget of this challenge is spent"):
        submission_create(
            user=bob, challenge=budgeted, upload=SimpleUploadedFile("main.py", b"print(1)\n")
        )


def test_a_run_that_would_go_past_the_budget_is_refused_at_dispatch(budgeted):
    ada, bob = make_user("ada"), make_user("bob")
    for _ in range(3):
        _ran(bob, budgeted, 30)  # the challenge's runs take about 30 CPU seconds
    _ran(ada, budgeted, 60)
    entrant = entrant_of(user=ada, challenge=budgeted)
    assert compute.dispatch_refusal(entrant=entrant, challenge=budgeted, now=clock.now()) is None
    _ran(ada, budgeted, 15)
    entrant = entrant_of(user=ada, challenge=budgeted)
    reason = compute.dispatch_refusal(entrant=entrant, challenge=budgeted, now=clock.now())
    assert reason is not None
    assert reason.startswith(
        "Not run: it would go past the CPU budget of this challenge (75 of 100 CPU seconds used "
        "in a rolling 24 hours, and a run here takes about 30)"
    )
    assert reason.endswith("It is not counted against your daily limit.")


def test_a_challenge_without_budgets_has_none(site):
    free = make_challenge()
    ada = make_user("ada")
    assert compute.budget_of(entrant=entrant_of(user=ada, challenge=free), challenge=free) is None

"""Teams: formed by code, capped, fixed at their deadline; a team is one entrant
for the daily limit, the finals and the boards; merging buys no extra tries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from server.competitions.models import Disqualification
from server.leaderboards.selectors import Scope, board_rows
from server.site import clock
from server.submissions.errors import SubmissionRefused
from server.submissions.models import Submission
from server.submissions.services import submission_create, submission_select
from server.teams.models import Team
from server.teams.services import TeamRefused, team_create, team_join, team_leave
from tests.support.factories import make_challenge, make_phase, make_submission, make_user

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _upload(user, challenge) -> Submission:  # type: ignore[no-untyped-def]
    return submission_create(
        user=user, challenge=challenge, upload=SimpleUploadedFile("main.py", b"print(1)\n")
    )


@pytest.fixture
def challenge(site):  # type: ignore[no-untyped-def]
    return make_challenge(team_size=3, daily_limit=3)


def test_a_team_is_made_joined_by_its_code_and_capped(challenge):
    ada, bob, cy, dee = (make_user(n) for n in ("ada", "bob", "cy", "dee"))
    team = team_create(user=ada, challenge=challenge, name="  Gradient   Descenders ")
    assert team.name == "Gradient Descenders"
    team_join(user=bob, challenge=challenge, code=team.code)
    team_join(user=cy, challenge=challenge, code=team.code)
    with pytest.raises(TeamRefused, match="is full: a team holds 3 at most"):
        team_join(user=dee, challenge=challenge, code=team.code)
    with pytest.raises(TeamRefused, match="No team of this challenge has that code"):
        team_join(user=dee, challenge=challenge, code="wrong")
    with pytest.raises(TeamRefused, match="already in the team Gradient Descenders"):
        team_create(user=ada, challenge=challenge, name="Another")
    with pytest.raises(TeamRefused, match="already exists"):
        team_create(user=dee, challenge=challenge, name="gradient descenders")


def test_an_individual_challenge_has_no_teams(site):
    solo = make_challenge()
    with pytest.raises(TeamRefused, match="entered individually"):
        team_create(user=make_user("ada"), challenge=solo, name="Us")


def test_teams_are_fixed_when_the_last_phase_ends(challenge):
    phase = make_phase(challenge, name="Graded", starts=-2 * HOUR, ends=HOUR)
    ada = make_user("ada")
    team = team_create(user=ada, challenge=challenge, name="Early")
    with (
        clock.travelled(to=phase.ends_at + dt.timedelta(minutes=1)),
        pytest.raises(TeamRefused, match="Teams were fixed on"),
    ):
        team_join(user=make_user("bob"), challenge=challenge, code=team.code)


def test_the_daily_limit_counts_the_whole_team(challenge):
    ada, bob = make_user("ada"), make_user("bob")
    team = team_create(user=ada, challenge=challenge, name="Pair")
    team_join(user=bob, challenge=challenge, code=team.code)
    _upload(ada, challenge)
    _upload(bob, challenge)
    _upload(ada, challenge)
    with pytest.raises(SubmissionRefused, match="Your team has used its 3 submissions"):
        _upload(bob, challenge)
    assert set(Submission.objects.values_list("team_id", flat=True)) == {team.id}


def test_joining_brings_ones_submissions_and_may_not_exceed_the_limit(challenge):
    ada, bob = make_user("ada"), make_user("bob")
    team = team_create(user=ada, challenge=challenge, name="Pair")
    _upload(ada, challenge)
    _upload(ada, challenge)
    _upload(bob, challenge)
    _upload(bob, challenge)
    with pytest.raises(TeamRefused, match="Together you made 4 submissions in the last 24 hours"):
        team_join(user=bob, challenge=challenge, code=team.code)
    Submission.objects.filter(user=bob).update(created_at=clock.now() - dt.timedelta(hours=25))
    team_join(user=bob, challenge=challenge, code=team.code)
    assert Submission.objects.filter(user=bob, team=team).count() == 2


def test_a_member_leaves_only_before_submitting_and_the_last_one_removes_the_team(challenge):
    ada, bob = make_user("ada"), make_user("bob")
    team = team_create(user=ada, challenge=challenge, name="Pair")
    team_join(user=bob, challenge=challenge, code=team.code)
    _upload(bob, challenge)
    with pytest.raises(TeamRefused, match="Your submissions belong to the team now"):
        team_leave(user=bob, challenge=challenge)
    team_leave(user=ada, challenge=challenge)
    assert Team.objects.filter(pk=team.pk).exists()  # bob and his submission remain
    solo = team_create(user=ada, challenge=challenge, name="Alone")
    team_leave(user=ada, challenge=challenge)
    assert not Team.objects.filter(pk=solo.pk).exists()


def test_a_disqualified_member_bars_the_team(challenge):
    ada, bob = make_user("ada"), make_user("bob")
    team = team_create(user=ada, challenge=challenge, name="Pair")
    team_join(user=bob, challenge=challenge, code=team.code)
    Disqualification.objects.create(challenge=challenge, user=ada, reason="shared the labels")
    with pytest.raises(SubmissionRefused, match="ada, of your team, was disqualified"):
        _upload(bob, challenge)


def test_the_boards_show_the_team_once_under_its_name(challenge):
    ada, bob, cy = make_user("ada"), make_user("bob"), make_user("cy")
    team = team_create(user=ada, challenge=challenge, name="Pair")
    team_join(user=bob, challenge=challenge, code=team.code)
    make_submission(user=ada, challenge=challenge, public=0.7, team=team)
    make_submission(user=bob, challenge=challenge, public=0.8, team=team)
    make_submission(user=cy, challenge=challenge, public=0.75)
    rows = [
        r
        for r in board_rows(challenge=challenge, scope=Scope(None), private=False)
        if not r.is_baseline
    ]
    assert [(r.participant, r.is_team, r.score, r.entries) for r in rows] == [
        ("Pair", True, 0.8, 2),
        ("cy", False, 0.75, 1),
    ]
    assert rows[0].key == f"team:{team.id}"
    private = [
        r
        for r in board_rows(challenge=challenge, scope=Scope(None), private=True)
        if not r.is_baseline
    ]
    assert [r.participant for r in private] == ["Pair", "cy"]


def test_a_teammate_marks_finals_within_the_teams_cap(challenge):
    ada, bob = make_user("ada"), make_user("bob")
    team = team_create(user=ada, challenge=challenge, name="Pair")
    team_join(user=bob, challenge=challenge, code=team.code)
    mine = [make_submission(user=ada, challenge=challenge, public=0.5, team=team) for _ in range(3)]
    submission_select(user=bob, submission=mine[0], selected=True)  # a teammate may
    submission_select(user=ada, submission=mine[1], selected=True)
    with pytest.raises(SubmissionRefused, match="at most 2 submissions as final"):
        submission_select(user=bob, submission=mine[2], selected=True)
    with pytest.raises(SubmissionRefused, match="Only its author or their team"):
        submission_select(user=make_user("eve"), submission=mine[2], selected=True)

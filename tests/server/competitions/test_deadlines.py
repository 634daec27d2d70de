"""Deadlines per participant: the open phase, an extension, a late window with
the days counted, and a private board revealed only once every late or extended
participant is done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from server.accounts.models import User
from server.competitions.deadlines import acceptance, late_days
from server.competitions.models import Challenge, Phase
from server.competitions.services import ChangeRefused, extension_grant, phase_create
from server.leaderboards.selectors import Scope, board_rows
from server.site import clock
from server.submissions.errors import SubmissionRefused
from server.submissions.models import Submission
from server.submissions.services import submission_create, submission_select
from server.teams.services import team_create
from tests.support.factories import make_challenge, make_submission, make_user

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def graded(site) -> tuple[Challenge, Phase, User]:
    challenge = make_challenge(team_size=2)
    now = clock.now()
    phase = phase_create(
        challenge=challenge,
        name="Graded",
        starts_at=now - 3 * DAY,
        ends_at=now - HOUR,
        late_until=now + 3 * DAY,
        late_penalty_percent=10,
    )
    return challenge, phase, make_user("ada")


def _fresh(challenge: Challenge) -> Challenge:
    return Challenge.objects.prefetch_related("phases__extensions").get(pk=challenge.pk)


def test_a_minute_late_is_a_day_and_a_day_and_a_minute_two():
    deadline = clock.now()
    assert late_days(deadline=deadline, at=deadline - dt.timedelta(seconds=1)) == 0
    assert late_days(deadline=deadline, at=deadline + dt.timedelta(minutes=1)) == 1
    assert late_days(deadline=deadline, at=deadline + DAY) == 1
    assert late_days(deadline=deadline, at=deadline + DAY + dt.timedelta(minutes=1)) == 2


def test_a_late_submission_is_accepted_for_the_phase_with_its_days(graded):
    challenge, phase, ada = graded
    submission = submission_create(
        user=ada, challenge=_fresh(challenge), upload=SimpleUploadedFile("main.py", b"print(1)\n")
    )
    assert (submission.phase_id, submission.late_days) == (phase.id, 1)
    with clock.travelled(to=phase.ends_at + 2 * DAY + HOUR):
        later = acceptance(
            challenge=_fresh(challenge), user_id=ada.pk, team_id=None, at=clock.now()
        )
        assert later.accepted and later.late_days == 3
    with (
        clock.travelled(to=phase.late_until + HOUR),
        pytest.raises(SubmissionRefused, match="late submissions were accepted until"),
    ):
        submission_create(
            user=ada,
            challenge=_fresh(challenge),
            upload=SimpleUploadedFile("main.py", b"print(1)\n"),
        )


def test_an_extension_keeps_a_participant_on_time(graded):
    challenge, phase, ada = graded
    owner = make_user("prof", instructor=True)
    extended = extension_grant(
        phase=phase, user=ada, ends_at=clock.now() + DAY, reason="ill", by=owner
    )
    ok = acceptance(challenge=_fresh(challenge), user_id=ada.pk, team_id=None, at=clock.now())
    assert ok.accepted and ok.late_days == 0 and ok.deadline == extended.ends_at
    with clock.travelled(to=clock.now() + DAY + 2 * HOUR):
        late = acceptance(challenge=_fresh(challenge), user_id=ada.pk, team_id=None, at=clock.now())
        assert late.accepted and late.late_days == 1  # counted from the extended deadline
    bob = make_user("bob")
    other = acceptance(challenge=_fresh(challenge), user_id=bob.pk, team_id=None, at=clock.now())
    assert other.late_days == 1


def test_without_a_late_window_an_extension_is_the_only_way_in(site):
    challenge = make_challenge()
    now = clock.now()
    phase = phase_create(
        challenge=challenge, name="Graded", starts_at=now - DAY, ends_at=now - HOUR
    )
    ada, bob = make_user("ada"), make_user("bob")
    extension_grant(phase=phase, user=ada, ends_at=now + HOUR, reason="", by=ada)
    assert acceptance(challenge=_fresh(challenge), user_id=ada.pk, team_id=None, at=now).accepted
    refused = acceptance(challenge=_fresh(challenge), user_id=bob.pk, team_id=None, at=now)
    assert not refused.accepted and refused.reason.startswith(
        "Submissions are closed: Graded ended"
    )
    with clock.travelled(to=now + 2 * HOUR):
        ended = acceptance(
            challenge=_fresh(challenge), user_id=ada.pk, team_id=None, at=clock.now()
        )
        assert not ended.accepted
        assert ended.reason.startswith("Submissions are closed: your extension of Graded ended on")


def test_a_team_is_extended_as_a_team(graded):
    challenge, phase, ada = graded
    Challenge.objects.filter(pk=challenge.pk).update(teams_lock_at=clock.now() + DAY)
    challenge.refresh_from_db()
    team = team_create(user=ada, challenge=challenge, name="Pair")
    with pytest.raises(ChangeRefused, match="is in a team on this challenge: extend the team"):
        extension_grant(phase=phase, user=ada, ends_at=clock.now() + DAY, reason="", by=ada)
    extension_grant(phase=phase, team=team, ends_at=clock.now() + DAY, reason="", by=ada)
    ok = acceptance(challenge=_fresh(challenge), user_id=ada.pk, team_id=team.pk, at=clock.now())
    assert ok.accepted and ok.late_days == 0


def test_an_extension_must_end_after_the_deadline(graded):
    _, phase, ada = graded
    with pytest.raises(ChangeRefused, match="must end after the phase's deadline"):
        extension_grant(phase=phase, user=ada, ends_at=phase.ends_at, reason="", by=ada)


def test_the_private_board_waits_for_the_late_window_and_every_extension(graded):
    _, phase, ada = graded
    fresh = Phase.objects.prefetch_related("extensions").get(pk=phase.pk)
    assert fresh.closes_at == phase.late_until
    extension_grant(phase=phase, user=ada, ends_at=phase.late_until + DAY, reason="", by=ada)
    fresh = Phase.objects.prefetch_related("extensions").get(pk=phase.pk)
    assert fresh.closes_at == phase.late_until + DAY
    assert not Scope(fresh).revealed(phase.late_until + HOUR)
    assert Scope(fresh).revealed(phase.late_until + DAY)


def test_late_entries_are_marked_on_the_board_and_finals_stay_open_until_it_closes(graded):
    challenge, phase, ada = graded
    late = make_submission(
        user=ada, challenge=challenge, public=0.8, phase=phase, late_days=2, created_at=clock.now()
    )
    rows = [
        r
        for r in board_rows(challenge=challenge, scope=Scope(phase), private=False)
        if not r.is_baseline
    ]
    assert [(r.participant, r.late_days) for r in rows] == [("ada", 2)]
    submission_select(user=ada, submission=Submission.objects.get(pk=late.pk), selected=True)
    with (
        clock.travelled(to=phase.late_until + HOUR),
        pytest.raises(SubmissionRefused, match="final choices are locked"),
    ):
        submission_select(user=ada, submission=Submission.objects.get(pk=late.pk), selected=False)

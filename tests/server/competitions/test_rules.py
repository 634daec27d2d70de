"""Competition rules, through the services: phases gate submissions, the
rolling daily limit, final choices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from server.competitions.models import Disqualification
from server.competitions.services import ChangeRefused, phase_create
from server.site import clock
from server.submissions.allowance import allowance_of
from server.submissions.errors import SubmissionRefused
from server.submissions.models import Submission
from server.submissions.services import submission_create, submission_select
from tests.support.factories import make_challenge, make_phase, make_submission, make_user

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("main.py", b"print('hi')\n")


def test_challenge_without_phases_is_always_open(site):
    challenge = make_challenge()
    submission = submission_create(user=make_user("ada"), challenge=challenge, upload=_upload())
    assert submission.state == "pending"


def test_submission_before_the_first_phase_is_refused_with_the_opening_time(site):
    challenge = make_challenge()
    phase = make_phase(challenge, name="Graded", starts=2 * HOUR, ends=50 * HOUR)
    with pytest.raises(SubmissionRefused) as refused:
        submission_create(user=make_user("ada"), challenge=challenge, upload=_upload())
    message = str(refused.value)
    assert "not open yet" in message and "Graded" in message
    assert f"{phase.starts_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" in message
    assert not Submission.objects.exists()


def test_submission_between_phases_names_the_closed_and_the_next_phase(site):
    challenge = make_challenge()
    make_phase(challenge, name="Practice", starts=-5 * HOUR, ends=-1 * HOUR)
    make_phase(challenge, name="Graded", starts=1 * HOUR, ends=5 * HOUR)
    with pytest.raises(SubmissionRefused, match=r"Practice ended .* The next phase, Graded, opens"):
        submission_create(user=make_user("ada"), challenge=challenge, upload=_upload())


def test_submission_after_the_last_phase_is_refused(site):
    challenge = make_challenge()
    make_phase(challenge, name="Graded", starts=-5 * HOUR, ends=-1 * HOUR)
    with pytest.raises(SubmissionRefused, match="No further phase is planned"):
        submission_create(user=make_user("ada"), challenge=challenge, upload=_upload())


def test_submission_inside_an_open_phase_is_accepted_until_it_ends(site):
    challenge = make_challenge()
    phase = make_phase(challenge, name="Graded", starts=-HOUR, ends=HOUR)
    ada = make_user("ada")
    submission_create(user=ada, challenge=challenge, upload=_upload())
    with clock.travelled(to=phase.ends_at), pytest.raises(SubmissionRefused, match="Graded ended"):
        submission_create(user=ada, challenge=challenge, upload=_upload())


def test_overlapping_phases_are_refused(site):
    challenge = make_challenge()
    now = clock.now()
    phase_create(challenge=challenge, name="One", starts_at=now, ends_at=now + 2 * HOUR)
    with pytest.raises(ChangeRefused, match="overlaps the phase 'One'"):
        phase_create(challenge=challenge, name="Two", starts_at=now + HOUR, ends_at=now + 3 * HOUR)
    with pytest.raises(ChangeRefused, match="end after it starts"):
        phase_create(challenge=challenge, name="Three", starts_at=now + 9 * HOUR, ends_at=now)
    phase_create(challenge=challenge, name="Two", starts_at=now + 2 * HOUR, ends_at=now + 3 * HOUR)


def test_daily_limit_is_a_rolling_24_hours(site):
    challenge = make_challenge(daily_limit=2)
    ada = make_user("ada")
    now = clock.now()
    make_submission(user=ada, challenge=challenge, created_at=now - 25 * HOUR, public=0.5)
    make_submission(user=ada, challenge=challenge, created_at=now - 23 * HOUR, public=0.5)
    submission_create(user=ada, challenge=challenge, upload=_upload())
    with pytest.raises(SubmissionRefused, match="You have used your 2 submissions") as refused:
        submission_create(user=ada, challenge=challenge, upload=_upload())
    frees = (now + HOUR).astimezone(dt.UTC)
    assert f"frees up at {frees:%Y-%m-%d %H}" in str(refused.value)
    allowance = allowance_of(user=ada, challenge=challenge)
    assert (allowance.limit, allowance.used, allowance.remaining) == (2, 2, 0)
    with clock.travelled(to=now + HOUR + dt.timedelta(minutes=1)):
        submission_create(user=ada, challenge=challenge, upload=_upload())


def test_platform_errors_and_cancellations_are_not_charged(site):
    challenge = make_challenge(daily_limit=1)
    ada = make_user("ada")
    make_submission(user=ada, challenge=challenge, state="error")
    make_submission(user=ada, challenge=challenge, state="cancelled")
    assert allowance_of(user=ada, challenge=challenge).remaining == 1
    submission_create(user=ada, challenge=challenge, upload=_upload())
    make_submission(user=ada, challenge=challenge, state="failed")
    assert allowance_of(user=ada, challenge=challenge).used == 2


def test_site_default_applies_when_the_challenge_sets_no_limit(site):
    site.SUBMISSIONS_PER_DAY = 1
    challenge = make_challenge()
    ada = make_user("ada")
    submission_create(user=ada, challenge=challenge, upload=_upload())
    with pytest.raises(SubmissionRefused, match="your 1 submissions"):
        submission_create(user=ada, challenge=challenge, upload=_upload())


def test_disqualified_participant_cannot_submit(site):
    challenge = make_challenge()
    ada = make_user("ada")
    Disqualification.objects.create(challenge=challenge, user=ada, reason="shared hidden labels")
    with pytest.raises(SubmissionRefused, match=r"disqualified .* shared hidden labels"):
        submission_create(user=ada, challenge=challenge, upload=_upload())


def test_finals_are_capped_per_participant(site):
    challenge = make_challenge(max_final=2)
    ada = make_user("ada")
    picks = [make_submission(user=ada, challenge=challenge, public=0.5 + i / 10) for i in range(3)]
    submission_select(user=ada, submission=picks[0], selected=True)
    submission_select(user=ada, submission=picks[1], selected=True)
    with pytest.raises(SubmissionRefused, match="at most 2"):
        submission_select(user=ada, submission=picks[2], selected=True)
    submission_select(user=ada, submission=picks[0], selected=False)
    submission_select(user=ada, submission=picks[2], selected=True)
    assert set(Submission.objects.filter(selected=True).values_list("id", flat=True)) == {
        picks[1].id,
        picks[2].id,
    }


def test_only_the_author_marks_a_scored_submission_before_the_deadline(site):
    challenge = make_challenge()
    phase = make_phase(challenge, name="Graded", starts=-HOUR, ends=HOUR)
    ada, bob = make_user("ada"), make_user("bob")
    scored = make_submission(user=ada, challenge=challenge, public=0.9)
    failed = make_submission(user=ada, challenge=challenge, state="failed")
    with pytest.raises(SubmissionRefused, match="Only its author"):
        submission_select(user=bob, submission=scored, selected=True)
    with pytest.raises(SubmissionRefused, match="Only a scored submission"):
        submission_select(user=ada, submission=failed, selected=True)
    with clock.travelled(to=phase.ends_at), pytest.raises(SubmissionRefused, match="locked"):
        submission_select(user=ada, submission=scored, selected=True)
    submission_select(user=ada, submission=scored, selected=True)
    scored.refresh_from_db()
    assert scored.selected


def test_times_are_given_in_the_sites_time_zone(site):
    site.TIME_ZONE = "Asia/Tokyo"  # UTC+9, no daylight saving
    challenge = make_challenge()
    phase = make_phase(challenge, name="Graded", starts=2 * HOUR, ends=5 * HOUR)
    with pytest.raises(SubmissionRefused) as refused:
        submission_create(user=make_user("ada"), challenge=challenge, upload=_upload())
    tokyo = phase.starts_at.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert f"opens on {tokyo:%Y-%m-%d %H:%M} Asia/Tokyo" in str(refused.value)

"""Starting a dry run: the upload checked as a submission's, no charge, one at a
time and a few an hour, only where the challenge offers one."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from server.dry_runs.models import LOST_AFTER, DryRun
from server.dry_runs.services import dry_run_create
from server.site import clock
from server.submissions.errors import SubmissionRefused
from server.submissions.models import Submission
from tests.support.pipeline import participant

SLUG = "1958-perceptron"
pytestmark = pytest.mark.django_db


def _upload(code: bytes = b"print('hi')\n") -> SimpleUploadedFile:
    return SimpleUploadedFile("main.py", code)


def test_a_dry_run_is_queued_and_charges_nothing(load_challenge):
    challenge = load_challenge(SLUG)
    ada = participant("ada")
    made = dry_run_create(user=ada, challenge=challenge, upload=_upload())
    assert made.state == "queued" and made.original_name == "main.py"
    assert not Submission.objects.exists()


def test_a_syntax_error_is_refused_at_once_and_nothing_is_kept(load_challenge):
    challenge = load_challenge(SLUG)
    with pytest.raises(SubmissionRefused, match=r"main.py line 1: .*Nothing was queued"):
        dry_run_create(user=participant("ada"), challenge=challenge, upload=_upload(b"def (:\n"))
    assert not DryRun.objects.exists()


def test_one_runs_at_a_time_until_it_ends_or_is_lost(load_challenge):
    challenge = load_challenge(SLUG)
    ada = participant("ada")
    first = dry_run_create(user=ada, challenge=challenge, upload=_upload())
    with pytest.raises(SubmissionRefused, match=f"dry run #{first.pk} has not finished"):
        dry_run_create(user=ada, challenge=challenge, upload=_upload())
    dry_run_create(user=participant("bob"), challenge=challenge, upload=_upload())  # not ada's

    DryRun.objects.filter(pk=first.pk).update(created_at=clock.now() - LOST_AFTER)
    assert DryRun.objects.get(pk=first.pk).is_lost
    dry_run_create(user=ada, challenge=challenge, upload=_upload())


def test_at_most_so_many_an_hour(load_challenge, settings):
    settings.DRY_RUNS_PER_HOUR = 3
    challenge = load_challenge(SLUG)
    ada = participant("ada")
    for minutes_ago in (50, 40, 30):
        made = dry_run_create(user=ada, challenge=challenge, upload=_upload())
        DryRun.objects.filter(pk=made.pk).update(
            state="passed", created_at=clock.now() - dt.timedelta(minutes=minutes_ago)
        )
    with pytest.raises(SubmissionRefused, match="3 dry runs in the last hour"):
        dry_run_create(user=ada, challenge=challenge, upload=_upload())
    DryRun.objects.filter(created_at__lt=clock.now() - dt.timedelta(minutes=45)).update(
        created_at=clock.now() - dt.timedelta(minutes=61)
    )
    dry_run_create(user=ada, challenge=challenge, upload=_upload())


def test_a_challenge_without_a_sample_offers_none(load_challenge, client):
    challenge = load_challenge(SLUG)
    shutil.rmtree(challenge.dry_run_dir)
    assert not challenge.offers_dry_run
    with pytest.raises(SubmissionRefused, match="offers no dry run"):
        dry_run_create(user=participant("ada"), challenge=challenge, upload=_upload())
    client.force_login(participant("bob"))
    page = client.get(f"/challenges/{SLUG}/").content.decode()
    assert "data-dry-run" not in page and "Submit" in page

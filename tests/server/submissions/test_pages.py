"""A student's path through the pages, with Django's test client."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from server.accounts.models import User
from server.submissions.models import Submission

pytestmark = pytest.mark.django_db


def test_signup_logs_the_student_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "grace",
            "email": "g@example.org",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "grace"


def test_landing_page_lists_the_challenge(client, xor_challenge):
    page = client.get("/").content.decode()
    assert "1986" in page and xor_challenge.title in page


def test_challenge_page_tells_the_story_and_offers_downloads(client, xor_challenge):
    page = client.get(f"/challenges/{xor_challenge.slug}/").content.decode()
    assert "Minsky" in page and "Rumelhart" in page
    assert "predictions.csv" in page
    data = client.get(f"/challenges/{xor_challenge.slug}/data.zip")
    names = zipfile.ZipFile(io.BytesIO(b"".join(data.streaming_content))).namelist()
    assert sorted(names) == ["test.csv", "train.csv"]
    starter = client.get(f"/challenges/{xor_challenge.slug}/starter.zip")
    assert "main.py" in zipfile.ZipFile(io.BytesIO(b"".join(starter.streaming_content))).namelist()


def test_anonymous_visitor_cannot_submit(client, xor_challenge):
    response = client.post(
        f"/challenges/{xor_challenge.slug}/submit/",
        {"code": SimpleUploadedFile("main.py", b"print(1)")},
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Submission.objects.exists()


def test_bad_upload_is_refused_with_a_message(client, xor_challenge):
    client.force_login(User.objects.create_user(username="ann", password="pw-for-tests-1"))
    response = client.post(
        f"/challenges/{xor_challenge.slug}/submit/",
        {"code": SimpleUploadedFile("model.pkl", b"x")},
        follow=True,
    )
    assert "Upload main.py" in response.content.decode()
    assert not Submission.objects.exists()


def test_daily_limit_refuses_the_extra_upload(client, xor_challenge, settings):
    settings.SUBMISSIONS_PER_DAY = 1
    settings.MAX_ACTIVE_JOBS_PER_USER = 0  # keep them pending: no broker needed
    client.force_login(User.objects.create_user(username="ann", password="pw-for-tests-1"))
    url = f"/challenges/{xor_challenge.slug}/submit/"
    client.post(url, {"code": SimpleUploadedFile("main.py", b"print(1)")})
    response = client.post(url, {"code": SimpleUploadedFile("main.py", b"print(2)")}, follow=True)
    assert "You have used your 1 submissions" in response.content.decode()
    assert Submission.objects.count() == 1


def test_errors_are_not_charged_to_the_daily_limit(client, xor_challenge, settings):
    settings.SUBMISSIONS_PER_DAY = 1
    settings.MAX_ACTIVE_JOBS_PER_USER = 0
    client.force_login(User.objects.create_user(username="ann", password="pw-for-tests-1"))
    url = f"/challenges/{xor_challenge.slug}/submit/"
    client.post(url, {"code": SimpleUploadedFile("main.py", b"print(1)")})
    Submission.objects.update(state="error")
    client.post(url, {"code": SimpleUploadedFile("main.py", b"print(2)")})
    assert Submission.objects.count() == 2


def test_students_cannot_see_each_others_submissions(client, xor_challenge, settings):
    settings.MAX_ACTIVE_JOBS_PER_USER = 0
    owner = User.objects.create_user(username="own", password="pw-for-tests-1")
    client.force_login(owner)
    client.post(
        f"/challenges/{xor_challenge.slug}/submit/",
        {"code": SimpleUploadedFile("main.py", b"print(1)")},
    )
    submission = Submission.objects.get()
    client.force_login(User.objects.create_user(username="other", password="pw-for-tests-1"))
    assert client.get(f"/submissions/{submission.id}/").status_code == 404

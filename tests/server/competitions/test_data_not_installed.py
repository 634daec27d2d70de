"""A challenge whose raw data is missing: it loads, says "data not installed" to
its visitors, tells instructors and staff how to fix it, refuses submissions
with a reason, and nothing crashes. Then the fix itself works."""

from __future__ import annotations

import io
import os
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from server.accounts.models import User
from server.competitions.loading import challenge_load
from server.competitions.models import Challenge
from server.submissions.models import Submission
from tests.support.paths import REPO

BUNDLE = REPO / "challenges" / "1998-lenet-mnist"
SHARED = Path(os.environ.get("MILESTONES_DATASETS_DIR") or REPO.parent / "shared" / "datasets")
PAGE = f"/challenges/{BUNDLE.name}/"
INSTRUCTION = ("manage.py fetch_datasets", "MILESTONES_DATASETS_DIR", "manage.py load_challenges")

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_raw_data(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An empty datasets folder, folders of this test's own, and no broker traffic."""
    settings.DATASETS_DIR = tmp_path / "empty-datasets"
    settings.DATASETS_DIR.mkdir()
    settings.CHALLENGE_DATA_DIR = tmp_path / "challenge-data"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MAX_ACTIVE_JOBS_PER_USER = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture
def lenet(no_raw_data) -> Challenge:  # type: ignore[no-untyped-def]
    outcome = challenge_load(bundle_dir=BUNDLE)
    assert outcome.action == "created"
    return Challenge.objects.get(slug=outcome.slug)


def _user(username: str, **roles: bool) -> User:
    return User.objects.create_user(username=username, password="pw-for-tests-1", **roles)


def test_loading_without_the_raw_data_succeeds_as_data_missing(lenet: Challenge, no_raw_data):
    assert lenet.data_status == Challenge.DataStatus.MISSING
    assert str(no_raw_data.DATASETS_DIR / "mnist") in lenet.data_problem
    assert all(step in lenet.data_problem for step in INSTRUCTION)
    assert lenet.baselines.count() == 8  # the page and the board are whole regardless
    assert not lenet.data_dir.exists()
    assert list(Path(no_raw_data.CHALLENGE_DATA_DIR).glob(".*")) == []  # no half-prepared data


def test_the_load_command_reports_the_missing_data_without_failing(no_raw_data, tmp_path: Path):
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    (bundles / BUNDLE.name).symlink_to(BUNDLE)
    out = StringIO()
    call_command("load_challenges", "--dir", str(bundles), stdout=out)
    assert f"created  {BUNDLE.name}" in out.getvalue()
    assert "raw data not found" in out.getvalue() and "fetch_datasets" in out.getvalue()


def test_visitors_see_data_not_installed_and_nothing_breaks(client, lenet: Challenge):
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "data not installed" in text.lower()
    assert "LeCun" in text  # the story is there all the same
    assert not any(step in text for step in INSTRUCTION)
    assert "data not installed" in client.get("/").content.decode().lower()
    assert client.get(f"{PAGE}leaderboard/").status_code == 200
    assert client.get(f"{PAGE}data.zip").status_code == 404
    assert client.get(f"{PAGE}starter.zip").status_code == 404


def test_a_student_sees_no_instruction_and_is_refused_with_a_reason(client, lenet: Challenge):
    client.force_login(_user("ada"))
    text = client.get(PAGE).content.decode()
    assert "data not installed" in text.lower()
    assert not any(step in text for step in INSTRUCTION)
    response = client.post(
        f"{PAGE}submit/", {"code": SimpleUploadedFile("main.py", b"print(1)")}, follow=True
    )
    assert response.status_code == 200
    assert "data is not installed" in response.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.parametrize("role", ["staff", "owning instructor"])
def test_staff_and_instructors_see_how_to_install_the_data(client, lenet: Challenge, role: str):
    if role == "staff":
        user = _user("root", is_staff=True)
    else:
        user = _user("yann", is_instructor=True)
        lenet.owner = user
        lenet.save()
    client.force_login(user)
    text = client.get(PAGE).content.decode()
    assert "data not installed" in text.lower()
    assert all(step in text for step in INSTRUCTION)


def test_installing_the_data_then_loading_again_makes_it_ready(client, lenet, no_raw_data):
    installed = no_raw_data.DATASETS_DIR.parent / "datasets"
    call_command(
        "fetch_datasets",
        "--from",
        str(SHARED),
        "--dir",
        str(installed),
        "--dataset",
        "mnist",
        stdout=StringIO(),
    )
    no_raw_data.DATASETS_DIR = installed
    assert challenge_load(bundle_dir=BUNDLE).action == "updated"
    lenet.refresh_from_db()
    assert (lenet.data_status, lenet.data_problem) == (Challenge.DataStatus.READY, "")
    download = client.get(f"{PAGE}data.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == [
        "test-images-idx3-ubyte",
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
    ]


def test_a_damaged_raw_file_is_data_missing_with_the_same_instruction(no_raw_data):
    import gzip

    mnist = no_raw_data.DATASETS_DIR / "mnist"
    mnist.mkdir()
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        (mnist / f"{name}.gz").write_bytes(gzip.compress(b"not the published file"))
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (mnist / f"{name}.gz").write_bytes(gzip.compress(b"not the published file"))
    outcome = challenge_load(bundle_dir=BUNDLE)
    challenge = Challenge.objects.get(slug=outcome.slug)
    assert challenge.data_status == Challenge.DataStatus.MISSING
    assert "damaged" in challenge.data_problem
    assert all(step in challenge.data_problem for step in INSTRUCTION)

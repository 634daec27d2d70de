"""An uploaded bundle's prepare.py is instructor code, run like student code:
not in the web request, but by a real Celery worker inside the sandbox, seeing
nothing of the platform. Then its reference solution runs through the normal
pipeline, and a bundle whose reference misses its stated result cannot be
published. Real Redis, worker, bubblewrap and database."""

from __future__ import annotations

import json
import os
import time

import pytest

from server.competitions.models import Challenge, Preparation
from tests.support.bundle_zips import SLUG, XOR, bundle_files, zip_upload
from tests.support.factories import make_user
from tests.support.paths import REPO
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
NO_REFERENCE = {"reference__main.py": None, "reference__baselines.py": None}

HOSTILE = """
import json, os, socket
from pathlib import Path

def _exists(path):
    try:
        return Path(path).exists()
    except OSError:
        return False

def _reads(path):
    try:
        return len(Path(path).read_bytes()) > 0
    except OSError:
        return False

def _connects(host, port):
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False

def _connects_unix(path):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(1)
        s.connect(path)
        return True
    except OSError:
        return False

def prepare(*, public_dir, hidden_dir, datasets_dir):
    env = dict(os.environ)
    found = {
        "database_env": [k for k, v in env.items() if "DATABASE" in k or "postgres" in v],
        "secret_env": [k for k in env if "SECRET" in k],
        "redis_env": [k for k, v in env.items() if "REDIS" in k or "BROKER" in k or "redis" in v],
        "sqlite_files": [p for p in SQLITE if _exists(p)],
        "secret_key_file": _reads(SECRET_FILE),
        "postgres_tcp": _connects("127.0.0.1", 5432),
        "postgres_socket": _connects_unix("/var/run/postgresql/.s.PGSQL.5432"),
        "redis_tcp": _connects("127.0.0.1", REDIS_PORT),
        "other_hidden": _reads(OTHER_HIDDEN) or _exists(OTHER_HIDDEN),
        "challenge_data": _exists(CHALLENGE_DATA),
        "project": _exists(PROJECT),
    }
    (public_dir / "findings.json").write_text(json.dumps(found))
    (hidden_dir / "labels.csv").write_text("id,label\\n0,1\\n")
"""


@pytest.fixture
def uploads(platform_settings, shared_dir):  # type: ignore[no-untyped-def]
    platform_settings.UPLOADED_BUNDLES_DIR = shared_dir / f"bundles-{os.getpid()}-{time.time_ns()}"
    return platform_settings


def _upload(client, files: dict[str, bytes]) -> Preparation:  # type: ignore[no-untyped-def]
    response = client.post("/instructor/upload/", {"bundle": zip_upload(files)})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return Preparation.objects.get(challenge__slug=SLUG)


def _settled(client, timeout: float) -> Preparation:  # type: ignore[no-untyped-def]
    """Poll the manage page's fragment (as the browser does) until the version is done."""

    def done() -> Preparation | None:
        client.get(f"/instructor/challenges/{SLUG}/preparation/")
        latest = Preparation.objects.get(challenge__slug=SLUG)
        return latest if latest.is_final else None

    return wait_for(done, timeout=timeout, interval=0.5, what="the bundle's preparation")


def _publish(client) -> str:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/instructor/challenges/{SLUG}/rules/",
        {"max_final": 2, "is_published": "on", "team_size": 1, "budget_period": "week"},
        follow=True,
    )
    return response.content.decode()


def test_the_upload_returns_at_once_and_never_runs_prepare_py(client, uploads):  # type: ignore[no-untyped-def]
    client.force_login(make_user("teacher", instructor=True))
    slow = b"import time\ndef prepare(**kwargs):\n    time.sleep(60)\n"
    started = time.monotonic()
    preparation = _upload(client, bundle_files(**{"prepare.py": slow}))
    assert time.monotonic() - started < 5
    assert preparation.state == "staged"
    page = client.get(f"/instructor/challenges/{SLUG}/").content.decode()
    assert "waiting for a worker to run prepare.py" in page
    assert Challenge.objects.get(slug=SLUG).data_status == "preparing"


def test_a_normal_bundle_goes_from_staged_to_ready_and_can_be_published(  # type: ignore[no-untyped-def]
    client, uploads, start_worker
):
    client.force_login(make_user("teacher", instructor=True))
    assert _upload(client, bundle_files()).state == "staged"
    start_worker()
    preparation = _settled(client, timeout=180)
    assert preparation.state == "ready", (preparation.reason, preparation.log)
    assert preparation.reference_submission_id is not None
    challenge = Challenge.objects.get(slug=SLUG)
    assert challenge.data_status == "ready" and (challenge.public_dir / "train.csv").is_file()
    assert (challenge.data_dir / "public.zip").is_file()
    assert challenge.hidden_dir.stat().st_mode & 0o777 == 0o700
    assert challenge.hidden_dir.stat().st_uid == os.getuid()  # not the sandbox's uid
    assert challenge.grader_checksum and challenge.baselines.count() == 3
    assert "Ready" in client.get(f"/instructor/challenges/{SLUG}/").content.decode()
    _publish(client)
    assert Challenge.objects.get(slug=SLUG).is_published


def test_a_bundle_whose_reference_misses_its_result_cannot_be_published(  # type: ignore[no-untyped-def]
    client, uploads, start_worker
):
    client.force_login(make_user("teacher", instructor=True))
    majority = (XOR / "starter" / "main.py").read_bytes()  # scores the 0.493 baseline
    _upload(client, bundle_files(**{"reference__main.py": majority}))
    start_worker()
    preparation = _settled(client, timeout=180)
    assert preparation.state == "failed"
    assert "short of the 0.9020" in preparation.reason
    assert "cannot be published" in preparation.reason
    page = client.get(f"/instructor/challenges/{SLUG}/").content.decode()
    assert "This challenge cannot be published" in page
    assert "cannot be published" in _publish(client)
    assert not Challenge.objects.get(slug=SLUG).is_published


def test_a_crashing_prepare_py_fails_plainly_with_its_log(client, uploads, start_worker):  # type: ignore[no-untyped-def]
    client.force_login(make_user("teacher", instructor=True))
    crash = b"def prepare(**kwargs):\n    raise ValueError('seed file corrupt')\n"
    _upload(client, bundle_files(**{"prepare.py": crash}))
    start_worker()
    preparation = _settled(client, timeout=120)
    assert preparation.state == "failed"
    assert preparation.reason == "prepare.py exited with code 1 (see the log below)."
    assert "ValueError: seed file corrupt" in preparation.log
    page = client.get(f"/instructor/challenges/{SLUG}/").content.decode()
    assert "seed file corrupt" in page and "Failed:" in page
    assert Challenge.objects.get(slug=SLUG).data_status == "failed"


def test_a_hostile_prepare_py_finds_no_database_secret_or_other_challenge(  # type: ignore[no-untyped-def]
    client, uploads, load_challenge, start_worker, platform_env, monkeypatch
):
    other = load_challenge("1986-xor-backprop")  # its hidden labels are on this host
    assert (other.hidden_dir / "labels.csv").is_file()
    # The worker's environment holds every secret the platform has.
    monkeypatch.setenv("DJANGO_SECRET_KEY", "not-for-bundles")
    monkeypatch.setenv("REDIS_URL", platform_env["CELERY_BROKER_URL"])
    redis_port = int(platform_env["CELERY_BROKER_URL"].rsplit(":", 1)[1].split("/")[0])
    constants = {
        "SQLITE": [str(REPO / "var" / "db.sqlite3"), str(REPO / "var" / "test-db.sqlite3")],
        "SECRET_FILE": str(REPO / "var" / "secret_key"),
        "REDIS_PORT": redis_port,
        "OTHER_HIDDEN": str(other.hidden_dir / "labels.csv"),
        "CHALLENGE_DATA": str(other.data_dir),
        "PROJECT": str(REPO / "server" / "milestones" / "settings.py"),
    }
    source = "".join(f"{k} = {v!r}\n" for k, v in constants.items()) + HOSTILE
    client.force_login(make_user("teacher", instructor=True))
    _upload(client, bundle_files(**{"prepare.py": source.encode(), **NO_REFERENCE}))
    start_worker()
    preparation = _settled(client, timeout=120)
    assert preparation.state == "ready", (preparation.reason, preparation.log)
    challenge = Challenge.objects.get(slug=SLUG)
    found = json.loads((challenge.public_dir / "findings.json").read_text())
    assert found == {
        "database_env": [],
        "secret_env": [],
        "redis_env": [],
        "sqlite_files": [],
        "secret_key_file": False,
        "postgres_tcp": False,
        "postgres_socket": False,
        "redis_tcp": False,
        "other_hidden": False,
        "challenge_data": False,
        "project": False,
    }

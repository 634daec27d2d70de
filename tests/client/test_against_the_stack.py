"""The acceptance of the command-line client: installed with pip into a fresh
virtual environment, it logs in with a personal token and submits to a real
web process (pytest-django's live server) scored by a real Celery worker in the
real sandbox; a program that crashes exits non-zero with the reason."""

from __future__ import annotations

import shutil
import subprocess
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO
from tests.support.programs import reference_code

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SLUG = "1986-xor-backprop"
CRASHING = b"import sys\nprint('reading the data')\nsys.exit('the weights exploded')\n"


@pytest.fixture(scope="session")
def client_bin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``milestones`` of a fresh venv, installed with pip from a copy of client/
    (so the build leaves nothing in the repository)."""
    root = tmp_path_factory.mktemp("client-venv")
    source = root / "client"
    shutil.copytree(REPO / "client", source)
    venv.create(root / "venv", with_pip=True)
    pip = [str(root / "venv" / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, str(source)], check=True, timeout=300)
    yield root / "venv" / "bin" / "milestones"


def run_client(command: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The client as a student runs it: a clean environment of its own, in ``home``."""
    env = {"PATH": f"{command.parent}:/usr/bin:/bin", "HOME": str(home), "COLUMNS": "120"}
    return subprocess.run(
        [str(command), *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def logged_in(client_bin, live_server, xor_challenge, start_worker, broker, tmp_path):  # type: ignore[no-untyped-def]
    """A student's home in which ``milestones login`` succeeded, and a worker running."""
    from server.accounts.tokens import token_create
    from tests.support.factories import make_user

    start_worker()
    _, token = token_create(user=make_user("ada"), name="laptop", lifetime_days=30)
    done = run_client(client_bin, tmp_path, "login", "--server", live_server.url, "--token", token)
    assert done.returncode == 0, done.stderr
    assert "as ada" in done.stdout
    assert (tmp_path / ".config" / "milestones" / "config.json").stat().st_mode & 0o077 == 0
    return tmp_path


def test_submit_and_wait_exits_zero_and_prints_the_score(client_bin, logged_in: Path):
    from server.submissions.models import Submission

    (logged_in / "main.py").write_bytes(reference_code())
    done = run_client(client_bin, logged_in, "submit", SLUG, "main.py", "--wait")
    assert done.returncode == 0, done.stdout + done.stderr
    submission = Submission.objects.get()
    assert submission.state == "scored"
    assert f"Scored: score {submission.public_score:.4f} (accuracy" in done.stdout
    assert f"Submitted #{submission.id}: http" in done.stdout  # and its page's address

    status = run_client(client_bin, logged_in, "status", str(submission.id))
    assert status.returncode == 0 and f"{submission.public_score:.4f}" in status.stdout
    board = run_client(client_bin, logged_in, "leaderboard", SLUG)
    assert board.returncode == 0 and "ada" in board.stdout, board.stdout + board.stderr
    final = run_client(client_bin, logged_in, "final", str(submission.id))
    assert final.returncode == 0 and "marked as final" in final.stdout
    assert Submission.objects.get().selected


def test_a_failing_program_exits_non_zero_with_the_reason(client_bin, logged_in: Path):
    from server.submissions.models import Submission

    (logged_in / "main.py").write_bytes(CRASHING)
    done = run_client(client_bin, logged_in, "submit", SLUG, "main.py", "--wait")
    submission = Submission.objects.get()
    assert submission.state == "failed"
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"Failed: {submission.failure_reason}" in done.stdout.replace("\n", " ")
    assert "the weights exploded" in done.stdout  # the log's tail
    log = run_client(client_bin, logged_in, "log", str(submission.id))
    assert log.returncode == 0 and "reading the data" in log.stdout


def test_a_dry_run_exits_zero_when_it_passes_and_one_with_the_reason_when_not(
    client_bin, logged_in: Path
):
    from server.dry_runs.models import DryRun
    from server.submissions.models import Submission

    (logged_in / "main.py").write_bytes(reference_code())
    done = run_client(client_bin, logged_in, "dry-run", SLUG, "main.py")
    assert done.returncode == 0, done.stdout + done.stderr
    passed = DryRun.objects.get()
    assert passed.state == "passed" and passed.sample_score is not None
    shown = " ".join(done.stdout.split())
    assert f"Dry run #{passed.id}: http" in shown
    assert f"sample score {passed.sample_score:.4f} (accuracy on {passed.sample_items}" in shown
    assert not Submission.objects.exists()  # uncharged, unranked

    (logged_in / "main.py").write_bytes(CRASHING)
    done = run_client(client_bin, logged_in, "dry-run", SLUG, "main.py")
    failed = DryRun.objects.exclude(pk=passed.pk).get()
    assert failed.state == "failed"
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"Failed: {failed.reason}" in done.stdout.replace("\n", " ")
    assert "the weights exploded" in done.stdout  # its log, after the reason


def test_the_other_commands_answer(client_bin, logged_in: Path):
    listed = run_client(client_bin, logged_in, "challenges")
    assert listed.returncode == 0 and SLUG in listed.stdout
    fetched = run_client(client_bin, logged_in, "download", SLUG, "--dir", "xor")
    assert fetched.returncode == 0, fetched.stderr
    assert {p.name for p in (logged_in / "xor").iterdir()} == {
        f"{SLUG}-data.zip",
        f"{SLUG}-starter.zip",
    }
    (logged_in / "main.py").write_bytes(reference_code())
    refused = run_client(client_bin, logged_in, "submit", "no-such-challenge", "main.py")
    assert refused.returncode == 2 and "No such challenge" in refused.stderr

"""The spine, end to end with real parts: Django's test client (a signed-in
student) -> Redis -> a real Celery worker process -> the bubblewrap sandbox ->
the grader -> the leaderboard."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from server.accounts.models import User
from server.submissions.models import Submission
from tests.support.paths import REPO
from tests.support.programs import trivial_code
from tests.support.waiting import wait_for

XOR = REPO / "challenges" / "1986-xor-backprop"
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _final(submission_id: int) -> Submission | None:
    submission = Submission.objects.get(id=submission_id)
    return submission if submission.is_final else None


def _submit(client, slug: str, name: str, content: bytes) -> int:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/challenges/{slug}/submit/", {"code": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.content[:500]
    return int(response["Location"].rstrip("/").split("/")[-1])


def test_reference_solution_is_scored_and_ranked(client, xor_challenge, start_worker):
    start_worker()
    student = User.objects.create_user(username="ada", password="pw-for-tests-1")
    client.force_login(student)
    submission_id = _submit(
        client, xor_challenge.slug, "main.py", (XOR / "reference" / "main.py").read_bytes()
    )

    page = client.get(f"/submissions/{submission_id}/")
    assert b"sse-connect=" in page.content  # the page listens while not final...
    assert b'hx-trigger="sse:changed"' in page.content
    assert b'hx-trigger="every' in page.content  # ...and polls as a fallback
    submission = wait_for(lambda: _final(submission_id), timeout=90, what="a final state")

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    linear = xor_challenge.baselines.get(position=0).score
    assert submission.public_score > linear + 0.3
    assert submission.private_score is not None
    board = client.get(f"/challenges/{xor_challenge.slug}/leaderboard/").content.decode()
    assert 'data-participant="ada"' in board
    assert board.count('data-baseline="1"') == xor_challenge.baselines.count()
    status = client.get(f"/submissions/{submission_id}/status/").content.decode()
    assert 'data-state="scored"' in status and "hx-trigger" not in status


def test_zip_with_main_at_root_is_accepted_and_scored(client, xor_challenge, start_worker):
    import io
    import zipfile

    start_worker()
    student = User.objects.create_user(username="zed", password="pw-for-tests-1")
    client.force_login(student)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("main.py", "from helper import run\nrun()\n")
        archive.writestr(
            "helper.py",
            (XOR / "reference" / "main.py")
            .read_text()
            .replace('if __name__ == "__main__":', "def run():\n    main()\n\nif False:"),
        )
    submission_id = _submit(client, xor_challenge.slug, "solution.zip", buffer.getvalue())
    submission = wait_for(lambda: _final(submission_id), timeout=90, what="a final state")
    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)


def test_crash_fails_with_reason_and_log_tail(client, xor_challenge, start_worker):
    start_worker()
    client.force_login(User.objects.create_user(username="bob", password="pw-for-tests-1"))
    code = b"print('loading data')\nraise ValueError('my model diverged')\n"
    submission_id = _submit(client, xor_challenge.slug, "main.py", code)
    submission = wait_for(lambda: _final(submission_id), timeout=60, what="a final state")
    assert submission.state == "failed"
    assert "exited with code 1" in submission.failure_reason
    assert "ValueError: my model diverged" in submission.log_tail
    page = client.get(f"/submissions/{submission_id}/").content.decode()
    assert "my model diverged" in page


def test_program_past_its_time_limit_is_stopped(client, xor_challenge, start_worker):
    xor_challenge.limits = {**xor_challenge.limits, "wall_seconds": 3}
    xor_challenge.save()
    start_worker()
    client.force_login(User.objects.create_user(username="eve", password="pw-for-tests-1"))
    submission_id = _submit(client, xor_challenge.slug, "main.py", b"while True:\n    pass\n")
    submission = wait_for(lambda: _final(submission_id), timeout=60, what="a final state")
    assert submission.state == "failed"
    assert "time limit" in submission.failure_reason
    assert submission.wall_seconds < 10


def test_hidden_labels_are_out_of_reach(client, xor_challenge, start_worker):
    """The program looks for the hidden labels at the very path the grader reads."""
    start_worker()
    hidden = xor_challenge.hidden_dir / "labels.csv"
    assert hidden.is_file()
    probe = f"""
import os, glob
targets = [{str(hidden)!r}, {str(xor_challenge.hidden_dir)!r}, {str(xor_challenge.data_dir)!r}]
found = [t for t in targets if os.path.exists(t)]
for top in ('/data', '/submission', '/tmp', '/output', '/opt', '/etc', '/home', '/root', '/var', '/srv', '/work'):
    found += glob.glob(top + '/**/labels.csv', recursive=True)
print('FOUND', found)
raise SystemExit(3 if found else 0)
"""
    client.force_login(User.objects.create_user(username="mallory", password="pw-for-tests-1"))
    submission_id = _submit(client, xor_challenge.slug, "main.py", probe.encode())
    submission = wait_for(lambda: _final(submission_id), timeout=60, what="a final state")
    assert "FOUND []" in submission.log_tail, submission.log_tail
    # It wrote no predictions, so it fails on the missing file, not on the probe.
    assert submission.state == "failed"
    assert "predictions.csv" in submission.failure_reason


def test_a_program_that_writes_its_predictions_on_the_warning_is_scored_and_cut_short(
    client, xor_challenge, start_worker
):
    xor_challenge.limits = {**xor_challenge.limits, "wall_seconds": 10}
    xor_challenge.save()
    start_worker()
    client.force_login(User.objects.create_user(username="eve", password="pw-for-tests-1"))
    # "Training" that would never end; the predictions are written on the warning.
    code = trivial_code(
        extra=(
            "import signal, sys\n"
            "def time_up(signum, frame):\n"
            "    raise TimeoutError\n"
            "signal.signal(signal.SIGTERM, time_up)\n"
            "try:\n"
            "    time.sleep(3600)\n"
            "except TimeoutError:\n"
            "    print('SIGTERM: writing what I have', flush=True)\n"
        ),
    )
    submission_id = _submit(client, xor_challenge.slug, "main.py", code)
    submission = wait_for(lambda: _final(submission_id), timeout=60, what="a final state")
    assert submission.state == "scored", submission.failure_reason
    assert submission.warned_of == "wall" and submission.sandbox_status == "ok"
    assert "SIGTERM: writing what I have" in submission.log_tail
    page = client.get(f"/submissions/{submission_id}/").content.decode()
    assert "Cut short: stopped by the warning before the wall-clock limit." in page

"""A running submission's live part: what its worker published (log so far,
usage, progress, curves) is shown to those who may read its log, and an
interactive run's is shown only to those who manage the challenge while the
phase is open; once it ends, its curves stay on its page."""

from __future__ import annotations

import http.client
import re
import threading

import pytest

from server.accounts.models import User
from server.submissions.models import Submission
from worker import live_state
from worker.progress import ends_at

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _publish(submission: Submission, *, interactive: bool = False) -> None:
    live_state.keep(
        submission.id,
        {
            "attempt": submission.attempt,
            "interactive": interactive,
            "cpu_seconds": 3.5,
            "memory_bytes": 50 * 1024 * 1024,
            "log": "epoch 1\nepoch 2 secret-ish",
            "progress": 0.25,
            "ends_at": ends_at(elapsed=10.0, progress=0.25),
            "curves": {"progress": 0.25, "series": {"loss": [[1, 2.0], [2, 1.5]]}},
        },
    )


@pytest.fixture
def running(platform_settings, make_user, make_submission):  # type: ignore[no-untyped-def]
    submission = make_submission(make_user("ada"), state="running")
    Submission.objects.filter(id=submission.id).update(attempt=1)
    submission.refresh_from_db()
    return submission


def test_the_author_sees_the_log_usage_progress_and_curves_of_a_running_run(client, running):  # type: ignore[no-untyped-def]
    _publish(running)
    client.force_login(running.user)
    page = client.get(f"/submissions/{running.id}/live/").content.decode()
    assert 'data-live="shown"' in page and "epoch 2 secret-ish" in page
    assert 'data-progress="25"' in page
    assert re.search(r"about (2\d|30) s left", page)  # 30 s left at its pace, less since
    assert 'data-curve="loss"' in page and "50.0" in page  # MB of memory
    assert "epoch 2 secret-ish" in client.get(f"/submissions/{running.id}/").content.decode()


def test_another_student_cannot_read_the_live_part(client, running, make_user):  # type: ignore[no-untyped-def]
    _publish(running)
    client.force_login(make_user("eve"))
    assert client.get(f"/submissions/{running.id}/live/").status_code == 404


def test_a_state_of_another_attempt_is_not_shown(client, running):  # type: ignore[no-untyped-def]
    _publish(running)
    Submission.objects.filter(id=running.id).update(attempt=2)  # taken over
    client.force_login(running.user)
    page = client.get(f"/submissions/{running.id}/live/").content.decode()
    assert 'data-live="clock"' in page and "epoch" not in page


def test_an_interactive_run_shows_its_author_the_clock_only_and_its_instructor_all(  # type: ignore[no-untyped-def]
    client, running
):
    _publish(running, interactive=True)
    client.force_login(running.user)
    page = client.get(f"/submissions/{running.id}/live/").content.decode()
    assert 'data-live="clock"' in page and "epoch" not in page and "data-curve" not in page
    assert "data-elapsed-bar" in page
    staff = User.objects.create_user(username="staff", password="pw-for-tests-1", is_staff=True)
    client.force_login(staff)
    assert "epoch 2 secret-ish" in client.get(f"/submissions/{running.id}/live/").content.decode()


def test_the_curves_stay_on_the_page_once_it_ended_but_not_a_sealed_runs(client, running):  # type: ignore[no-untyped-def]
    curves = {"progress": 1.0, "series": {"loss": [[1, 2.0], [2, 1.0]], "val_acc": [[2, 0.9]]}}
    Submission.objects.filter(id=running.id).update(state="failed", curves=curves)
    client.force_login(running.user)
    page = client.get(f"/submissions/{running.id}/").content.decode()
    assert 'data-curve="loss"' in page and 'data-curve="val_acc"' in page
    Submission.objects.filter(id=running.id).update(sealed=True)
    page = client.get(f"/submissions/{running.id}/").content.decode()
    assert "data-curve" not in page


@pytest.mark.django_db(transaction=True)  # the live server's thread reads the rows
def test_the_stream_says_live_when_the_worker_renews_the_state(  # type: ignore[no-untyped-def]
    client, live_server, running
):
    client.force_login(running.user)
    host, port = live_server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=20)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    conn.request("GET", f"/submissions/{running.id}/events/", headers={"Cookie": cookie})
    response = conn.getresponse()
    assert response.fp.readline().decode().startswith("retry:")
    # The stream subscribes just after its first words: renew until it is heard.
    heard = threading.Event()

    def renew() -> None:
        while not heard.wait(0.3):
            _publish(running)

    renewer = threading.Thread(target=renew)
    renewer.start()
    try:
        lines: list[str] = []
        while "data: live" not in lines and len(lines) < 20:
            lines.append(response.fp.readline().decode().strip())
    finally:
        heard.set()
        renewer.join()
        conn.close()
    # Keep-alive comments may come first (the subscriptions' confirmations).
    assert lines[-2:] == ["event: live", "data: live"], lines
    assert "event: changed" not in lines


def test_an_interactive_challenges_run_is_hidden_from_its_author_whatever_the_state_says(  # type: ignore[no-untyped-def]
    client, running
):
    challenge = running.challenge
    challenge.grading = {
        "kind": "interactive",
        "environment": "char_lm",
        "query_seconds": 600,
        "max_answer_kb": 1024,
        "steps": 16,
        "context": 256,
    }
    challenge.save(update_fields=["grading"])
    _publish(running, interactive=False)
    client.force_login(running.user)
    page = client.get(f"/submissions/{running.id}/live/").content.decode()
    assert 'data-live="clock"' in page and "epoch" not in page

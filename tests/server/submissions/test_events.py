"""A page learns of its submission's change the moment it is committed: the
events stream (server-sent events) says "changed" for every transition, to those
who may see the submission only."""

from __future__ import annotations

import http.client
import threading
import time

import pytest

from server.submissions import lifecycle
from server.submissions.models import Submission

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _listen(live_server, cookie: str, submission_id: int, into: list[tuple[float, str]]) -> None:  # type: ignore[no-untyped-def]
    host, port = live_server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=20)
    conn.request("GET", f"/submissions/{submission_id}/events/", headers={"Cookie": cookie})
    response = conn.getresponse()
    into.append(
        (time.monotonic(), f"status {response.status} {response.getheader('Content-Type')}")
    )
    while True:
        line = response.fp.readline().decode()
        if not line:
            return
        into.append((time.monotonic(), line.strip()))
        if line.startswith("data: changed"):
            conn.close()
            return


def test_the_stream_says_changed_when_a_run_is_claimed(
    client, live_server, platform_settings, make_user, make_submission
):  # type: ignore[no-untyped-def]
    ada = make_user("ada")
    submission = make_submission(ada, state="queued")
    client.force_login(ada)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    heard: list[tuple[float, str]] = []
    listener = threading.Thread(target=_listen, args=(live_server, cookie, submission.id, heard))
    listener.start()
    deadline = time.monotonic() + 10
    while not any(text == "retry: 2000" for _, text in heard) and time.monotonic() < deadline:
        time.sleep(0.05)
    claimed_at = time.monotonic()
    assert lifecycle.claim(submission_id=submission.id, worker_id="w") == 1
    listener.join(timeout=15)
    assert heard[0][1] == "status 200 text/event-stream"
    changed = [at for at, text in heard if text == "data: changed"]
    assert changed and changed[0] >= claimed_at  # heard after the commit, not before


def test_another_student_cannot_listen(client, make_user, make_submission):  # type: ignore[no-untyped-def]
    submission = make_submission(make_user("ada"))
    client.force_login(make_user("eve"))
    assert client.get(f"/submissions/{submission.id}/events/").status_code == 404
    assert Submission.objects.filter(id=submission.id).exists()

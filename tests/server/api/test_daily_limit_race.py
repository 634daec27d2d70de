"""The last free slot of the day goes to exactly one of several uploads made at
the same instant through the API: real concurrent requests, each in its own
thread and database connection, on PostgreSQL (SQLite serialises every writer,
so there is nothing to prove there). The API calls the same service as the
page, so this is the page's race test (tests/server/submissions/) once more,
from the outside."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from server.submissions.models import Submission
from tests.server.api.conftest import token_client
from tests.support.factories import make_challenge, make_submission, make_user
from tests.support.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)
UPLOADS = 8


def test_concurrent_api_uploads_for_the_last_slot_let_exactly_one_through(site, postgresql):
    challenge = make_challenge(daily_limit=3)
    ada = make_user("ada")
    for _ in range(2):
        make_submission(user=ada, challenge=challenge, public=0.5)
    clients = [token_client(ada) for _ in range(UPLOADS)]
    url = f"/api/challenges/{challenge.slug}/submissions/"
    start = threading.Barrier(UPLOADS)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def upload(n: int) -> None:
        try:
            start.wait(timeout=30)
            code = SimpleUploadedFile("main.py", f"print({n})\n".encode())
            response = clients[n].post(url, {"code": code}, format="multipart")
            answer = (response.status_code, response.json().get("detail", ""))
        except Exception as exc:  # reported by the assertion below, not lost in a thread
            answer = (0, f"crashed: {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()
        with lock:
            answers.append(answer)

    run_in_threads(upload, [(n,) for n in range(UPLOADS)], timeout=60)
    assert len(answers) == UPLOADS
    assert [status for status, _ in answers].count(201) == 1, answers
    refused = [(status, detail) for status, detail in answers if status != 201]
    assert all(status == 409 for status, _ in refused), refused
    assert all("You have used your 3 submissions" in detail for _, detail in refused), refused
    assert Submission.objects.filter(user=ada, challenge=challenge).count() == 3

"""The last free slot of the day goes to exactly one of several uploads made at
the same instant: real concurrent transactions on PostgreSQL (SQLite
serialises every writer, so there is nothing to prove there)."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from server.submissions.models import Submission
from server.submissions.services import SubmissionRefused, submission_create
from tests.server.factories import make_challenge, make_submission, make_user
from tests.support.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)
UPLOADS = 8


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL (scripts/test.sh does when one answers)")


def _race(user, challenge) -> list[str]:  # type: ignore[no-untyped-def]
    """Start UPLOADS submissions at once, each in its own thread and connection."""
    start = threading.Barrier(UPLOADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def upload(n: int) -> None:
        try:
            start.wait(timeout=30)
            submission_create(user=user, challenge=challenge,
                              upload=SimpleUploadedFile("main.py", f"print({n})\n".encode()))  # fmt: skip
            outcome = "accepted"
        except SubmissionRefused as exc:
            outcome = f"refused: {exc}"
        except Exception as exc:  # reported by the assertion below, not lost in a thread
            outcome = f"crashed: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    run_in_threads(upload, [(n,) for n in range(UPLOADS)], timeout=60)
    return outcomes


def test_concurrent_uploads_for_the_last_slot_let_exactly_one_through(site, postgresql):
    challenge = make_challenge(daily_limit=3)
    ada = make_user("ada")
    for _ in range(2):
        make_submission(user=ada, challenge=challenge, public=0.5)
    outcomes = _race(ada, challenge)
    assert len(outcomes) == UPLOADS
    assert outcomes.count("accepted") == 1, outcomes
    assert all("You have used your 3 submissions" in o for o in outcomes if o != "accepted")
    assert Submission.objects.filter(user=ada, challenge=challenge).count() == 3


def test_concurrent_uploads_of_different_participants_do_not_block_each_other(site, postgresql):
    challenge = make_challenge(daily_limit=1)
    users = [make_user(f"p{n}") for n in range(UPLOADS)]
    start = threading.Barrier(UPLOADS)
    accepted: list[int] = []

    def upload(user) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait(timeout=30)
            submission_create(user=user, challenge=challenge,
                              upload=SimpleUploadedFile("main.py", b"print(1)\n"))  # fmt: skip
            accepted.append(user.id)
        finally:
            connections.close_all()

    run_in_threads(upload, [(user,) for user in users], timeout=60)
    assert sorted(accepted) == sorted(user.id for user in users)

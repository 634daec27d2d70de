"""The last free slot of the day goes to exactly one of several uploads made at
the same instant: real concurrent transactions on PostgreSQL (SQLite
serialises every writer, so there is nothing to prove there)."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from server.submissions.errors import SubmissionRefused
from server.submissions.models import Submission
from server.submissions.services import submission_create
from server.teams.models import Membership
from server.teams.services import TeamRefused, team_create, team_join
from tests.support.factories import make_challenge, make_submission, make_user
from tests.support.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)
UPLOADS = 8


def _race(users, challenge, *, start: threading.Barrier | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """Start UPLOADS submissions at once, each in its own thread and connection,
    going round ``users`` (one participant, or a list); ``start`` lets another
    thread set off with them."""
    members = users if isinstance(users, list) else [users]
    start = start or threading.Barrier(UPLOADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def upload(n: int) -> None:
        try:
            start.wait(timeout=30)
            submission_create(
                user=members[n % len(members)],
                challenge=challenge,
                upload=SimpleUploadedFile("main.py", f"print({n})\n".encode()),
            )
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
            submission_create(
                user=user, challenge=challenge, upload=SimpleUploadedFile("main.py", b"print(1)\n")
            )
            accepted.append(user.id)
        finally:
            connections.close_all()

    run_in_threads(upload, [(user,) for user in users], timeout=60)
    assert sorted(accepted) == sorted(user.id for user in users)


def test_a_teams_last_slot_goes_to_one_upload_whichever_member_sends_it(site, postgresql):
    challenge = make_challenge(daily_limit=3, team_size=3)
    members = [make_user(name) for name in ("ada", "bob", "cy")]
    team = team_create(user=members[0], challenge=challenge, name="Trio")
    for member in members[1:]:
        team_join(user=member, challenge=challenge, code=team.code)
    make_submission(user=members[0], challenge=challenge, public=0.5, team=team)
    make_submission(user=members[1], challenge=challenge, public=0.5, team=team)
    outcomes = _race(members, challenge)
    assert outcomes.count("accepted") == 1, outcomes
    assert all("Your team has used its 3 submissions" in o for o in outcomes if o != "accepted")
    assert Submission.objects.filter(team=team).count() == 3


def test_a_join_racing_uploads_never_lets_the_team_past_its_limit(site, postgresql):
    """A participant with uploads of their own joins a team while its members and
    they upload: the merge rule and the limit are decided under the same locks."""
    challenge = make_challenge(daily_limit=3, team_size=2)
    ada, bob = make_user("ada"), make_user("bob")
    team = team_create(user=ada, challenge=challenge, name="Pair")
    make_submission(user=ada, challenge=challenge, public=0.5, team=team)
    make_submission(user=bob, challenge=challenge, public=0.5)
    start = threading.Barrier(UPLOADS + 1)

    def join() -> None:
        try:
            start.wait(timeout=30)
            team_join(user=bob, challenge=challenge, code=team.code)
        except TeamRefused:
            pass
        finally:
            connections.close_all()

    joiner = threading.Thread(target=join)
    joiner.start()
    outcomes = _race([ada, bob], challenge, start=start)
    assert not any(o.startswith("crashed") for o in outcomes), outcomes
    joiner.join(timeout=60)
    in_team = Submission.objects.filter(team=team).exclude(state__in=("error", "cancelled"))
    alone = Submission.objects.filter(user=bob, team__isnull=True)
    if Membership.objects.filter(user=bob, team=team).exists():
        assert in_team.count() <= 3 and not alone.exists(), outcomes
    else:
        assert in_team.count() <= 3 and alone.count() <= 3, outcomes

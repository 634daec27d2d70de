"""Dry runs through the API: started as on the page (the same service, so the
same refusals in the same words), seen by their author only, 'lost' when their
worker went away."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from server.api.serializers import LOST_REASON
from server.dry_runs.models import DryRun
from server.site import clock
from tests.server.api.conftest import token_client
from tests.support.dry_runs import make_dry_run, offer_dry_runs
from tests.support.factories import make_challenge, make_phase, make_user

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def open_challenge(site):  # type: ignore[no-untyped-def]
    challenge = make_challenge()
    make_phase(challenge, name="Graded", starts=-HOUR, ends=HOUR)
    offer_dry_runs(challenge)
    return challenge


def _start(client: Any, slug: str, code: bytes = b"print(1)\n") -> Any:
    upload = SimpleUploadedFile("main.py", code)
    return client.post(f"/api/challenges/{slug}/dry-runs/", {"code": upload}, format="multipart")


def test_a_dry_run_is_queued_and_followed_by_its_author(open_challenge):
    ada = make_user("ada")
    client = token_client(ada)
    started = _start(client, open_challenge.slug)
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["state"] == "queued" and not body["is_final"]
    assert body["challenge"] == open_challenge.slug and body["original_name"] == "main.py"
    assert body["sample_score"] is None and body["wall_limit_seconds"] == 20
    assert body["page_url"].endswith(f"/dry-runs/{body['id']}/")
    assert DryRun.objects.get().user == ada
    assert client.get(f"/api/dry-runs/{body['id']}/").json() == body


def test_no_one_else_sees_a_dry_run(open_challenge):
    dry_run = make_dry_run(user=make_user("ada"), challenge=open_challenge)
    for other in (make_user("eve"), make_user("root", staff=True)):
        answer = token_client(other).get(f"/api/dry-runs/{dry_run.id}/")
        assert answer.status_code == 404 and answer.json() == {"detail": "No such dry run."}


def test_an_ended_dry_run_shows_its_sample_score_its_reason_and_its_whole_log(open_challenge):
    ada = make_user("ada")
    now = clock.now()
    passed = make_dry_run(
        user=ada,
        challenge=open_challenge,
        state="passed",
        sample_score=0.75,
        sample_items=50,
        wall_seconds=3.5,
        cpu_seconds=3.1,
        log="epoch 1\nepoch 2\n",
        started_at=now - dt.timedelta(seconds=5),
        finished_at=now - dt.timedelta(seconds=1),
    )
    body = token_client(ada).get(f"/api/dry-runs/{passed.id}/").json()
    assert (body["state"], body["is_final"], body["reason"]) == ("passed", True, "")
    assert (body["sample_score"], body["sample_items"], body["metric"]) == (0.75, 50, "accuracy")
    assert body["log"] == "epoch 1\nepoch 2\n" and body["elapsed_seconds"] == 4.0


def test_a_dry_run_whose_worker_went_away_is_lost(open_challenge):
    ada = make_user("ada")
    stuck = make_dry_run(
        user=ada, challenge=open_challenge, state="running", created_at=clock.now() - HOUR
    )
    body = token_client(ada).get(f"/api/dry-runs/{stuck.id}/").json()
    assert (body["state"], body["is_final"], body["reason"]) == ("lost", True, LOST_REASON)


def test_refusals_are_409_with_the_pages_words(open_challenge, client):
    ada = make_user("ada")
    api = token_client(ada)
    syntax = _start(api, open_challenge.slug, b"def (:\n")
    assert syntax.status_code == 409 and "main.py line 1" in syntax.json()["detail"]
    first = _start(api, open_challenge.slug).json()
    busy = _start(api, open_challenge.slug)
    assert busy.status_code == 409
    assert busy.json()["detail"].startswith(f"Your dry run #{first['id']} has not finished yet")
    client.force_login(ada)  # the page refuses in the same words
    page = client.post(
        f"/challenges/{open_challenge.slug}/dry-run/",
        {"code": SimpleUploadedFile("main.py", b"print(1)\n")},
        follow=True,
    )
    assert busy.json()["detail"] in [str(m) for m in page.context["messages"]]


def test_a_challenge_without_a_sample_says_so_and_refuses_one(site):
    challenge = make_challenge()
    make_phase(challenge, name="Graded", starts=-HOUR, ends=HOUR)
    api = token_client(make_user("ada"))
    assert api.get(f"/api/challenges/{challenge.slug}/").json()["offers_dry_run"] is False
    refused = _start(api, challenge.slug)
    assert refused.status_code == 409
    assert refused.json() == {"detail": "This challenge offers no dry run."}
    offer_dry_runs(challenge)
    assert api.get(f"/api/challenges/{challenge.slug}/").json()["offers_dry_run"] is True


def test_a_closed_phase_refuses_a_dry_run_as_a_submission(open_challenge):
    with clock.travelled(to=clock.now() + 2 * HOUR):
        refused = _start(token_client(make_user("ada")), open_challenge.slug)
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("Submissions are closed: Graded ended")

"""The API answers by the pages' rules, since both call the same selectors and
services: the private score and board revealed when the phase ends, the daily
limit and closed phases refused with the page's words, the same CSV."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from server.competitions.services import phase_create
from server.site import clock
from server.submissions.models import Submission
from server.teams.services import team_create
from tests.server.api.conftest import token_client
from tests.support.factories import make_challenge, make_phase, make_submission, make_user

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def graded(site):  # type: ignore[no-untyped-def]
    """A challenge in its graded phase; ada's scored submission of it."""
    owner = make_user("owner", instructor=True)
    challenge = make_challenge(owner=owner, daily_limit=2)
    phase = make_phase(challenge, name="Graded", starts=-HOUR, ends=HOUR)
    ada = make_user("ada")
    submission = make_submission(user=ada, challenge=challenge, public=0.8, private=0.7)
    Submission.objects.filter(id=submission.id).update(
        public_low=0.75, public_high=0.85, private_low=0.6, private_high=0.8
    )
    return challenge, phase, ada, owner, submission


def test_the_private_score_and_board_are_revealed_when_the_phase_ends(graded):
    challenge, phase, ada, _, submission = graded
    client = token_client(ada)
    url = f"/api/submissions/{submission.id}/"
    hidden = client.get(url).json()["scores"]
    assert hidden["private"] is None and hidden["private_interval"] is None
    assert hidden["public_interval"] == [0.75, 0.85]
    board = f"/api/challenges/{challenge.slug}/leaderboard/?board=private"
    assert client.get(board).status_code == 403
    page = client.get(f"/challenges/{challenge.slug}/leaderboard/?board=private")
    assert not page.context["may_see_private"]  # the page says the same
    with clock.travelled(to=phase.ends_at + HOUR):
        assert client.get(url).json()["scores"] == {
            "public": 0.8,
            "private": 0.7,
            "public_interval": [0.75, 0.85],
            "private_interval": [0.6, 0.8],
            "private_shown": True,
            "metric": "accuracy",
            "direction": "higher",
        }
        rows = client.get(board + f"&phase={phase.id}").json()["rows"]
        assert [(row["participant"], row["score"]) for row in rows if not row["is_baseline"]] == [
            ("ada", 0.7)
        ]


def test_the_owner_sees_the_private_score_at_once(graded):
    _, _, _, owner, submission = graded
    scores = token_client(owner).get(f"/api/submissions/{submission.id}/").json()["scores"]
    assert scores["private"] == 0.7 and scores["private_shown"]


def test_submitting_past_the_daily_limit_is_refused_with_the_pages_words(graded):
    challenge, _, ada, _, _ = graded
    client = token_client(ada)
    url = f"/api/challenges/{challenge.slug}/submissions/"

    def upload() -> Any:
        code = SimpleUploadedFile("main.py", b"print(1)\n")
        return client.post(url, {"code": code}, format="multipart")

    first = upload()
    assert first.status_code == 201 and first.json()["state"] == "pending"
    refused = upload()
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("You have used your 2 submissions")


def test_submitting_after_the_phase_is_refused_with_the_reason(graded):
    challenge, phase, ada, _, _ = graded
    code = SimpleUploadedFile("main.py", b"print(1)\n")
    with clock.travelled(to=phase.ends_at + HOUR):
        answer = token_client(ada).post(
            f"/api/challenges/{challenge.slug}/submissions/", {"code": code}, format="multipart"
        )
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith("Submissions are closed: Graded ended")


def test_the_log_is_read_whole_or_by_its_tail(graded, client):
    challenge, _, ada, _, _ = graded
    lines = [f"epoch {n}" for n in range(100)]
    submission = make_submission(
        user=ada, challenge=challenge, state="failed", log_tail="\n".join(lines)
    )
    api = token_client(ada)
    detail = api.get(f"/api/submissions/{submission.id}/").json()
    assert detail["log_tail"].splitlines() == lines[-40:] and detail["log_cut"]
    tail = api.get(f"/api/submissions/{submission.id}/log/?tail=3").json()
    assert tail == {"text": "epoch 97\nepoch 98\nepoch 99", "lines": 100, "cut": True}
    whole = api.get(f"/api/submissions/{submission.id}/log/").json()
    assert whole["text"].splitlines() == lines and not whole["cut"]
    client.force_login(ada)
    assert client.get(f"/submissions/{submission.id}/log/").content.decode().splitlines() == lines


def test_the_curves_are_on_the_submission_as_on_its_page(graded, client):
    challenge, _, ada, _, _ = graded
    curves = {"progress": 1.0, "series": {"loss": [[1.0, 2.0], [2.0, 1.0]]}}
    submission = make_submission(user=ada, challenge=challenge, curves=curves)
    assert token_client(ada).get(f"/api/submissions/{submission.id}/").json()["curves"] == curves
    client.force_login(ada)
    assert 'data-curve="loss"' in client.get(f"/submissions/{submission.id}/").content.decode()


def test_the_csv_export_is_the_pages(graded, client):
    challenge, _, _, owner, _ = graded
    api = token_client(owner).get(f"/api/challenges/{challenge.slug}/leaderboard/export/")
    client.force_login(owner)
    page = client.get(f"/challenges/{challenge.slug}/leaderboard.csv")
    assert api["Content-Type"] == page["Content-Type"] == "text/csv; charset=utf-8"
    assert api["Content-Disposition"] == page["Content-Disposition"]
    assert api.content == page.content
    assert api.content.decode().splitlines()[0].startswith("rank,participant,baseline,public_score")


def test_an_instructor_filters_submissions_by_participant_and_state(graded):
    challenge, _, _, owner, _ = graded
    make_submission(user=make_user("bob"), challenge=challenge, state="failed")
    client = token_client(owner)
    url = f"/api/challenges/{challenge.slug}/submissions/"
    assert [s["participant"] for s in client.get(url + "?state=failed").json()["results"]] == [
        "bob"
    ]
    assert client.get(url + "?user=ada").json()["count"] == 1
    assert client.get(url + "?state=sleeping").status_code == 400


def test_the_standing_says_the_team_the_budget_and_how_late_a_submission_would_be(site):
    owner = make_user("owner", instructor=True)
    challenge = make_challenge(
        owner=owner, team_size=2, cpu_budget_seconds=300, teams_lock_at=clock.now() + 2 * HOUR
    )
    now = clock.now()
    phase_create(
        challenge=challenge,
        name="Graded",
        starts_at=now - 3 * HOUR,
        ends_at=now - HOUR,
        late_until=now + HOUR,
        late_penalty_percent=20,
    )
    ada = make_user("ada")
    team = team_create(user=ada, challenge=challenge, name="Pair")
    you = token_client(ada).get(f"/api/challenges/{challenge.slug}/").json()["you"]
    assert you["team"] == {"name": "Pair", "members": ["ada"], "code": team.code}
    assert you["submitting"]["accepted"] and you["submitting"]["late_days"] == 1
    assert you["budget"]["cpu_limit"] == 300 and you["budget"]["cpu_used"] == 0.0
    assert you["locked"] is None

"""A submission held for review: its author sees that it is held, the instructor
sees why and releases it to the boards or disqualifies its author; until then it
ranks nowhere."""

from __future__ import annotations

import pytest

from server.competitions.models import Disqualification
from server.submissions.models import Submission
from tests.support.factories import make_challenge, make_submission, make_user

pytestmark = pytest.mark.django_db
REASON = "Implausible score: the public score 0.999 lies above 0.998"


@pytest.fixture
def held(site):  # type: ignore[no-untyped-def]
    owner = make_user("owner", instructor=True)
    challenge = make_challenge(owner=owner, baselines=())
    ada = make_user("ada")
    submission = make_submission(
        user=ada,
        challenge=challenge,
        state=Submission.State.HELD,
        public=0.999,
        hold_reason=REASON,
        public_low=0.997,
        public_high=1.0,
    )
    make_submission(user=make_user("bob"), challenge=challenge, public=0.8)
    return owner, ada, submission


def _text(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_author_sees_it_held_but_not_why(client, held):
    _, ada, submission = held
    client.force_login(ada)
    html = _text(client, f"/submissions/{submission.id}/")
    assert "Held for review" in html and "0.9990" in html
    assert "95% interval 0.9970 to 1.0000" in html
    assert REASON not in html and "Release to the boards" not in html


def test_a_held_submission_ranks_nowhere_until_released(client, held):
    owner, _, submission = held
    board = f"/challenges/{submission.challenge.slug}/leaderboard/"
    assert 'data-participant="ada"' not in _text(client, board)
    client.force_login(owner)
    assert REASON in _text(client, f"/submissions/{submission.id}/")
    response = client.post(f"/submissions/{submission.id}/release/")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == Submission.State.SCORED
    assert 'data-participant="ada"' in _text(client, board)


def test_disqualifying_from_a_held_submission_bars_its_author_with_the_reason(client, held):
    owner, ada, submission = held
    client.force_login(owner)
    client.post(f"/submissions/{submission.id}/disqualify/")
    barred = Disqualification.objects.get(challenge=submission.challenge, user=ada)
    assert REASON in barred.reason and f"#{submission.id}" in barred.reason
    submission.refresh_from_db()
    assert submission.state == Submission.State.HELD


def test_release_and_disqualify_refuse_what_is_not_held(client, held):
    owner, ada, submission = held
    scored = make_submission(user=ada, challenge=submission.challenge, public=0.7)
    client.force_login(owner)
    client.post(f"/submissions/{scored.id}/release/")
    client.post(f"/submissions/{scored.id}/disqualify/")
    assert not Disqualification.objects.filter(user=ada).exists()

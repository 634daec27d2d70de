"""What the pages show, read through Django's test client."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from server.competitions.models import Challenge, Disqualification, Phase
from server.site import clock
from server.submissions.models import Submission
from tests.support.factories import make_challenge, make_phase, make_submission, make_user
from worker import liveness
from worker.runtimes.build import MARKER

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_landing_is_a_timeline_from_1943_with_upcoming_milestones(client, site):
    challenge = make_challenge("1986-xor-backprop", baselines=(("2-2-1 network", 0.902),))
    ada = make_user("ada")
    make_submission(user=ada, challenge=challenge, public=0.93)
    make_submission(user=make_user("bob"), challenge=challenge, public=0.7)
    client.force_login(ada)
    html = page(client, "/")
    assert html.index("1943") < html.index("1986") < html.index("2012") < html.index("Today")
    assert "McCulloch &amp; Pitts" in html and "AlexNet" in html and "Residual networks" in html
    card = html[html.index('id="challenge-1986-xor-backprop"') :].split("</li>")[0]
    assert "0.9020" in card and "<dd>2</dd>" in card and "<strong>0.9300</strong>" in card
    assert html.count("upcoming</span>") == 13  # every milestone but backpropagation


def test_challenge_page_shows_phase_countdown_and_remaining_submissions(client, site):
    challenge = make_challenge(daily_limit=3)
    make_phase(challenge, name="Graded", starts=-HOUR, ends=dt.timedelta(days=2, hours=3))
    ada = make_user("ada")
    make_submission(user=ada, challenge=challenge, public=0.5)
    client.force_login(ada)
    html = page(client, f"/challenges/{challenge.slug}/")
    assert "Graded</strong> is open" in html and "Deadline in <strong" in html
    assert "2 days 2 h" in html or "2 days 3 h" in html
    assert 'data-remaining="2"' in html and "of 3 submissions left today" in html
    assert 'name="code"' in html and '<label for="id_code">' in html


def test_challenge_page_says_what_a_run_gets(client, site):
    challenge = make_challenge()
    challenge.limits = {**challenge.limits, "output_mb": 16, "tmp_mb": 256}
    challenge.save()
    html = page(client, f"/challenges/{challenge.slug}/")
    facts = html[html.index('class="card run-facts"') :].split("</section>")[0]
    assert "<code>/tmp</code> and <code>/dev/shm</code> (256 MB each, in memory" in facts
    assert "no single file over 256.0\xa0MB" in facts  # RLIMIT_FSIZE: the larger of the two
    assert "<code>python -s main.py</code>" in facts and "numpy==2.3.5" in facts
    # No runtime built where this site looks and no worker up: it says so.
    assert "no worker has reported it to this site" in facts
    assert "no worker is up to say how many now" in facts


def _facts(client, challenge: Challenge) -> str:  # type: ignore[no-untyped-def]
    html = page(client, f"/challenges/{challenge.slug}/")
    return html[html.index('class="card run-facts"') :].split("</section>")[0]


def test_the_run_facts_list_every_package_of_a_runtime_built_here(client, site, settings):
    challenge = make_challenge(runtime="torch")
    marker = {"packages": ["torch==2.14.1"], "installed": ["sympy==1.14.0", "torch==2.14.1"]}
    (settings.RUNTIMES_DIR / "torch").mkdir(parents=True)
    (settings.RUNTIMES_DIR / "torch" / MARKER).write_text(json.dumps(marker))
    facts = _facts(client, challenge)
    assert "numpy==2.3.5, torch==2.14.1, torchvision==0.29.1" in facts  # the pins
    listed = facts[facts.index('<details class="packages">') :].split("</details>")[0]
    assert "dependencies included (2)" in listed
    assert "<li><code>sympy==1.14.0</code></li><li><code>torch==2.14.1</code></li>" in listed


def test_the_run_facts_take_the_list_and_cores_from_a_live_worker(client, site, broker):
    """The site on another machine than the workers: their heartbeats say what
    their runtimes hold and how many cores a run gets."""
    challenge = make_challenge(runtime="torch", gpu="none")
    beat = {"concurrency": 2, "gpus": [], "runtimes": {"torch": ["torch==2.14.1"]}}
    liveness.Heartbeat(name="a@h", queues=["cpu-short"], cpus_per_run=2, **beat).beat()
    facts = _facts(client, challenge)
    assert "<li><code>torch==2.14.1</code></li>" in facts
    assert "<dd>2, pinned to the run;" in facts
    liveness.Heartbeat(name="b@h", queues=["cpu-long"], cpus_per_run=4, **beat).beat()
    liveness.Heartbeat(name="g@h", queues=["gpu-long"], cpus_per_run=8, **beat).beat()
    assert "<dd>2 to 4, pinned to the run, as the worker that takes it has them;" in _facts(
        client, challenge
    )  # not the GPU worker's 8: this challenge never goes there


def test_challenge_page_explains_why_submissions_are_closed(client, site):
    challenge = make_challenge()
    make_phase(challenge, name="Graded", starts=-5 * HOUR, ends=-HOUR)
    client.force_login(make_user("ada"))
    html = page(client, f"/challenges/{challenge.slug}/")
    assert "Submissions are closed: Graded ended" in html and 'name="code"' not in html


def test_a_closed_challenge_refuses_uploads_with_the_reason(client, site):
    challenge = make_challenge()
    make_phase(challenge, name="Graded", starts=HOUR, ends=5 * HOUR)
    client.force_login(make_user("ada"))
    response = client.post(
        f"/challenges/{challenge.slug}/submit/",
        {"code": SimpleUploadedFile("main.py", b"print(1)")},
        follow=True,
    )
    assert (
        "Submissions are not open yet. The next phase, Graded, opens" in response.content.decode()
    )
    assert not Submission.objects.exists()


def test_submission_page_shows_status_log_tail_and_full_log(client, site):
    challenge = make_challenge()
    ada = make_user("ada")
    log = "\n".join(f"line {i}" for i in range(100))
    failed = make_submission(
        user=ada,
        challenge=challenge,
        state="failed",
        log_tail=log,
        failure_reason="Your program exited with code 1 (see the log below).",
    )
    client.force_login(ada)
    html = page(client, f"/submissions/{failed.id}/")
    assert "Your program exited with code 1" in html
    assert "line 99" in html and "line 59" not in html and "(last 40 lines)" in html
    assert f'href="/submissions/{failed.id}/log/"' in html
    full = client.get(f"/submissions/{failed.id}/log/")
    assert full["Content-Type"].startswith("text/plain") and b"line 0\n" in full.content
    assert "hx-trigger" not in html  # final: no polling
    assert "print(&#x27;hello&#x27;)" in html  # the code, escaped


def test_a_running_submission_polls_and_shows_elapsed_time(client, site):
    challenge = make_challenge()
    ada = make_user("ada")
    running = make_submission(
        user=ada,
        challenge=challenge,
        state="running",
        started_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=75),
    )
    client.force_login(ada)
    html = page(client, f"/submissions/{running.id}/status/")
    assert 'hx-trigger="every 2s"' in html and "running for 1 min 1" in html
    whole = page(client, f"/submissions/{running.id}/")
    # The status is fetched on each change by an element its swaps never replace.
    follower = re.search(r"<span hidden data-status-follower [^>]*>", whole)
    assert follower and 'hx-trigger="sse:changed"' in follower.group(0)


def test_private_score_and_board_are_revealed_when_the_phase_ends(client, site):
    owner = make_user("owner", instructor=True)
    challenge = make_challenge(owner=owner, baselines=())
    phase = make_phase(challenge, name="Graded", starts=-HOUR, ends=HOUR)
    ada, bob = make_user("ada"), make_user("bob")
    mine = make_submission(user=ada, challenge=challenge, public=0.9, private=0.61)
    make_submission(user=bob, challenge=challenge, public=0.8, private=0.97)
    board = f"/challenges/{challenge.slug}/leaderboard/?board=private"

    client.force_login(ada)
    before = page(client, board)
    assert "revealed when Graded ends" in before and "0.9700" not in before
    assert "0.6100" not in page(client, f"/submissions/{mine.id}/")
    client.force_login(owner)
    staff_view = page(client, board)
    assert staff_view.index('data-participant="bob"') < staff_view.index('data-participant="ada"')
    assert "Only instructors see this board" in staff_view

    with clock.travelled(to=phase.ends_at + dt.timedelta(seconds=1)):
        client.force_login(ada)
        after = page(client, board)
        assert "0.9700" in after
        assert after.index('data-participant="bob"') < after.index('data-participant="ada"')
        assert "revealed when" not in after
        assert 'data-private-score="0.61"' in page(client, f"/submissions/{mine.id}/")
        client.force_login(owner)
        assert "Only instructors see this board" not in page(client, board)


def test_challenge_without_phases_keeps_its_private_board_for_instructors(client, site):
    challenge = make_challenge()
    make_submission(user=make_user("ada"), challenge=challenge, public=0.9, private=0.123)
    html = page(client, f"/challenges/{challenge.slug}/leaderboard/?board=private")
    assert "no deadline" in html and "0.1230" not in html


def test_leaderboard_marks_baselines_you_and_draws_the_chart(client, site):
    challenge = make_challenge()
    now = clock.now()
    ada, bob = make_user("ada"), make_user("bob")
    make_submission(user=ada, challenge=challenge, public=0.6, created_at=now - 30 * HOUR)
    make_submission(user=ada, challenge=challenge, public=0.95, created_at=now - HOUR)
    make_submission(user=bob, challenge=challenge, public=0.7, created_at=now - 2 * HOUR)
    client.force_login(ada)
    html = page(client, f"/challenges/{challenge.slug}/leaderboard/")
    assert html.count('data-baseline="1"') == 2 and 'class="you"' in html
    assert "<svg" in html and 'role="img"' in html and "Best score over time" in html
    assert "improved 2 times" in html and "<title>ada</title>" in html
    # No ranking of this board a day old exists yet: no move is claimed.
    assert "no ranking a day old to compare with yet" in html and 'class="new"' not in html


def test_instructor_exports_the_boards_as_csv(client, site):
    owner = make_user("owner", instructor=True)
    challenge = make_challenge(owner=owner)
    make_submission(user=make_user("ada"), challenge=challenge, public=0.95, private=0.91)
    client.force_login(owner)
    response = client.get(f"/challenges/{challenge.slug}/leaderboard.csv?board=private")
    assert response["Content-Disposition"].endswith('-private.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["rank"], r["participant"], r["baseline"]) for r in rows] == [
        ("1", "ada", ""),
        ("", "", "Historic result"),
        ("", "", "Chance"),
    ]
    assert rows[0]["private_score"] == "0.91"


def test_instructor_manages_phases_rules_disqualifications_and_rescoring(client, site):
    owner = make_user("owner", instructor=True)
    challenge = make_challenge(owner=owner)
    ada = make_user("ada")
    make_submission(user=ada, challenge=challenge, public=0.9)
    client.force_login(owner)
    base = f"/instructor/challenges/{challenge.slug}"
    client.post(
        f"{base}/phases/",
        {"name": "Graded", "starts_at": "2020-01-01T00:00", "ends_at": "2099-01-01T00:00"},
    )
    assert Phase.objects.get(challenge=challenge).name == "Graded"
    overlap = client.post(
        f"{base}/phases/",
        {"name": "Again", "starts_at": "2030-01-01T00:00", "ends_at": "2031-01-01T00:00"},
        follow=True,
    )
    assert "overlaps the phase" in overlap.content.decode()
    client.post(f"{base}/rules/", {"daily_limit": "7", "max_final": "3"})
    challenge.refresh_from_db()
    assert (challenge.daily_limit, challenge.max_final, challenge.is_published) == (7, 3, False)
    client.post(f"{base}/disqualify/", {"username": "ada", "reason": "shared the hidden labels"})
    assert Disqualification.objects.filter(challenge=challenge, user=ada).exists()
    assert 'data-participant="ada"' not in page(
        client, f"/challenges/{challenge.slug}/leaderboard/"
    )
    unconfirmed = client.post(f"{base}/rescore/", {}, follow=True)
    assert "Tick the box" in unconfirmed.content.decode()
    done = client.post(f"{base}/rescore/", {"confirm": "on"}, follow=True).content.decode()
    assert "1 submission will be run again" in done
    assert Submission.objects.get().state == "pending"


def test_uploading_a_bad_bundle_lists_every_problem(client, site):
    teacher = make_user("teacher", instructor=True)
    client.force_login(teacher)
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "challenge.toml",
            'slug = "1999-bad"\ntitle = "Bad"\nyear = 1999\n'
            'runtime = "numpy"\n[grading]\nmetric = "vibes"\n',
        )
        archive.writestr("../../escape.txt", "x")
    response = client.post(
        "/instructor/upload/", {"bundle": SimpleUploadedFile("b.zip", buffer.getvalue())}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "missing file README.md" in html and "missing file prepare.py" in html
    assert "vibes" in html and "unsafe path in the zip" in html and "Nothing was created" in html
    assert not Challenge.objects.filter(slug="1999-bad").exists()


def test_my_submissions_lists_every_challenge(client, site):
    ada = make_user("ada")
    for slug in ("1986-first-one", "1998-second-one"):
        make_submission(user=ada, challenge=make_challenge(slug), public=0.5)
    make_submission(user=make_user("bob"), challenge=Challenge.objects.first(), public=0.1)
    client.force_login(ada)
    html = page(client, "/me/submissions/")
    assert "first-one" in html and "second-one" in html and html.count("state-scored") == 2


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_cost_the_same_queries_at_any_size(client, site):
    challenge = make_challenge()
    make_phase(challenge, name="Graded", starts=-50 * HOUR, ends=50 * HOUR)
    ada = make_user("ada")
    client.force_login(ada)
    urls = [
        f"/challenges/{challenge.slug}/",
        f"/challenges/{challenge.slug}/leaderboard/",
        f"/challenges/{challenge.slug}/leaderboard/?board=private",
        "/",
    ]

    def populate(participants: int) -> None:
        for n in range(participants):
            user = make_user(f"p{participants}-{n}")
            for k in range(3):
                make_submission(
                    user=user,
                    challenge=challenge,
                    public=(n + k) / 100,
                    created_at=clock.now() - (k * 20 + 1) * HOUR,
                )

    populate(3)
    for url in urls:  # the board's hourly ranking snapshot is taken on its first view
        client.get(url)
    small = [_queries(client, url) for url in urls]
    populate(30)
    assert [_queries(client, url) for url in urls] == small


def test_the_dqn_milestone_is_open_on_the_timeline_and_its_page_renders(
    client, site, load_challenge
):
    load_challenge("2013-dqn-cartpole")
    html = page(client, "/")
    card = html[html.index('id="challenge-2013-dqn-cartpole"') :].split("</li>")[0]
    assert "Deep Q-learning balances a pole" in card and "upcoming" not in card
    assert "Mnih et al." in card and "Deep Q-learning <span" not in html  # no upcoming card
    assert html.count("upcoming</span>") == 13  # every milestone but deep Q-learning
    challenge_page = page(client, "/challenges/2013-dqn-cartpole/")
    assert "Playing Atari with Deep Reinforcement Learning" in challenge_page
    assert "cartpole.py" in challenge_page and "local_eval.py" in challenge_page

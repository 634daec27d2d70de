"""A small course, end to end, in the browser with a real worker: an instructor
makes the course, sets the grading rule, imports a roster, grants an extension
and announces; students (one invited before they had an account) join, form a
team, submit on time, late and past their budget; the gradebook CSV is read back
and checked cell by cell."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core import mail

from server.accounts.models import User
from server.competitions.models import Challenge, Phase
from server.site import clock
from server.submissions.models import Submission
from tests.support.browser import log_in
from tests.support.factories import PASSWORD, make_submission
from tests.support.paths import REPO

REFERENCE = REPO / "challenges" / "1986-xor-backprop" / "reference" / "main.py"
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
STUDENTS = ("ada", "bob", "cy", "dan")
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")


def _submit_and_wait_scored(page, url: str, slug: str) -> Submission:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/challenges/{slug}/")
    page.get_by_label("main.py or a .zip").set_input_files(str(REFERENCE))
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(f"{url}/submissions/*/")
    page.locator('[data-state="scored"]').wait_for(timeout=120_000)
    return Submission.objects.get(id=int(page.url.rstrip("/").split("/")[-1]))


def _grade(score: float | None, *, late_days: int = 0) -> str:
    """The course's rule, written out: 0 points at 0.5, 50 at 1.0, 10% off a day late."""
    if score is None:
        return "0.00"
    share = min(max((score - 0.5) / 0.5, 0.0), 1.0)
    return f"{round(50 * share * (1 - 0.1 * late_days), 2):.2f}"


@pytest.fixture
def setting(xor_challenge: Challenge):  # type: ignore[no-untyped-def]
    """The XOR challenge in a course's shape: teams of two, a CPU budget of 100 s a
    day, a graded phase that ended an hour ago with late submissions for two more
    days at 10% a day; four students with accounts, one of whom spent his budget."""
    now = clock.now()
    prof = User.objects.create_user("prof", password=PASSWORD, is_instructor=True)
    Challenge.objects.filter(pk=xor_challenge.pk).update(
        owner=prof,
        team_size=2,
        teams_lock_at=now + DAY,
        cpu_budget_seconds=100,
        budget_period="day",
    )
    phase = Phase.objects.create(
        challenge=xor_challenge,
        name="Graded",
        starts_at=now - 2 * DAY,
        ends_at=now - HOUR,
        late_until=now + 2 * DAY,
        late_penalty_percent=10,
    )
    for name in STUDENTS:
        User.objects.create_user(name, email=f"{name}@example.org", password=PASSWORD)
    make_submission(
        user=User.objects.get(username="dan"),
        challenge=xor_challenge,
        public=0.62,
        private=0.6,
        created_at=now - DAY,
        phase=phase,
        cpu_seconds=100.0,
        wall_seconds=100.0,
        finished_at=now - 2 * HOUR,
    )
    return xor_challenge, phase


def test_a_course_from_roster_to_gradebook(browser_page, shoot, live_server, setting, start_worker):
    challenge, phase = setting
    page, url = browser_page, live_server.url
    start_worker()

    # The instructor makes the course and its rule.
    log_in(page, url, "prof")
    page.get_by_role("link", name="Courses").click()
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Title").fill("Deep Learning 101")
    page.get_by_role("button", name="Create the course").click()
    page.wait_for_url(f"{url}/courses/deep-learning-101/manage/")
    page.get_by_label("Add a challenge").select_option(challenge.slug)
    page.get_by_role("button", name="Add to the course").click()
    rules = page.locator("details.step-rules").first
    if rules.get_attribute("open") is None:
        rules.locator("summary").click()
    page.get_by_label("Score for 0 points").fill("0.5")
    page.get_by_label("Score for every point").fill("1.0")
    page.get_by_label("Points", exact=True).fill("50")
    page.get_by_label("Graded phase").select_option(label="Graded")
    page.get_by_role("button", name="Save", exact=True).first.click()
    assert page.get_by_text(f"{challenge.title}: saved.").is_visible()
    join_code = page.locator("[data-join-code]").inner_text()
    shoot(page, "manage")

    # A roster: four accounts enrolled, one address invited.
    page.locator("nav.tabs").get_by_role("link", name="Roster").click()
    roster = "Name,Email address\n" + "".join(f"{n},{n}@example.org\n" for n in STUDENTS)
    page.get_by_label("Paste the roster").fill(
        roster + "Eve,eve@example.org\nTypo,eve-at-example\n"
    )
    page.get_by_role("button", name="Import").click()
    result = page.locator("[data-enrolled]")
    assert (result.get_attribute("data-enrolled"), result.get_attribute("data-invited")) == (
        "4",
        "1",
    )
    assert page.get_by_text("line 7: no valid email address").is_visible()
    shoot(page, "roster")

    # An extension for ada, an announcement for everyone.
    page.locator("nav.tabs").get_by_role("link", name="Extensions").click()
    page.get_by_label("Phase").select_option(label=f"{challenge.title} — Graded")
    page.get_by_label("Student (username)").fill("ada")
    page.get_by_label("New deadline (UTC)").fill(_when(clock.now() + DAY))
    page.get_by_label("Reason (for your records)").fill("a doctor's note")
    page.get_by_role("button", name="Grant").click()
    assert page.get_by_text("Extension granted to ada.").is_visible()
    shoot(page, "extensions")
    page.locator("nav.tabs").get_by_role("link", name="Manage").click()
    page.locator("#announce").get_by_label("Title").fill("Late window open")
    page.get_by_label("Text").fill("Late submissions lose 10% a day.")
    page.get_by_role("button", name="Post and email").click()
    assert sorted(m.to[0] for m in mail.outbox) == [f"{n}@example.org" for n in STUDENTS]

    # Eve signs up with the invited address: she is enrolled.
    page.context.clear_cookies()
    page.goto(url + "/accounts/signup/")
    page.get_by_label("Username").fill("eve")
    page.get_by_label("Email address").fill("eve@example.org")
    page.locator("#id_password1").fill("a-long-passphrase-42")
    page.locator("#id_password2").fill("a-long-passphrase-42")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(url + "/")
    page.get_by_role("link", name="Courses").click()
    assert page.get_by_role("link", name="Deep Learning 101").is_visible()

    # Ada, extended, submits on time.
    log_in(page, url, "ada")
    page.goto(f"{url}/courses/deep-learning-101/")
    assert page.get_by_text("Late window open").is_visible()
    shoot(page, "course-as-student")
    page.goto(f"{url}/challenges/{challenge.slug}/")
    assert page.get_by_text("your extension runs on").is_visible()
    ada_run = _submit_and_wait_scored(page, url, challenge.slug)
    assert (ada_run.late_days, ada_run.phase_id, ada_run.team_id) == (0, phase.id, None)

    # Cy makes a team, bob joins it with its code and submits: a day late.
    log_in(page, url, "cy")
    page.goto(f"{url}/challenges/{challenge.slug}/")
    assert page.locator("[data-late]").first.get_attribute("data-late") == "1"
    page.get_by_label("Team name").fill("Pair")
    page.get_by_role("button", name="Create a team").click()
    code = page.locator("[data-team-code]").inner_text()
    shoot(page, "team-made")
    log_in(page, url, "bob")
    page.goto(f"{url}/challenges/{challenge.slug}/")
    page.get_by_label("Code from a team's member").fill(code)
    page.get_by_role("button", name="Join the team").click()
    assert page.get_by_text("You joined Pair.").is_visible()
    team_run = _submit_and_wait_scored(page, url, challenge.slug)
    assert team_run.late_days == 1 and team_run.team is not None and team_run.team.name == "Pair"

    # Dan spent his CPU budget: the page says so and offers no upload.
    log_in(page, url, "dan")
    page.goto(f"{url}/challenges/{challenge.slug}/")
    assert page.get_by_text("Your CPU budget here is spent").is_visible()
    assert page.get_by_label("main.py or a .zip").count() == 0
    assert page.locator("[data-cpu-used]").get_attribute("data-cpu-used") == "100"
    shoot(page, "budget-spent")

    # The gradebook, on the page and read back from its CSVs.
    log_in(page, url, "prof")
    page.goto(f"{url}/courses/deep-learning-101/gradebook/")
    shoot(page, "gradebook")
    assert join_code
    lines = list(
        csv.reader(
            io.StringIO(page.request.get(f"{url}/courses/deep-learning-101/gradebook.csv").text())
        )
    )
    heading = f"{challenge.title} ({challenge.slug})"
    ada, team = ada_run.private_score, team_run.private_score
    team_grade = _grade(team, late_days=1)
    assert lines == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", heading, "Total"],
        ["Points Possible", "", "", "", "", "50", "50"],
        ["ada", "", "ada", "ada@example.org", "Deep Learning 101", _grade(ada), _grade(ada)],
        ["bob", "", "bob", "bob@example.org", "Deep Learning 101", team_grade, team_grade],
        ["cy", "", "cy", "cy@example.org", "Deep Learning 101", team_grade, team_grade],
        ["dan", "", "dan", "dan@example.org", "Deep Learning 101", "10.00", "10.00"],
        ["eve", "", "eve", "eve@example.org", "Deep Learning 101", "0.00", "0.00"],
    ]
    detail = {
        row["username"]: row
        for row in csv.DictReader(
            io.StringIO(
                page.request.get(f"{url}/courses/deep-learning-101/gradebook-detail.csv").text()
            )
        )
    }
    key = challenge.slug
    ranked = sorted(
        [("ada", ada, ada_run.id), ("Pair", team, team_run.id), ("dan", 0.6, 0)],
        key=lambda e: (-e[1], e[2]),
    )
    rank = {name: str(i) for i, (name, _, _) in enumerate(ranked, start=1)}
    assert [detail[n][f"{key} rank"] for n in ("ada", "bob", "cy", "dan", "eve")] == [
        rank["ada"],
        rank["Pair"],
        rank["Pair"],
        rank["dan"],
        "",
    ]
    assert [detail[n][f"{key} late_days"] for n in ("ada", "bob", "cy", "dan", "eve")] == [
        "0",
        "1",
        "1",
        "0",
        "0",
    ]
    assert [detail[n][f"{key} team"] for n in ("ada", "bob", "cy")] == ["", "Pair", "Pair"]
    assert detail["ada"][f"{key} final_private"] == repr(ada)
    assert detail["ada"][f"{key} beat"] == ("yes" if ada >= 0.902 else "no")
    assert detail["dan"][f"{key} final_public"] == "0.62"

"""Every page the courses, teams, deadlines and budgets added, as a student and as
an instructor, at desktop and phone width: each renders what it should, fits its
width and keeps to the Content-Security-Policy. Screenshots land in screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest

from server.accounts.models import User
from server.competitions.models import Extension
from server.competitions.services import phase_create
from server.courses.services import (
    StepRules,
    announcement_post,
    course_create,
    course_join,
    roster_import,
    step_add,
    step_update,
)
from server.site import clock
from server.submissions.services import regrade_answer, regrade_request
from server.teams.services import team_create, team_join
from tests.support.browser import log_in
from tests.support.factories import PASSWORD, make_challenge, make_submission

pytestmark = [pytest.mark.django_db(transaction=True)]
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.fixture
def course_world(platform_settings):  # type: ignore[no-untyped-def]
    """A course of two challenges, the second behind the first; a late window, an
    extension, a team, a budget, a roster with an invitation, announcements and a
    regrade request answered and one open."""
    prof = User.objects.create_user("prof", password=PASSWORD, is_instructor=True, email="p@x.org")
    users = {
        n: User.objects.create_user(n, password=PASSWORD, email=f"{n}@example.org")
        for n in ("ada", "bob", "cy")
    }
    now = clock.now()
    xor = make_challenge(
        "1986-xor",
        owner=prof,
        team_size=2,
        teams_lock_at=now + DAY,
        cpu_budget_seconds=600,
        budget_period="week",
        baselines=(("Linear model", 0.49), ("2-2-1 network, 1986", 0.90)),
    )
    lstm = make_challenge("1997-lstm", owner=prof, year=1997, direction="lower")
    phase = phase_create(
        challenge=xor,
        name="Graded",
        starts_at=now - 3 * DAY,
        ends_at=now - HOUR,
        late_until=now + 2 * DAY,
        late_penalty_percent=10,
    )
    course = course_create(by=prof, title="Deep Learning 101", description="Mondays, room 2.")
    first, second = step_add(course=course, challenge=xor), step_add(course=course, challenge=lstm)
    step_update(
        step=second,
        rules=StepRules(
            prerequisite_id=first.pk,
            unlock="beat",
            phase_id=None,
            zero_at=None,
            full_at=None,
            points=50,
        ),
    )
    roster_import(course=course, text="email\nada@example.org\nbob@example.org\ndee@example.org\n")
    course_join(user=users["cy"], code=course.join_code)
    Extension.objects.create(phase=phase, user=users["ada"], ends_at=now + DAY, reason="ill")
    team = team_create(user=users["bob"], challenge=xor, name="Gradient Descenders")
    team_join(user=users["cy"], challenge=xor, code=team.code)
    ran = make_submission(
        user=users["ada"],
        challenge=xor,
        public=0.85,
        private=0.8,
        phase=phase,
        created_at=now - DAY,
        cpu_seconds=42.0,
        finished_at=now - DAY,
    )
    make_submission(
        user=users["bob"],
        challenge=xor,
        public=0.95,
        private=0.93,
        phase=phase,
        team=team,
        created_at=now - HOUR / 2,
        late_days=1,
        cpu_seconds=12.0,
        finished_at=now - HOUR / 3,
    )
    answered = regrade_request(
        user=users["ada"], submission=ran, text="The seed changed between runs?"
    )
    regrade_answer(
        request=answered,
        by=prof,
        answer="Seeds are fixed per submission: it stands.",
        rescore=False,
    )
    later = make_submission(
        user=users["ada"], challenge=xor, public=0.86, private=0.81, phase=phase
    )
    regrade_request(user=users["ada"], submission=later, text="Is the public split balanced?")
    announcement_post(by=prof, course=course, title="Late window open", body="Ten percent a day.")
    announcement_post(by=prof, challenge=xor, title="Grader fixed", body="Every run was rescored.")
    return {"course": course, "xor": xor, "ran": ran}


@pytest.mark.parametrize("width", WIDTHS)
def test_every_new_page_at_desktop_and_phone_width(
    chromium_browser, shoot, live_server, course_world, width: str
):
    url, slug, xor = live_server.url, course_world["course"].slug, course_world["xor"].slug
    context = chromium_browser.new_context(viewport=WIDTHS[width], is_mobile=width == "phone")
    violations: list[str] = []
    page = context.new_page()
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )

    log_in(page, url, "ada")
    page.goto(f"{url}/courses/")
    assert page.get_by_role("link", name="Deep Learning 101").is_visible()
    shoot(page, f"{width}-courses-student")
    page.goto(f"{url}/courses/{slug}/")
    assert page.locator('[data-step="1997-lstm"] [data-locked]').is_visible()
    assert page.get_by_text("unlocks once you beat 2-2-1 network, 1986").is_visible()
    shoot(page, f"{width}-course-student")
    page.goto(f"{url}/challenges/{xor}/")
    assert page.get_by_text("your extension runs on").is_visible()
    assert (
        page.get_by_text("Grader fixed").is_visible()
        and page.get_by_text("Late window open").is_visible()
    )
    assert page.locator("[data-cpu-used]").inner_text() == "42 of 600 CPU seconds"
    shoot(page, f"{width}-challenge-extended")
    page.goto(f"{url}/submissions/{course_world['ran'].id}/")
    assert page.get_by_text("Seeds are fixed per submission").is_visible()
    shoot(page, f"{width}-submission-regrade-answered")
    page.goto(f"{url}/accounts/profile/")
    assert page.get_by_label("Email me when a run that took more than 5 minutes ends").is_checked()
    shoot(page, f"{width}-profile")

    log_in(page, url, "cy")
    page.goto(f"{url}/challenges/{xor}/")
    assert page.locator("[data-team]").inner_text() == "Gradient Descenders"
    assert page.locator("[data-late]").first.get_attribute("data-late") == "1"
    shoot(page, f"{width}-challenge-team-late")
    page.goto(f"{url}/challenges/{xor}/leaderboard/")
    row = page.locator('tr[data-participant="Gradient Descenders"]')
    assert "you" in (row.get_attribute("class") or "") and row.locator("[data-late]").is_visible()
    shoot(page, f"{width}-leaderboard-team-late")

    log_in(page, url, "prof")
    for path, name, check in (
        ("/courses/", "courses-instructor", "New course"),
        ("/courses/new/", "course-new", "Create the course"),
        (f"/courses/{slug}/manage/", "course-manage", "Post and email"),
        (f"/courses/{slug}/roster/", "course-roster", "dee@example.org"),
        (f"/courses/{slug}/extensions/", "course-extensions", "Grant one"),
        (f"/courses/{slug}/regrades/", "course-regrades", "Is the public split balanced?"),
        (f"/courses/{slug}/gradebook/", "course-gradebook", "grades for Canvas or Moodle"),
        (f"/instructor/challenges/{xor}/", "manage-challenge", "Grant an extension"),
    ):
        page.goto(url + path)
        assert page.get_by_text(check).first.is_visible(), path
        shoot(page, f"{width}-{name}")
    context.close()
    assert not violations, violations

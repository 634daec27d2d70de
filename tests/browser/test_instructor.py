"""An instructor's evening: the dashboard, a phase created from the site, the
private board they alone see before the deadline, every submission's code and
log, and a broken bundle refused with every problem listed."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from server.site import clock
from tests.support.browser import log_in
from tests.support.factories import make_submission, make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_instructor_creates_a_phase_and_sees_the_private_board(
    browser_page, shoot, live_server, xor_challenge, tmp_path, settings
):
    page, url = browser_page, live_server.url
    settings.UPLOADED_BUNDLES_DIR = tmp_path / "bundles"
    teacher = make_user("teacher", instructor=True)
    xor_challenge.owner = teacher
    xor_challenge.save()
    now = clock.now()
    scores = {"ada": (0.95, 0.62), "bob": (0.91, 0.97), "cy": (0.70, 0.71)}
    for name, (public, private) in scores.items():
        make_submission(
            user=make_user(name),
            challenge=xor_challenge,
            public=public,
            private=private,
            created_at=now - dt.timedelta(minutes=30),
            log_tail=f"{name}: epoch 1 loss 0.69\n{name}: done",
        )

    log_in(page, url, "teacher")
    page.get_by_role("link", name="Instructor").click()
    assert page.get_by_role("link", name="1986 · XOR, solved by backpropagation").is_visible()
    shoot(page, "dashboard")
    page.get_by_role("link", name="1986 · XOR, solved by backpropagation").click()
    shoot(page, "manage")

    starts, ends = now - dt.timedelta(hours=2), now + dt.timedelta(days=3)
    page.get_by_label("Phase name").fill("Graded")
    page.get_by_label("Starts (UTC)").fill(starts.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends (UTC)").fill(ends.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Add phase").click()
    assert page.get_by_text("Phase 'Graded' added.").is_visible()
    assert xor_challenge.phases.get().name == "Graded"
    shoot(page, "phase-added")

    page.get_by_role("link", name="Private board").click()
    rows = page.locator("tr[data-participant]")
    assert [rows.nth(i).get_attribute("data-participant") for i in range(3)] == ["bob", "cy", "ada"]
    assert page.get_by_text("Only instructors see this board").is_visible()
    assert page.get_by_role("link", name="Graded").is_visible() or page.locator(".tabs").count()
    shoot(page, "private-board")

    page.locator('tr[data-participant="bob"] a').click()
    assert page.get_by_text("bob: done").is_visible()
    assert page.get_by_role("button", name="Rescore").is_visible()
    shoot(page, "any-submission")

    page.goto(url + "/instructor/upload/")
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr(
            "challenge.toml",
            'slug = "1958-broken"\ntitle = "Broken"\nyear = 1958\n'
            'runtime = "numpy"\n[grading]\nmetric = "vibes"\n',
        )
        archive.writestr("../outside.txt", "no")
    bundle = tmp_path / "broken.zip"
    bundle.write_bytes(broken.getvalue())
    page.get_by_label("Challenge bundle (.zip)").set_input_files(str(bundle))
    page.get_by_role("button", name="Upload", exact=True).click()
    problems = page.locator(".problems li")
    assert problems.count() >= 4
    assert page.get_by_text("Nothing was created or changed.").is_visible()
    shoot(page, "upload-refused")

    student = page.context.browser.new_context()
    student_page = student.new_page()
    log_in(student_page, url, "ada")
    student_page.goto(f"{url}/challenges/{xor_challenge.slug}/leaderboard/?board=private")
    assert student_page.get_by_text("revealed when Graded ends").is_visible()
    assert student_page.locator("tr[data-participant]").count() == 0
    shoot(student_page, "private-board-as-student")
    student_page.goto(f"{url}/challenges/{xor_challenge.slug}/")
    assert student_page.get_by_text("Deadline in").is_visible()
    shoot(student_page, "challenge-with-deadline")
    student.close()

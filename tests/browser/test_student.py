"""A student's evening: sign up, read the challenge, submit, watch the run end
scored without reloading the page, find themself on the leaderboard; the same
pages on a phone, by keyboard, and without JavaScript."""

from __future__ import annotations

import pytest

from tests.support.paths import REPO

REFERENCE = REPO / "challenges" / "1986-xor-backprop" / "reference" / "main.py"
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_student_signs_up_submits_watches_it_scored_and_finds_themself(
    browser_page, shoot, live_server, xor_challenge, start_worker
):
    page, url = browser_page, live_server.url
    start_worker()
    page.goto(url + "/")
    assert page.locator(f"#challenge-{xor_challenge.slug}").is_visible()
    assert page.get_by_text("McCulloch & Pitts").is_visible()
    shoot(page, "landing")

    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Email address").fill("grace@example.org")
    page.locator("#id_password1").fill("a-long-passphrase-42")
    page.locator("#id_password2").fill("a-long-passphrase-42")
    shoot(page, "signup")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(url + "/")
    assert page.get_by_text("grace").first.is_visible()

    page.goto(f"{url}/challenges/{xor_challenge.slug}/")
    assert page.get_by_role("link", name="Download the data").is_visible()
    shoot(page, "challenge")
    page.get_by_label("main.py or a .zip").set_input_files(str(REFERENCE))
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(f"{url}/submissions/*/")
    page.evaluate("window.notReloaded = true")
    shoot(page, "submission-waiting")

    page.locator('[data-state="scored"]').wait_for(timeout=120_000)
    assert page.evaluate("window.notReloaded === true"), "the page reloaded"
    score = float(page.locator("[data-score]").get_attribute("data-score") or "nan")
    assert score > 0.9
    shoot(page, "submission-scored")

    page.get_by_role("link", name="Leaderboard").first.click()
    row = page.locator('tr[data-participant="grace"]')
    assert row.is_visible() and "you" in (row.get_attribute("class") or "")
    assert page.locator("tr.baseline").count() == xor_challenge.baselines.count()
    assert page.locator("figure.chart svg[role=img]").is_visible()
    shoot(page, "leaderboard")

    page.get_by_role("link", name="My submissions").click()
    page.wait_for_url("**/me/submissions/")
    page.wait_for_load_state()  # the URL changes before the new document is there
    assert page.locator("td .state-scored").count() == 1
    shoot(page, "my-submissions")


def test_pages_read_on_a_phone_by_keyboard_and_without_javascript(
    chromium_browser, shoot, live_server, xor_challenge
):
    from server.submissions.models import Submission
    from tests.support.factories import make_submission, make_user

    for n, score in enumerate((0.95, 0.9, 0.7)):
        make_submission(user=make_user(f"student{n}"), challenge=xor_challenge, public=score)
    assert Submission.objects.count() == 3
    pages = [
        "/",
        f"/challenges/{xor_challenge.slug}/",
        f"/challenges/{xor_challenge.slug}/leaderboard/",
    ]

    phone = chromium_browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = phone.new_page()
    for path, name in zip(pages, ("landing", "challenge", "leaderboard"), strict=True):
        page.goto(live_server.url + path)
        shoot(page, f"phone-{name}")  # also checks that nothing scrolls sideways
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    phone.close()

    plain = chromium_browser.new_context(java_script_enabled=False)
    page = plain.new_page()
    page.goto(live_server.url + pages[2])
    assert page.locator("tr[data-participant]").count() == 3
    page.goto(live_server.url + pages[1])
    assert page.get_by_role("link", name="Download the data").is_visible()
    shoot(page, "no-javascript-challenge")
    plain.close()

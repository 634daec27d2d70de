"""Cancelling asks first (with and without JavaScript), the question stays open
while the page updates itself, and the log of what ran arrives after the cancel
without a reload; a run cut short by the warning before its time limit says so,
and the challenge page tells how to catch the warning. Desktop and phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from server.submissions import lifecycle
from tests.support.browser import log_in
from tests.support.factories import make_submission, make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def _running(user, challenge):  # type: ignore[no-untyped-def]
    now = timezone.now()
    return make_submission(
        user=user,
        challenge=challenge,
        state="running",
        attempt=1,
        queued_at=now - dt.timedelta(seconds=20),
        started_at=now - dt.timedelta(seconds=12),
        lease_owner="worker-1",
        lease_expires_at=now + dt.timedelta(hours=1),
    )


def test_cancel_asks_first_stays_asked_while_the_page_updates_and_keeps_the_log(
    browser_page, shoot, live_server, xor_challenge
):
    page, url = browser_page, live_server.url
    grace = make_user("grace")
    submission = _running(grace, xor_challenge)
    log_in(page, url, "grace")
    page.goto(f"{url}/submissions/{submission.id}/")
    page.evaluate("window.notReloaded = true")
    question = page.get_by_text("Stop this run? It is not charged")
    assert not question.is_visible()

    page.get_by_text("Cancel", exact=True).click()
    assert question.is_visible()
    before = page.locator("[data-elapsed]").inner_text()
    # The running page swaps its status in every 2 s: the open question must survive.
    page.wait_for_function(
        "before => document.querySelector('[data-elapsed]').textContent !== before",
        arg=before,
        timeout=10_000,
    )
    assert question.is_visible(), "a live update closed the question"
    shoot(page, "cancel-asked")

    page.get_by_role("button", name="Yes, stop it").click()
    page.locator('[data-state="cancelled"]').wait_for()
    assert page.get_by_text(f"Submission #{submission.id} is cancelled").is_visible()
    assert page.locator("[data-stopping]").is_visible()
    page.evaluate("window.notReloaded = true")
    # The worker's next tick stops the run and keeps what it printed.
    lifecycle.record_cancelled_run(
        submission_id=submission.id,
        attempt=1,
        facts=lifecycle.RunFacts(
            sandbox_status="cancelled",
            wall_seconds=12.6,
            cpu_seconds=11.9,
            peak_memory_bytes=80 << 20,
            log_tail="epoch 1/10: loss 0.91\nepoch 2/10: loss 0.52\n",
        ),
    )
    page.locator("pre.log", has_text="epoch 2/10: loss 0.52").wait_for(timeout=10_000)
    assert page.evaluate("window.notReloaded === true"), "the page reloaded"
    assert page.locator("[data-stopping]").count() == 0
    shoot(page, "cancelled-with-its-log")


def test_cancel_asks_first_without_javascript_and_on_a_phone(
    chromium_browser, shoot, live_server, xor_challenge
):
    grace = make_user("grace")
    queued = make_submission(
        user=grace, challenge=xor_challenge, state="queued", queued_at=timezone.now()
    )
    plain = chromium_browser.new_context(java_script_enabled=False, **PHONE)
    page = plain.new_page()
    log_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/submissions/{queued.id}/")
    page.get_by_text("Cancel", exact=True).click()
    assert page.get_by_text("Cancel this submission before it runs?").is_visible()
    shoot(page, "phone-no-js-cancel-asked")
    page.get_by_role("button", name="Yes, cancel it").click()
    assert page.locator('[data-state="cancelled"]').is_visible()
    shoot(page, "phone-no-js-cancelled")
    plain.close()
    queued.refresh_from_db()
    assert queued.state == "cancelled"

    running = _running(grace, xor_challenge)
    phone = chromium_browser.new_context(**PHONE)
    page = phone.new_page()
    log_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/submissions/{running.id}/")
    page.get_by_text("Cancel", exact=True).click()
    assert page.get_by_role("button", name="Yes, stop it").is_visible()
    shoot(page, "phone-cancel-asked")
    phone.close()


def test_a_run_cut_short_by_the_warning_says_so_and_the_challenge_page_shows_how(
    chromium_browser, browser_page, shoot, live_server, xor_challenge
):
    page, url = browser_page, live_server.url
    grace = make_user("grace")
    cut = make_submission(
        user=grace,
        challenge=xor_challenge,
        public=0.93,
        started_at=timezone.now() - dt.timedelta(seconds=60),
        finished_at=timezone.now(),
        sandbox_status="ok",
        wall_seconds=54.3,
        cpu_seconds=53.8,
        peak_memory_bytes=90 << 20,
        warned_of="wall",
        log_tail=(
            "epoch 1/500\n[... 1,234,567 bytes of the log left out here ...]\nepoch 431/500\n"
            "SIGTERM: the time limit is near; going on with the model as it stands\n"
            "wrote 4 predictions\n"
        ),
    )
    log_in(page, url, "grace")
    page.goto(f"{url}/submissions/{cut.id}/")
    notice = page.locator('[data-cut-short="wall"]')
    assert notice.is_visible()
    text = notice.inner_text()
    assert "Cut short: stopped by the warning before the wall-clock limit." in text
    assert "sent SIGTERM 6 s before its 60 s wall-clock limit" in text
    shoot(page, "cut-short")

    page.goto(f"{url}/challenges/{xor_challenge.slug}/")
    assert (
        "SIGTERM 6 s before the wall-clock limit"
        in page.locator("[data-time-warning]").inner_text()
    )
    page.get_by_text("Catching the warning before the time limit").click()
    assert page.get_by_text("with stop_at_the_warning():").is_visible()
    shoot(page, "challenge-time-warning")
    page.locator("section.run-facts").screenshot(path=str(shoot.folder / "run-facts.png"))

    phone = chromium_browser.new_context(**PHONE)
    small = phone.new_page()
    log_in(small, url, "grace")
    small.goto(f"{url}/submissions/{cut.id}/")
    assert small.locator('[data-cut-short="wall"]').is_visible()
    shoot(small, "phone-cut-short")
    small.goto(f"{url}/challenges/{xor_challenge.slug}/")
    small.get_by_text("Catching the warning before the time limit").click()
    shoot(small, "phone-challenge-time-warning")
    small.locator("section.run-facts").screenshot(path=str(shoot.folder / "phone-run-facts.png"))
    phone.close()

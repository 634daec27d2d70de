"""A student tries a program with a dry run before submitting it: the challenge
page offers it beside Submit, the dry run's page follows it without a reload
until it has passed (or failed, with the reason and the whole log). Desktop and
phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import log_in
from tests.support.factories import make_user
from tests.support.paths import REPO

STARTER = REPO / "challenges" / "1986-xor-backprop" / "starter" / "main.py"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _dry_run(page, url: str, slug: str, program: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/challenges/{slug}/")
    page.get_by_label("main.py or a .zip").set_input_files(str(program))
    page.get_by_role("button", name="Dry run first").click()
    page.wait_for_url(f"{url}/dry-runs/*/")


def test_a_dry_run_is_offered_followed_live_and_says_what_it_found(
    browser_page, chromium_browser, shoot, live_server, xor_challenge, start_worker, tmp_path
):  # type: ignore[no-untyped-def]
    page, url = browser_page, live_server.url
    start_worker()
    make_user("lin")
    log_in(page, url, "lin")
    page.goto(f"{url}/challenges/{xor_challenge.slug}/")
    assert page.locator("[data-dry-run-hint]").is_visible()
    shoot(page, "challenge-with-dry-run")

    _dry_run(page, url, xor_challenge.slug, STARTER)
    page.evaluate("window.notReloaded = true")
    page.locator('[data-state="passed"]').wait_for(timeout=60_000)
    assert page.evaluate("window.notReloaded") is True  # followed in place
    assert "Score on the 100 set-aside training items" in page.locator("[data-passed]").inner_text()
    shoot(page, "dry-run-passed")

    broken = tmp_path / "main.py"
    broken.write_text("print('no predictions today')\n")
    _dry_run(page, url, xor_challenge.slug, broken)
    page.locator('[data-state="failed"]').wait_for(timeout=60_000)
    assert "predictions.csv" in page.locator("[data-reason]").inner_text()
    assert "no predictions today" in page.locator("[data-log]").inner_text()
    shoot(page, "dry-run-failed")

    phone = chromium_browser.new_context(**PHONE)
    small = phone.new_page()
    log_in(small, url, "lin")
    small.goto(page.url)
    small.locator('[data-state="failed"]').wait_for()
    shoot(small, "dry-run-failed-phone")
    small.goto(f"{url}/challenges/{xor_challenge.slug}/")
    shoot(small, "challenge-with-dry-run-phone")
    phone.close()

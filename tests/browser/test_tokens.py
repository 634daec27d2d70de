"""A student makes a personal API token on their profile page, sees it once,
uses it, and revokes it; the page on a desktop and on a phone."""

from __future__ import annotations

import pytest

from tests.support.browser import log_in
from tests.support.factories import make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _me(page, url: str, token: str) -> int:  # type: ignore[no-untyped-def]
    response = page.request.get(url + "/api/me/", headers={"Authorization": f"Token {token}"})
    return int(response.status)


def test_student_creates_uses_and_revokes_a_token(browser_page, shoot, live_server, xor_challenge):
    page, url = browser_page, live_server.url
    make_user("grace")
    log_in(page, url, "grace")
    page.get_by_role("link", name="grace", exact=True).click()
    page.wait_for_url(url + "/accounts/profile/")
    assert page.get_by_text("You have no tokens.").is_visible()
    shoot(page, "profile-empty")

    page.get_by_label("Token name").fill("laptop")
    page.get_by_label("Expires after").select_option("30")
    page.get_by_role("button", name="Create a token").click()
    token = page.locator("[data-new-token]").inner_text().strip()
    assert token.startswith("mst_")
    assert page.locator('tr[data-token="laptop"]').is_visible()
    shoot(page, "profile-new-token")
    assert _me(page, url, token) == 200

    page.reload()  # shown once: a new visit no longer shows it
    assert page.locator("[data-new-token]").count() == 0

    page.get_by_role("button", name="Revoke laptop").click()
    page.wait_for_url(url + "/accounts/profile/")
    assert page.get_by_text("Token revoked").is_visible()
    assert page.locator('tr[data-token="laptop"]').count() == 0
    shoot(page, "profile-revoked")
    assert _me(page, url, token) == 401

    page.goto(f"{url}/challenges/{xor_challenge.slug}/")
    commands = page.locator("pre.commands").inner_text()
    assert f"milestones submit {xor_challenge.slug} main.py --wait" in commands
    assert f"milestones login --server {url}" in commands
    shoot(page, "challenge-terminal-commands")
    page.locator("pre.commands").screenshot(path=str(shoot.folder / "terminal-commands.png"))


def test_the_profile_page_reads_on_a_phone(chromium_browser, shoot, live_server):
    make_user("grace")
    phone = chromium_browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = phone.new_page()
    log_in(page, live_server.url, "grace")
    page.goto(live_server.url + "/accounts/profile/")
    page.get_by_label("Token name").fill("phone")
    page.get_by_role("button", name="Create a token").click()
    assert page.locator("[data-new-token]").is_visible()
    shoot(page, "phone-profile-new-token")  # also checks that nothing scrolls sideways
    phone.close()

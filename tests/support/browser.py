"""Steps the browser tests share."""

from __future__ import annotations

from typing import Any

from tests.support.factories import PASSWORD


def log_in(page: Any, url: str, username: str) -> None:
    """Sign in as ``username`` (made with the factories' password), signed out first."""
    page.context.clear_cookies()
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(url + "/")

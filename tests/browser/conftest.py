"""Playwright driving Debian's Chromium (/usr/bin/chromium, installed by
scripts/setup.sh; never a downloaded browser) against a live server of the test
database, with a real Celery worker where submissions must be scored.

Each test writes a screenshot of every page it visits to screenshots/ (not
committed) so a person can look at them."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO

SCREENSHOTS = REPO / "screenshots"
CHROMIUM = os.environ.get("MILESTONES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    if not Path(CHROMIUM).is_file() and shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM} (scripts/setup.sh installs Debian's, as root)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an asyncio loop in this thread from here on;
    # the tests' own ORM calls between browser steps are plain synchronous code.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def browser_page(chromium_browser):  # type: ignore[no-untyped-def]
    """A fresh browser context (its own cookies) and page, desktop-sized. Every
    page must work under the site's Content-Security-Policy: a violation the
    browser reports fails the test."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not violations, f"the pages broke their Content-Security-Policy: {violations}"


@pytest.fixture
def shoot(request):  # type: ignore[no-untyped-def]
    """shoot(page, "name") writes screenshots/<test>/<nn>-<name>.png (the whole page),
    after checking that the page fits its viewport's width (no sideways scrolling)."""
    folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    count = [0]

    def take(page, name: str) -> Path:  # type: ignore[no-untyped-def]
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, f"{page.url} scrolls sideways by {wide}px"
        count[0] += 1
        path = folder / f"{count[0]:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    take.folder = folder  # type: ignore[attr-defined]  # for a picture of one element
    return take

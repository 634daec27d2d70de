"""A torch challenge's "What a run gets": the runtime's pins, every package it
holds behind a disclosure, and the cores a run gets, as a live worker's
heartbeat says them. Desktop and phone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.factories import make_challenge
from worker import liveness
from worker.runtimes.build import INSTALLED, MARKER, RUNTIMES, read_installed

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def _listed(runtimes_dir: Path, settings) -> list[str]:  # type: ignore[no-untyped-def]
    """The torch runtime's list as this checkout built it (the pins where it is
    not built), in a marker where the site looks."""
    built = read_installed(Path(settings.RUNTIMES_DIR) / "torch")
    listed = built or list(RUNTIMES["torch"])
    (runtimes_dir / "torch").mkdir(parents=True)
    marker = {"packages": list(RUNTIMES["torch"]), INSTALLED: listed}
    (runtimes_dir / "torch" / MARKER).write_text(json.dumps(marker))
    return listed


def test_the_run_facts_list_every_package_and_the_cores(
    browser_page, chromium_browser, shoot, live_server, broker, settings, tmp_path
):  # type: ignore[no-untyped-def]
    listed = _listed(tmp_path / "runtimes", settings)
    settings.RUNTIMES_DIR = tmp_path / "runtimes"
    liveness.Heartbeat(
        name="w@h", queues=["cpu-long"], concurrency=1, gpus=[], cpus_per_run=2
    ).beat()
    challenge = make_challenge("1998-torch-page", runtime="torch", gpu="optional")
    page, url = browser_page, live_server.url
    page.goto(f"{url}/challenges/{challenge.slug}/")
    facts = page.locator("section.run-facts")
    runtime = facts.locator("[data-runtime]")
    assert ", ".join(RUNTIMES["torch"]) in runtime.inner_text()
    assert not runtime.locator("details li").first.is_visible()  # closed until asked
    assert "2, pinned to the run" in facts.locator("[data-cores]").inner_text()
    runtime.get_by_text("Every package installed").click()
    assert runtime.locator("details li").count() == len(listed)
    assert runtime.locator("details li").last.is_visible()
    shoot(page, "challenge-packages")
    facts.screenshot(path=str(shoot.folder / "run-facts.png"))

    phone = chromium_browser.new_context(**PHONE)
    small = phone.new_page()
    small.goto(f"{url}/challenges/{challenge.slug}/")
    small.locator("[data-runtime]").get_by_text("Every package installed").click()
    shoot(small, "phone-challenge-packages")
    small.locator("section.run-facts").screenshot(path=str(shoot.folder / "phone-run-facts.png"))
    phone.close()

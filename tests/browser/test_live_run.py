"""A student watches a training run live: its log grows on the page while it
runs, with the clock against the wall limit, its progress and time left, CPU and
memory so far, and a chart of its curves; once it is scored, the curves stay on
its page. Pushed (server-sent events) and polled alike. Screenshots while
running and after, at desktop and phone width."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.support.browser import log_in
from tests.support.factories import make_user
from tests.support.paths import REPO

REFERENCE = REPO / "challenges" / "1986-xor-backprop" / "reference" / "main.py"
STEPS = 20
# Before the reference trains: a slow "training" printing a line and a progress
# line per step, so the page has time to show the run growing.
WARM_UP = f"""
def warm_up() -> None:
    import json

    for step in range(1, {STEPS} + 1):
        print(f"warming up, step {{step}}", flush=True)
        line = {{"progress": step / {STEPS}, "step": step, "loss": 1 / step, "val_acc": step / {STEPS}}}
        print(json.dumps(line), flush=True)
        time.sleep(1.0)


if __name__ == "__main__":
    warm_up()
"""
# Where a person looks at the screenshots (outside the repository), when asked.
LOOK_AT = os.environ.get("MILESTONES_LIVE_SHOTS")
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _program(folder: Path) -> Path:
    source = REFERENCE.read_text().replace('\nif __name__ == "__main__":\n', WARM_UP, 1)
    path = folder / "main.py"
    path.write_text(source)
    return path


@pytest.mark.parametrize("push", [True, False], ids=["pushed", "polled"])
def test_the_log_progress_and_curves_of_a_running_submission_show_live_and_stay(
    browser_page, shoot, live_server, xor_challenge, start_worker, tmp_path, settings, push
):
    settings.LIVE_PUSH = push  # without server-sent events, the page polls
    page, url = browser_page, live_server.url
    start_worker()
    make_user("lin")
    log_in(page, url, "lin")
    page.goto(f"{url}/challenges/{xor_challenge.slug}/")
    page.get_by_label("main.py or a .zip").set_input_files(str(_program(tmp_path)))
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(f"{url}/submissions/*/")
    page.evaluate("window.notReloaded = true")

    log = page.locator("[data-live-log]")
    log.filter(has_text="warming up, step 2").wait_for(timeout=120_000)
    shown = max(int(n) for n in re.findall(r"warming up, step (\d+)", log.inner_text()))
    assert shown <= STEPS // 2, "the page saw the run only late"
    # The log grows while the page stays put (it polls or is told).
    log.filter(has_text=f"warming up, step {shown + 2}").wait_for(timeout=30_000)
    assert page.locator("[data-elapsed-bar]").is_visible()
    assert page.locator("[data-progress]").is_visible()
    assert page.get_by_text(re.compile(r"Progress \d+%, about .+ left")).is_visible()
    assert page.locator("[data-usage]").inner_text().startswith("CPU so far")
    assert page.locator('[data-curve="loss"] svg path').count() == 1
    assert page.locator('[data-curve="val_acc"]').is_visible()
    running = [shoot(page, "running-desktop")]
    page.set_viewport_size({"width": 390, "height": 844})
    running.append(shoot(page, "running-phone"))
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator('[data-state="scored"]').wait_for(timeout=120_000)
    assert page.evaluate("window.notReloaded === true"), "the page reloaded"
    assert page.locator("[data-live-log]").count() == 0
    assert page.locator('[data-curve="loss"]').is_visible()
    ended = [shoot(page, "scored-desktop")]
    page.reload()  # kept with the submission, not only in the page
    assert page.locator('[data-curve="val_acc"]').is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    ended.append(shoot(page, "scored-phone"))

    from server.submissions.models import Submission

    kept = Submission.objects.get().curves
    assert kept["progress"] == 1.0
    assert [x for x, _ in kept["series"]["loss"]] == list(range(1, STEPS + 1))
    if LOOK_AT and push:
        Path(LOOK_AT).mkdir(parents=True, exist_ok=True)
        for shot in running + ended:
            shutil.copy(shot, Path(LOOK_AT) / shot.name)

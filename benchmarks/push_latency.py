"""How soon a submission's page shows its new state, in a real browser: the
moment of the ``scored`` write to the moment the badge says "scored", with the
pages listening (server-sent events) and, the baseline measured in the same run,
with the pages polling every second as before.

    .venv/bin/python benchmarks/push_latency.py [-n 20]

Two `manage.py runserver` processes over one throwaway SQLite database (one with
MILESTONES_LIVE_PUSH=1, one with 0) and Debian's Chromium driven by Playwright.
Each round opens a queued submission's page, waits a random moment, then claims
and scores it through server.submissions.lifecycle, as a worker does. Needs Redis.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
WORK = REPO / "var" / f"bench-{uuid.uuid4().hex[:8]}"
ENV = {
    "MILESTONES_VAR_DIR": str(WORK),
    "DATABASE_URL": f"sqlite:///{WORK / 'db.sqlite3'}",
    "CELERY_BROKER_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
    "DJANGO_SETTINGS_MODULE": "server.milestones.settings",
    "DJANGO_DEBUG": "1",  # runserver serves the static files
}
CHROMIUM = os.environ.get("MILESTONES_CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(push: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, **ENV, "MILESTONES_LIVE_PUSH": "1" if push else "0"}
    argv = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    process = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(200):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"http://127.0.0.1:{port}"
        time.sleep(0.05)
    raise RuntimeError("runserver did not start")


def world():  # type: ignore[no-untyped-def]
    from django.core.management import call_command
    from django.test import Client

    from server.accounts.models import User
    from server.competitions.loading import challenge_load

    call_command("migrate", verbosity=0)
    challenge_load(bundle_dir=REPO / "challenges" / "1986-xor-backprop")
    user = User.objects.create_user(username="watcher", password="x-bench-pw-1")
    client = Client()
    client.force_login(user)
    return user, client.cookies["sessionid"].value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="rounds per mode")
    args = parser.parse_args()
    WORK.mkdir(parents=True, mode=0o755)
    os.environ.update(ENV)
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are
    # plain synchronous code between its steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from playwright.sync_api import sync_playwright

    user, session = world()
    servers = {push: start_server(push) for push in (True, False)}
    results: dict[bool, list[float]] = {True: [], False: []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
            )
            for push, (_, base) in servers.items():
                context = browser.new_context()
                context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
                page = context.new_page()
                for _ in range(args.n):
                    results[push].append(measure(page, base, user))
                context.close()
            browser.close()
    finally:
        for process, _ in servers.values():
            process.terminate()
        shutil.rmtree(WORK, ignore_errors=True)
    report(results)


def measure(page, base: str, user) -> float:  # type: ignore[no-untyped-def]
    """Seconds from the scored write to the badge saying so."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from graders import Scores
    from server.submissions import lifecycle
    from server.submissions.models import Submission

    row = Submission(
        user=user,
        challenge_id=1,
        token=uuid.uuid4().hex,
        original_name="main.py",
        state="queued",
        queue="cpu-short",
        queued_at=timezone.now(),
    )
    row.upload.save("main.py", ContentFile(b"pass\n"), save=True)
    page.goto(f"{base}/submissions/{row.id}/")
    page.wait_for_selector('[data-state="queued"]')
    time.sleep(random.uniform(1.0, 2.0))  # a moment after the page is ready, as in life
    attempt = lifecycle.claim(submission_id=row.id, worker_id="bench")
    assert attempt is not None
    start = time.perf_counter()
    scores = Scores(0.9, 0.9, 1, 1)
    lifecycle.finish_scored(
        submission_id=row.id, attempt=attempt, scores=scores, facts=lifecycle.RunFacts()
    )
    page.wait_for_selector('[data-state="scored"]', timeout=10_000)
    return time.perf_counter() - start


def report(results: dict[bool, list[float]]) -> None:
    def p95(values: list[float]) -> float:
        return sorted(values)[max(0, round(0.95 * len(values)) - 1)]

    print(f"{'pages':30} {'median ms':>10} {'p95 ms':>10}  (n={len(results[True])})")
    for push, label in ((True, "listening (server-sent events)"), (False, "polling every second")):
        times = results[push]
        print(f"{label:30} {statistics.median(times) * 1e3:10.1f} {p95(times) * 1e3:10.1f}")
    ratio = statistics.median(results[False]) / statistics.median(results[True])
    print(f"polling / listening (median): {ratio:.1f}x")


if __name__ == "__main__":
    main()

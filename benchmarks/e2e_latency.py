"""Upload-to-scored latency through the real stack, against running the same
main.py directly with python.

Starts a real Celery worker process (Redis broker, bubblewrap sandbox), submits
the XOR reference N times through Django's test client as a signed-in student,
and prints median and p95 of upload -> scored beside the median direct run.

    .venv/bin/python benchmarks/e2e_latency.py [-n 20]

Uses a throwaway SQLite database and data folder under var/; needs Redis.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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
    "MILESTONES_SUBMISSIONS_PER_DAY": "100000",
    "MILESTONES_MAX_ACTIVE_JOBS_PER_USER": "100000",
    "MILESTONES_RUNTIMES_DIR": str(REPO / "var" / "runtimes"),
    "DJANGO_SETTINGS_MODULE": "server.milestones.settings",
}
XOR = REPO / "challenges" / "1986-xor-backprop"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def direct_runs(n: int, public_dir: Path) -> list[float]:
    times = []
    for _ in range(n):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, str(XOR / "reference" / "main.py"), str(public_dir), out],
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
    return times


def signed_in_client():  # type: ignore[no-untyped-def]
    from django.test import Client

    from server.accounts.models import User

    client = Client()
    client.force_login(User.objects.create_user(username="bench", password="x-bench-pw-1"))
    return client


def platform_runs(client, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from server.submissions.models import Submission

    code = (XOR / "reference" / "main.py").read_bytes()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.post(
            "/challenges/1986-xor-backprop/submit/", {"code": SimpleUploadedFile("main.py", code)}
        )
        submission_id = int(response["Location"].rstrip("/").split("/")[-1])
        while not (row := Submission.objects.get(id=submission_id)).is_final:
            time.sleep(0.01)
        times.append(time.perf_counter() - start)
        assert row.state == "scored", (row.failure_reason, row.log_tail)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20)
    args = parser.parse_args()
    WORK.mkdir(parents=True, mode=0o755)
    os.environ.update(ENV)
    import django

    django.setup()
    from django.core.management import call_command

    from server.competitions.loading import challenge_load

    call_command("migrate", verbosity=0)
    challenge_load(bundle_dir=XOR)
    worker = subprocess.Popen(
        [
            str(REPO / ".venv/bin/celery"),
            "-A",
            "worker.celery",
            "worker",
            "-Q",
            "cpu-short,cpu-long,gpu-short,gpu-long,maintenance",
            "-c",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=REPO,
        env={**os.environ},
        start_new_session=True,
    )
    try:
        time.sleep(4)
        client = signed_in_client()
        platform_runs(client, 2)  # warm-up: imports and first connections
        platform = platform_runs(client, args.n)
        public = WORK / "challenge-data" / "1986-xor-backprop" / "public"
        direct = direct_runs(args.n, public)
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)
        shutil.rmtree(WORK, ignore_errors=True)
    report(platform, direct)


def report(platform: list[float], direct: list[float]) -> None:
    rows = [
        ("upload -> scored (platform)", statistics.median(platform), percentile(platform, 0.95)),
        ("python main.py (direct)", statistics.median(direct), percentile(direct, 0.95)),
    ]
    print(f"{'path':<30} {'median s':>10} {'p95 s':>10}   (n={len(platform)})")
    for name, median, p95 in rows:
        print(f"{name:<30} {median:>10.3f} {p95:>10.3f}")
    print(
        f"ratio platform/direct (median): {rows[0][1] / rows[1][1]:.2f}x; "
        f"overhead {rows[0][1] - rows[1][1]:.3f} s"
    )


if __name__ == "__main__":
    main()

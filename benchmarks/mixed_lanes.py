"""Short jobs behind long ones: the wait of each lane under a mixed crowd, with
lanes (a short-lane worker and a long-lane worker, as `make run` starts them)
against one shared queue (every worker takes every job), in the same run.

50 students upload 4 trivial XOR answers each (the short lane: a challenge whose
wall limit is within MILESTONES_SHORT_LANE_SECONDS, set to 10 s here) and,
spread among them, a few long jobs (the same answer, then a sleep, on a copy of
the XOR challenge whose wall limit puts it in the long lane), through Django's test client as
signed-in students; 2 real Celery workers run them in the bubblewrap sandbox.
Prints, per lane, p50/p95 of upload -> started (the queue wait) and of upload
-> scored, for both set-ups.

    .venv/bin/python benchmarks/mixed_lanes.py [--long 8 --long-seconds 20]
    .venv/bin/python benchmarks/mixed_lanes.py --postgres postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import throughput  # noqa: E402
from benchmarks.throughput import PROGRAM, WORK, XOR, database, environment  # noqa: E402

SHORT_SLUG, LONG_SLUG = "1986-xor-short", "1986-xor-long"
# Short: a wall limit within it, then runs of about a second; long: a wall limit
# above it, then runs of --long-seconds (above it too): each stays in its lane.
SHORT_LANE_SECONDS = 10
SETUPS = {
    # name: the queues of each of the two submission workers
    "lanes": ("cpu-short", "cpu-long,cpu-short"),
    "one queue": ("cpu-short,cpu-long", "cpu-short,cpu-long"),
}


def bundle_copy(slug: str, wall_seconds: int) -> Path:
    """A copy of the XOR bundle under ``slug`` with its wall and CPU limits set."""
    folder = WORK / "bundles" / slug
    shutil.copytree(XOR, folder)
    toml = folder / "challenge.toml"
    text = toml.read_text().replace(f'slug = "{XOR.name}"', f'slug = "{slug}"')
    text = text.replace("wall_seconds = 60", f"wall_seconds = {wall_seconds}")
    toml.write_text(text.replace("cpu_seconds = 60", f"cpu_seconds = {wall_seconds}"))
    return folder


@contextlib.contextmanager
def workers(queues: tuple[str, ...], tag: str) -> Iterator[None]:
    celery = str(REPO / ".venv" / "bin" / "celery")
    common = ["-A", "worker.celery", "worker", "--without-gossip", "--without-mingle"]
    argvs = [
        [celery, *common, "-Q", q, "-c", "1", "-n", f"{tag}{i}@%h", "--loglevel", "WARNING"]
        for i, q in enumerate(queues)
    ]
    beat = ["--beat", "-Q", "maintenance", "-c", "1", "-n", f"{tag}beat@%h"]
    argvs.append(
        [celery, *common, *beat, "--schedule", str(WORK / f"beat-{tag}"), "--loglevel", "WARNING"]
    )
    logs = WORK / "logs"
    logs.mkdir(exist_ok=True)
    processes = [
        subprocess.Popen(
            argv,
            cwd=REPO,
            start_new_session=True,
            stdout=(logs / f"{tag}-{i}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for i, argv in enumerate(argvs)
    ]
    try:
        throughput.wait_ready()
        yield
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 15)
        for process in processes:
            process.wait(timeout=60)


def submit_mixed(
    tag: str, students: int, per_student: int, long_jobs: int, long_seconds: float
) -> dict[int, tuple[str, float]]:
    """Upload the crowd at once: {id: (lane, upload time)}."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from server.accounts.models import User

    users = [User.objects.create(username=f"{tag}{n:02d}") for n in range(students)]
    jobs = [(user, "short") for user in users for _ in range(per_student)]
    jobs += [(users[n % students], "long") for n in range(long_jobs)]
    random.Random(1997).shuffle(jobs)
    client, uploaded = Client(), {}
    for number, (user, lane) in enumerate(jobs, start=1):
        code = PROGRAM.format(number=number)
        slug = SHORT_SLUG
        if lane == "long":
            code, slug = code + f"import time\ntime.sleep({long_seconds})\n", LONG_SLUG
        client.force_login(user)
        started = time.time()
        response = client.post(
            f"/challenges/{slug}/submit/",
            {"code": SimpleUploadedFile("main.py", code.encode())},
        )
        if response.status_code != 302:
            raise RuntimeError(f"upload refused: {response.content[:300]!r}")
        uploaded[int(response["Location"].rstrip("/").split("/")[-1])] = (lane, started)
    return uploaded


def waits(uploaded: dict[int, tuple[str, float]], timeout: float) -> dict[str, list[tuple]]:
    """{lane: [(queue wait, upload -> scored)]} once every job is scored."""
    from server.submissions.models import Submission

    finished = throughput.wait_all_final(list(uploaded), timeout)
    started = dict(Submission.objects.filter(id__in=uploaded).values_list("id", "started_at"))
    found: dict[str, list[tuple]] = {"short": [], "long": []}
    for i, (lane, at) in uploaded.items():
        began = started[i]
        assert began is not None  # every one was scored, so it started
        found[lane].append((began.timestamp() - at, finished[i] - at))
    return found


def report(results: dict[str, dict[str, list[tuple]]]) -> None:
    pct = throughput.percentile
    print(f"{'set-up':<11}{'lane':<7}{'jobs':>5}{'wait p50':>10}{'wait p95':>10}{'scored p95':>12}")
    for setup, lanes in results.items():
        for lane, rows in lanes.items():
            queue_waits, totals = [r[0] for r in rows], [r[1] for r in rows]
            print(
                f"{setup:<11}{lane:<7}{len(rows):>5}{pct(queue_waits, 0.5):>9.1f}s"
                f"{pct(queue_waits, 0.95):>9.1f}s{pct(totals, 0.95):>11.1f}s"
            )
    short = {
        s: throughput.percentile([r[0] for r in lanes["short"]], 0.95)
        for s, lanes in results.items()
    }
    if short.get("lanes"):
        ratio = short["one queue"] / max(short["lanes"], 1e-3)
        print(f"\nshort jobs' p95 wait: one queue / lanes = {ratio:.1f}x")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--per-student", type=int, default=4)
    parser.add_argument("--long", type=int, default=8, help="long jobs among them")
    parser.add_argument("--long-seconds", type=float, default=20.0)
    parser.add_argument("--postgres", default="", help="a PostgreSQL server URL (else SQLite)")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    WORK.mkdir(parents=True, mode=0o755)
    WORK.chmod(0o755)
    from tests.support.redis_server import redis_url_for_tests

    try:
        with redis_url_for_tests() as redis_url, database(args.postgres) as database_url:
            os.environ.update(environment(database_url, redis_url))
            os.environ["MILESTONES_SHORT_LANE_SECONDS"] = str(SHORT_LANE_SECONDS)
            import django

            django.setup()
            from django.core.management import call_command

            from server.competitions.loading import challenge_load

            call_command("migrate", verbosity=0)
            challenge_load(bundle_dir=bundle_copy(SHORT_SLUG, SHORT_LANE_SECONDS))
            challenge_load(bundle_dir=bundle_copy(LONG_SLUG, 900))
            results = {}
            for tag, (setup, queues) in zip(("l", "q"), SETUPS.items(), strict=True):
                with workers(queues, tag):
                    uploaded = submit_mixed(
                        tag, args.students, args.per_student, args.long, args.long_seconds
                    )
                    results[setup] = waits(uploaded, args.timeout)
            report(results)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()

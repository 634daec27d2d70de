"""Throughput and fairness of the whole platform under a crowd, against running
the same programs in a plain loop.

200 trivial submissions (a valid XOR answer in pure Python, each file distinct)
from 50 students, uploaded through Django's test client as signed-in students
(validation, storage, daily limit, dispatch), run by 2 real Celery worker
processes in the bubblewrap sandbox, graded and recorded; beat and the reaper
run beside them. Prints jobs per minute, p50/p95 upload -> scored, the worst
student's mean wait relative to the median student's, and the same 200 programs
run with the same Python as many at a time as there are workers, without the platform.

    .venv/bin/python benchmarks/throughput.py [--students 50 --per-student 4 --workers 2]
    .venv/bin/python benchmarks/throughput.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Uses a throwaway folder under var/, its own redis-server, and SQLite (or a
throwaway database on the PostgreSQL server given). Needs the numpy runtime
(`make setup`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
WORK = REPO / "var" / f"bench-{uuid.uuid4().hex[:8]}"
XOR = REPO / "challenges" / "1986-xor-backprop"
RUNTIME_PYTHON = REPO / "var" / "runtimes" / "numpy" / "bin" / "python"

PROGRAM = """# submission {number}
import pathlib, sys
data, out = (pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])) if len(sys.argv) == 3 \\
    else (pathlib.Path("/data"), pathlib.Path("/output"))
rows = (data / "test.csv").read_text().splitlines()[1:]
lines = ["id,label"]
for row in rows:
    i, x1, x2 = row.split(",")
    lines.append(f"{{i}},{{int(float(x1) * float(x2) < 0)}}")
(out / "predictions.csv").write_text("\\n".join(lines) + "\\n")
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextlib.contextmanager
def database(postgres: str | None) -> Iterator[str]:
    if not postgres:
        yield f"sqlite:///{WORK / 'db.sqlite3'}"
        return
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        "MILESTONES_VAR_DIR": str(WORK),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "MILESTONES_SUBMISSIONS_PER_DAY": "100000",
        "MILESTONES_RUNTIMES_DIR": str(REPO / "var" / "runtimes"),
        "MILESTONES_SLOTS_DIR": str(WORK / "slots"),
        "MILESTONES_REAPER_EVERY_SECONDS": "5",
        "DJANGO_SETTINGS_MODULE": "server.milestones.settings",
        "MILESTONES_LOG_LEVEL": "WARNING",
    }


def start_workers(count: int) -> list[subprocess.Popen[bytes]]:
    celery = str(REPO / ".venv" / "bin" / "celery")
    common = [
        "-A",
        "worker.celery",
        "worker",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
    ]
    argvs = [
        [celery, *common, "-Q", "cpu-short,cpu-long", "-c", "1", "-n", f"bench{i}@%h"]
        for i in range(count)
    ]
    argvs.append(
        [
            celery,
            *common,
            "--beat",
            "-Q",
            "maintenance",
            "-c",
            "1",
            "-n",
            "beat@%h",
            "--schedule",
            str(WORK / "beat-schedule"),
        ]
    )
    logs = WORK / "logs"
    logs.mkdir()
    return [
        subprocess.Popen(
            argv,
            cwd=REPO,
            env={**os.environ},
            start_new_session=True,
            stdout=(logs / f"{i}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for i, argv in enumerate(argvs)
    ]


def wait_ready(seconds: float = 120) -> None:
    from worker import liveness

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(liveness.workers_alive() or []) >= 2:
            return
        time.sleep(0.2)
    raise RuntimeError("the workers did not start; see the logs under " + str(WORK / "logs"))


UPLOAD_SECONDS: list[float] = []  # each upload's time in the site, as submit_all saw it


def submit_all(students: int, per_student: int) -> dict[int, tuple[str, float]]:
    """Upload everything as fast as the site takes it: {id: (student, upload time)}."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from server.accounts.models import User

    users = [User.objects.create(username=f"student{n:02d}") for n in range(students)]
    order = [user for user in users for _ in range(per_student)]
    random.Random(1986).shuffle(order)
    client, uploaded = Client(), {}
    for number, user in enumerate(order, start=1):
        client.force_login(user)
        started = time.time()
        response = client.post(
            f"/challenges/{XOR.name}/submit/",
            {"code": SimpleUploadedFile("main.py", PROGRAM.format(number=number).encode())},
        )
        UPLOAD_SECONDS.append(time.time() - started)
        if response.status_code != 302:
            raise RuntimeError(f"upload refused: {response.content[:300]!r}")
        uploaded[int(response["Location"].rstrip("/").split("/")[-1])] = (user.username, started)
    return uploaded


def wait_all_final(ids: list[int], timeout: float) -> dict[int, float]:
    """{id: finished_at as a Unix time}; raises if any ends other than scored."""
    from server.submissions.models import Submission

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = Submission.objects.filter(id__in=ids, state__in=Submission.FINAL_STATES)
        if rows.count() == len(ids):
            bad = rows.exclude(state="scored").values_list("id", "state", "failure_reason")[:5]
            if bad:
                raise RuntimeError(f"not all scored: {list(bad)}")
            return {i: at.timestamp() for i, at in rows.values_list("id", "finished_at")}
        time.sleep(0.2)
    raise RuntimeError(f"not all final after {timeout} s")


@dataclass(frozen=True)
class JobTimes:
    """Where one scored job's time went, from its own row."""

    in_worker: float  # claimed -> finished: everything a worker did for it
    program: float  # of which the program itself ran (the sandbox's wall clock)


def job_times(ids: list[int]) -> list[JobTimes]:
    from server.submissions.models import Submission

    rows = Submission.objects.filter(id__in=ids).values_list(
        "started_at", "finished_at", "wall_seconds"
    )
    return [
        JobTimes(in_worker=(finished - started).total_seconds(), program=wall or 0.0)
        for started, finished, wall in rows
        if started is not None and finished is not None  # every one is: all were scored
    ]


def where_the_time_goes(jobs: list[JobTimes], makespan: float, workers: int) -> None:
    """The platform's cost per job, split where its rows can tell: the site's upload
    (one client, one at a time, beside the workers on the same cores), a worker's
    own work around the program (claim, unpack, contamination scan, sandbox set-up
    and tear-down, grading, recording) and the program; what no job accounts for is
    the workers' idle time (delivery, waiting for uploads)."""
    n = len(jobs)
    busy = sum(job.in_worker for job in jobs)
    program = sum(job.program for job in jobs)
    rows = [
        ("upload, in the site (per job)", statistics.median(UPLOAD_SECONDS), sum(UPLOAD_SECONDS)),
        ("worker, claimed -> finished", statistics.median(j.in_worker for j in jobs), busy),
        ("  of which the program", statistics.median(j.program for j in jobs), program),
        ("  of which the worker's own work", (busy - program) / n, busy - program),
        ("workers idle (no job held)", (makespan * workers - busy) / n, makespan * workers - busy),
    ]
    print(f"  where the time goes ({n} jobs, {workers} workers x {makespan:.1f} s)")
    print(f"    {'part':36} {'per job ms':>11} {'total s':>9}")
    for name, per_job, total in rows:
        print(f"    {name:36} {per_job * 1000:11.1f} {total:9.2f}")


def plain_loop(count: int, public_dir: Path, *, concurrency: int) -> float:
    """The same programs with the sandbox's Python, ``concurrency`` at a time (as
    many as the platform's workers run at once), without the platform."""

    def one(number: int) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            program = Path(scratch) / "main.py"
            program.write_text(PROGRAM.format(number=number))
            subprocess.run(
                [str(RUNTIME_PYTHON), "-s", str(program), str(public_dir), scratch],
                check=True,
                capture_output=True,
            )

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(1, count + 1)))
    return time.perf_counter() - started


def report(
    uploaded: dict[int, tuple[str, float]], finished: dict[int, float], plain: float, workers: int
) -> None:
    waits = {i: finished[i] - uploaded[i][1] for i in uploaded}
    first = min(at for _, at in uploaded.values())
    makespan = max(finished.values()) - first
    by_student: dict[str, list[float]] = defaultdict(list)
    for i, (student, _) in uploaded.items():
        by_student[student].append(waits[i])
    means = sorted(statistics.mean(v) for v in by_student.values())
    n = len(uploaded)
    print(f"{n} submissions from {len(by_student)} students, {workers} worker processes")
    print(f"  makespan (first upload -> last scored)   {makespan:8.1f} s")
    print(f"  throughput                               {n / makespan * 60:8.1f} jobs/min")
    print(
        f"  upload -> scored  p50 / p95              {percentile(list(waits.values()), 0.5):8.1f}"
        f" / {percentile(list(waits.values()), 0.95):.1f} s"
    )
    print(
        f"  per-student mean wait: median / worst    {statistics.median(means):8.1f}"
        f" / {means[-1]:.1f} s  (worst / median = {means[-1] / statistics.median(means):.2f})"
    )
    print(
        f"  plain loop, {workers} at a time, same {n} programs {plain:6.1f} s"
        f"  ({plain / n * 1000:.0f} ms each)"
    )
    print(f"  platform / plain loop (wall)             {makespan / plain:8.2f}x")
    print(
        f"  worker-seconds per job                   {makespan * workers / n:8.2f} s"
        f"  vs {plain * workers / n:.3f} s plain"
    )
    print(f"  machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--per-student", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", default="", help="a PostgreSQL server URL (else SQLite)")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    WORK.mkdir(parents=True, mode=0o755)
    WORK.chmod(0o755)
    from tests.support.redis_server import redis_url_for_tests

    processes: list[subprocess.Popen[bytes]] = []
    try:
        with redis_url_for_tests() as redis_url, database(args.postgres) as database_url:
            os.environ.update(environment(database_url, redis_url))
            import django

            django.setup()
            from django.core.management import call_command

            from server.competitions.loading import challenge_load

            call_command("migrate", verbosity=0)
            challenge_load(bundle_dir=XOR)
            processes = start_workers(args.workers)
            wait_ready()
            uploaded = submit_all(args.students, args.per_student)
            finished = wait_all_final(list(uploaded), args.timeout)
            jobs = job_times(list(uploaded))
            for process in processes:
                os.killpg(process.pid, 15)
            for process in processes:
                process.wait(timeout=60)
            processes = []
            from django.db import connections

            connections.close_all()
            plain = plain_loop(
                len(uploaded),
                WORK / "challenge-data" / XOR.name / "public",
                concurrency=args.workers,
            )
            report(uploaded, finished, plain, args.workers)
            makespan = max(finished.values()) - min(at for _, at in uploaded.values())
            where_the_time_goes(jobs, makespan, args.workers)
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 9)
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Rendering the leaderboard and the challenge page with a big course in
PostgreSQL, against the same pages of a small one measured in the same run.

Creates a throwaway PostgreSQL database, loads two challenges into it (a
baseline one with 50 participants and 1,000 scored submissions, and one with
5,000 participants and 100,000), rebuilds their standings, renders each page
many times through Django's test client as a signed-in participant (and the
private board as its instructor), and prints median and p95 times, SQL queries
per page, and the ratio of the big course to the small one. The query counts
must be equal. A million submissions: --per-participant 200.

    .venv/bin/python benchmarks/leaderboard.py [--participants 5000] [--per-participant 20] [-n 40]

Needs PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"milestones_bench_{os.getpid()}"
WORK = REPO / "var" / f"bench-{uuid.uuid4().hex[:8]}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def configure() -> None:
    base = ADMIN_URL.rsplit("/", 1)[0]
    os.environ.update(
        {
            "DATABASE_URL": f"{base}/{DB_NAME}",
            "MILESTONES_VAR_DIR": str(WORK),
            "DJANGO_DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "server.milestones.settings",
        }
    )
    (WORK / "static").mkdir(parents=True, exist_ok=True)  # whitenoise's STATIC_ROOT
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per force_login otherwise
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(slug: str, *, participants: int, per_participant: int, rng: random.Random):  # type: ignore[no-untyped-def]
    """One challenge with an open phase, its instructor, and `participants`
    students each with `per_participant` scored submissions over 30 days."""
    from django.contrib.auth.hashers import make_password

    from server.accounts.models import User
    from server.competitions.models import Baseline, Challenge, Phase
    from server.submissions.models import Submission

    now = dt.datetime.now(dt.UTC)
    owner = User.objects.create_user(username=f"{slug}-teacher", password="x", is_instructor=True)
    challenge = Challenge.objects.create(
        slug=slug,
        title=f"Benchmark {slug}",
        year=1998,
        runtime="numpy",
        bundle_dir="",
        grading={"metric": "accuracy", "direction": "higher"},
        data_status="ready",
        owner=owner,
        description_html="<h1>Benchmark</h1>" + "<p>text</p>" * 50,
        limits={"wall_seconds": 60, "memory_mb": 1024},
    )
    Baseline.objects.bulk_create(
        Baseline(challenge=challenge, name=name, score=score, position=i)
        for i, (name, score) in enumerate([("Linear", 0.88), ("k-NN", 0.95), ("LeNet-5", 0.9905)])
    )
    Phase.objects.create(
        challenge=challenge,
        name="Graded",
        starts_at=now - dt.timedelta(days=31),
        ends_at=now + dt.timedelta(days=10),
    )
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [User(username=f"{slug}-p{n}", password=password) for n in range(participants)],
        batch_size=2000,
    )
    rows = []
    for user in users:
        skill = rng.uniform(0.80, 0.985)
        for k in range(per_participant):
            when = now - dt.timedelta(days=30) + dt.timedelta(seconds=rng.uniform(0, 30 * 86400))
            score = min(0.999, skill + rng.gauss(0, 0.01) + 0.0005 * k)
            rows.append(
                Submission(
                    user=user,
                    challenge=challenge,
                    token=uuid.uuid4().hex,
                    upload="bench/main.py",
                    original_name="main.py",
                    state="scored",
                    created_at=when,
                    public_score=score,
                    private_score=min(0.999, score + rng.gauss(0, 0.004)),
                    selected=k == 0 and skill > 0.9,
                )
            )
        if len(rows) >= 20_000:
            Submission.objects.bulk_create(rows, batch_size=5000)
            rows = []
    Submission.objects.bulk_create(rows, batch_size=5000)
    # Rows written in bulk, as by hand: the standings are rebuilt, as the command does.
    from server.leaderboards import standings

    started = time.perf_counter()
    count = standings.rebuild(
        challenge=Challenge.objects.prefetch_related("phases").get(pk=challenge.pk)
    )
    print(f"{slug}: standings rebuilt ({count:,} rows) in {time.perf_counter() - started:.1f} s")
    return challenge, users[0], owner


def measure(client, url: str, n: int) -> tuple[list[float], int, int]:  # type: ignore[no-untyped-def]
    """Times of n renders (after warm-up), and SQL queries and bytes of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return times, len(queries), len(response.content)


def pages(challenge, student, owner, n: int) -> dict[str, tuple[list[float], int, int]]:  # type: ignore[no-untyped-def]
    from django.test import Client

    as_student, as_owner = Client(), Client()
    as_student.force_login(student)
    as_owner.force_login(owner)
    base = f"/challenges/{challenge.slug}"
    return {
        "leaderboard (public)": measure(as_student, f"{base}/leaderboard/", n),
        "leaderboard (private, instructor)": measure(
            as_owner, f"{base}/leaderboard/?board=private", n
        ),
        "leaderboard (public, page 50)": measure(as_student, f"{base}/leaderboard/?page=50", n),
        "challenge page": measure(as_student, f"{base}/", n),
    }


def report(small: dict, big: dict, sizes: tuple[str, str]) -> bool:  # type: ignore[type-arg]
    print(f"\n{'page':<36}{'size':<34}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'KiB':>7}")
    same = True
    for page in small:
        for label, result in ((sizes[0], small[page]), (sizes[1], big[page])):
            times, queries, size = result
            print(
                f"{page:<36}{label:<34}{statistics.median(times) * 1e3:>10.1f}"
                f"{percentile(times, 0.95) * 1e3:>9.1f}{queries:>9}{size / 1024:>7.0f}"
            )
        ratio = statistics.median(big[page][0]) / statistics.median(small[page][0])
        same &= big[page][1] == small[page][1]
        print(
            f"{'':<36}{'ratio big / small (median)':<34}{ratio:>10.2f}"
            f"{'':>9}{'same' if big[page][1] == small[page][1] else 'DIFFERENT':>9}\n"
        )
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--per-participant", type=int, default=20)
    parser.add_argument("-n", type=int, default=40, help="renders per page")
    args = parser.parse_args()
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    try:
        configure()
        rng = random.Random(7)
        start = time.perf_counter()
        small = seed("bench-small", participants=50, per_participant=args.per_participant, rng=rng)
        big = seed(
            "bench-big",
            participants=args.participants,
            per_participant=args.per_participant,
            rng=rng,
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"seeded in {time.perf_counter() - start:.1f} s (PostgreSQL {connection.pg_version})")
        sizes = (
            f"50 p, {50 * args.per_participant:,} subs",
            f"{args.participants:,} p, {args.participants * args.per_participant:,} subs",
        )
        same = report(pages(*small, args.n), pages(*big, args.n), sizes)
        print(
            "SQL queries per page do not grow with rows."
            if same
            else "SQL queries per page GROW with rows."
        )
        if not same:
            raise SystemExit(1)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        import shutil

        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()

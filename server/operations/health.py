"""What the health checks ask: does the database answer, does Redis, has a
worker beaten lately, has the reaper run lately. Each returns the problems
found (empty: healthy), for the web's /healthz and ``manage.py platform_health``."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import DatabaseError, connection

from worker import broker, liveness, reaper


def platform_problems() -> list[str]:
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        problems.append(f"database: {exc}")
    try:
        broker.client().ping()
    except redis.RedisError as exc:
        problems.append(f"redis: {exc}")
    return problems


def worker_problems(name: str) -> list[str]:
    alive = liveness.workers_alive()
    if alive is None:
        return ["redis does not answer"]
    if not any(worker.name == name for worker in alive):
        return [f"no heartbeat from worker {name}"]
    return []


def reaper_problems() -> list[str]:
    since = reaper.seconds_since_last_run()
    allowed = 3 * settings.REAPER_EVERY_SECONDS + 30
    if since is None:
        return ["the reaper has not run (or redis does not answer)"]
    if since > allowed:
        return [f"the reaper last ran {since:.0f} s ago (more than {allowed} s)"]
    return []

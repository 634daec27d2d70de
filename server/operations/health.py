"""What the health checks ask: does the database answer, does Redis, has a
worker beaten lately, has the reaper run lately. Each returns the problems
found (empty: healthy), for the web's /healthz and ``manage.py platform_health``."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection

from worker import api as worker_api


def platform_problems() -> list[str]:
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        problems.append(f"database: {exc}")
    redis_problem = worker_api.broker_problem()
    if redis_problem is not None:
        problems.append(f"redis: {redis_problem}")
    return problems


def worker_problems(name: str) -> list[str]:
    alive = worker_api.workers_alive()
    if alive is None:
        return ["redis does not answer"]
    if not any(worker.name == name for worker in alive):
        return [f"no heartbeat from worker {name}"]
    return []


def reaper_problems() -> list[str]:
    since = worker_api.reaper_seconds_since_last_run()
    allowed = 3 * settings.REAPER_EVERY_SECONDS + 30
    if since is None:
        return ["the reaper has not run (or redis does not answer)"]
    if since > allowed:
        return [f"the reaper last ran {since:.0f} s ago (more than {allowed} s)"]
    return []

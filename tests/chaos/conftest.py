"""Fixtures for the chaos tests: a private Redis and a `Stack` that starts real
worker processes against it and the test database, and stops them all after."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chaos.stack import RedisServer, Worker, database_url
from worker.queues import SUBMISSION_QUEUES

# Short enough for tests that run in a minute, long enough for a loaded machine.
TIMINGS = {
    "MILESTONES_LEASE_SECONDS": "5",
    "MILESTONES_REAPER_EVERY_SECONDS": "1",
    "MILESTONES_REDISPATCH_GRACE_SECONDS": "3",
    "MILESTONES_REDISPATCH_AFTER_SECONDS": "600",
    "MILESTONES_WORKER_HEARTBEAT_SECONDS": "1",
    "MILESTONES_MAX_PLATFORM_ATTEMPTS": "3",
}


@pytest.fixture(scope="module")
def chaos_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def use_broker(url: str) -> None:
    """Point this process's Celery app and broker client at ``url``, dropping
    pooled connections."""
    from django.conf import settings

    from worker.celery import app

    settings.CELERY_BROKER_URL = url
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


class Stack:
    def __init__(self, env: dict[str, str], log_dir: Path, redis: RedisServer) -> None:
        self.env, self.log_dir, self.redis = env, log_dir, redis
        self.workers: list[Worker] = []

    def start_worker(
        self,
        name: str,
        *,
        queues: str = ",".join(SUBMISSION_QUEUES),
        concurrency: int = 1,
        beat: bool = False,
    ) -> Worker:
        worker = Worker(
            self.env, name, self.log_dir, queues=queues, concurrency=concurrency, beat=beat
        )
        self.workers.append(worker)
        return worker.wait_ready()

    def start_reaper(self) -> Worker:
        """The maintenance worker with beat: the reaper every second."""
        return self.start_worker("reaper", queues="maintenance", beat=True)

    def logs(self) -> list[str]:
        return [worker.log() for worker in self.workers]

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


@pytest.fixture
def stack(platform_settings, platform_env, xor_challenge, chaos_redis, shared_dir, tmp_path):  # type: ignore[no-untyped-def]
    chaos_redis.client().flushall()
    for name, value in TIMINGS.items():
        setattr(platform_settings, name.removeprefix("MILESTONES_"), int(value))
    platform_settings.SLOTS_DIR = tmp_path / "slots"
    previous = platform_env["CELERY_BROKER_URL"]
    use_broker(chaos_redis.url)
    env = {
        **os.environ,
        **platform_env,
        **TIMINGS,
        "CELERY_BROKER_URL": chaos_redis.url,
        "DATABASE_URL": database_url(),
        "MILESTONES_SLOTS_DIR": str(tmp_path / "slots"),
    }
    log_dir = shared_dir / f"chaos-{tmp_path.name}"
    log_dir.mkdir(exist_ok=True)
    running = Stack(env, log_dir, chaos_redis)
    yield running
    running.stop()
    use_broker(previous)

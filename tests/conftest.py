"""Fixtures shared by the whole suite: real Redis, real Celery worker processes,
folders the sandbox's unprivileged uid can read, the numpy runtime, a loaded XOR
challenge."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO
from tests.support.redis_server import redis_url_for_tests
from worker.queues import SUBMISSION_QUEUES, Queue

pytest_plugins = ["tests.support.fixtures", "tests.support.podman"]
# A test's worker takes every lane and the maintenance queue (the dispatch requests).
ALL_QUEUES = ",".join([*SUBMISSION_QUEUES, Queue.MAINTENANCE])


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    """A test database of this run's own (its pid in the name), so that test runs
    side by side on one PostgreSQL server never drop each other's database."""
    from django.conf import settings

    for config in settings.DATABASES.values():
        test = config.setdefault("TEST", {})
        if config["ENGINE"].endswith("sqlite3"):
            name = Path(test.get("NAME") or REPO / "var" / "test-db.sqlite3")
            test["NAME"] = str(name.with_name(f"{name.stem}-{os.getpid()}{name.suffix}"))
        else:
            test["NAME"] = f"{test.get('NAME') or 'test_' + config['NAME']}_{os.getpid()}"


@pytest.fixture(autouse=True)
def isolated_rate_limits(settings):  # type: ignore[no-untyped-def]
    """Each test counts sign-ups and resets from zero, in memory of its own."""
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"ratelimit-{uuid.uuid4().hex}",
        },
    }


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_url_for_tests() as url:
        yield url


@pytest.fixture(scope="session")
def shared_dir() -> Iterator[Path]:
    """A folder under var/ (not /tmp/pytest-of-…, which is private to root) so the
    sandbox's unprivileged uid can traverse to the data and code it binds."""
    path = REPO / "var" / f"test-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True, mode=0o755)
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def runtimes_dir() -> Path:
    """var/runtimes with the numpy runtime (built here once if missing or stale)."""
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed")
    from worker.runtimes.build import build

    root = REPO / "var" / "runtimes"
    root.mkdir(parents=True, exist_ok=True)
    build(root=root, name="numpy")
    return root


@pytest.fixture(scope="session")
def platform_env(shared_dir: Path, redis_url: str) -> dict[str, str]:
    """Settings the test process and its worker processes must share."""
    return {
        "MILESTONES_CHALLENGE_DATA_DIR": str(shared_dir / "challenge-data"),
        "MILESTONES_MEDIA_DIR": str(shared_dir / "media"),
        "MILESTONES_SANDBOX_WORK_DIR": str(shared_dir / "runs"),
        "CELERY_BROKER_URL": redis_url,
        "MILESTONES_LEASE_SECONDS": "5",
        "MILESTONES_REDISPATCH_AFTER_SECONDS": "5",
    }


@pytest.fixture
def platform_settings(settings, platform_env: dict[str, str]):  # type: ignore[no-untyped-def]
    settings.CHALLENGE_DATA_DIR = Path(platform_env["MILESTONES_CHALLENGE_DATA_DIR"])
    settings.MEDIA_ROOT = platform_env["MILESTONES_MEDIA_DIR"]
    settings.SANDBOX_WORK_DIR = Path(platform_env["MILESTONES_SANDBOX_WORK_DIR"])
    settings.LEASE_SECONDS = int(platform_env["MILESTONES_LEASE_SECONDS"])
    settings.REDISPATCH_AFTER_SECONDS = int(platform_env["MILESTONES_REDISPATCH_AFTER_SECONDS"])
    settings.CELERY_BROKER_URL = platform_env["CELERY_BROKER_URL"]
    from worker.celery import app

    app.conf.broker_url = platform_env["CELERY_BROKER_URL"]
    return settings


@pytest.fixture
def load_challenge(platform_settings, db):  # type: ignore[no-untyped-def]
    """Load a bundle of challenges/ by its folder name (its data prepared for this
    test run) and return the Challenge row."""
    from server.competitions.loading import challenge_load
    from server.competitions.models import Challenge

    def load(folder: str) -> Challenge:
        outcome = challenge_load(bundle_dir=REPO / "challenges" / folder)
        return Challenge.objects.get(slug=outcome.slug)

    return load


@pytest.fixture
def xor_challenge(load_challenge):  # type: ignore[no-untyped-def]
    return load_challenge("1986-xor-backprop")


def database_url_of_test_db() -> str:
    from django.db import connection

    params = connection.settings_dict
    if params["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or "postgres"
    return f"postgres://{user}@{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}/{params['NAME']}"


class WorkerProcess:
    """A real `celery worker` process against the test database and Redis."""

    def __init__(
        self, env: dict[str, str], name: str, log_path: Path, queues: str = ALL_QUEUES
    ) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(REPO / ".venv" / "bin" / "celery"),
                "-A",
                "worker.celery",
                "worker",
                "-Q",
                queues,
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{name}@%h",
                "--loglevel",
                "INFO",
            ],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b"ready." in self.log_path.read_bytes():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"celery worker did not start:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        self._log.close()


@pytest.fixture
def start_worker(platform_env, django_db_blocker, shared_dir: Path):  # type: ignore[no-untyped-def]
    """Start real worker processes on demand; all are stopped after the test."""
    started: list[WorkerProcess] = []

    def start(name: str = "w1", *, queues: str = ALL_QUEUES) -> WorkerProcess:
        env = {
            **os.environ,
            **platform_env,
            "DATABASE_URL": database_url_of_test_db(),
            "PYTHONUNBUFFERED": "1",
            "MILESTONES_WORKER_ID": f"{name}-{uuid.uuid4().hex[:6]}",
        }
        log = shared_dir / f"worker-{name}-{uuid.uuid4().hex[:6]}.log"
        worker = WorkerProcess(env, name, log, queues=queues)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()
        # Captured: pytest shows it only when the test failed, where it tells why.
        print(
            f"--- {worker.log_path.name}, its end ---\n{worker.log_path.read_text(errors='replace')[-4000:]}"
        )

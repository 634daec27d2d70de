"""The real stack for chaos tests: a private redis-server this module may flush,
stop and restart, real `celery worker` processes (submission workers, and the
maintenance worker that runs beat and the reaper) against the test database,
and the means to hurt them: signals to the main process or its pool."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import redis

from tests.support.paths import REPO
from tests.support.processes import command_line, descendants


class RedisServer:
    """A redis-server on a fixed port, with no persistence: a restart loses everything."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        for _ in range(200):
            with contextlib.suppress(redis.RedisError):
                if client.ping():
                    return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)


class Worker:
    """One `celery worker` process (prefork) and the pool it forks."""

    def __init__(
        self,
        env: dict[str, str],
        name: str,
        log_dir: Path,
        *,
        queues: str,
        concurrency: int = 1,
        beat: bool = False,
    ) -> None:
        self.name = name
        self.worker_id = f"{name}-{uuid.uuid4().hex[:6]}"
        self.log_path = log_dir / f"worker-{self.worker_id}.log"
        argv = [
            str(REPO / ".venv" / "bin" / "celery"),
            "-A",
            "worker.celery",
            "worker",
            "-Q",
            queues,
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{name}@%h",
            "--loglevel",
            "INFO",
        ]
        if beat:
            argv += ["--beat", "--schedule", str(log_dir / f"beat-{self.worker_id}")]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            argv,
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**env, "MILESTONES_WORKER_ID": self.worker_id, "PYTHONUNBUFFERED": "1"},
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90.0) -> Worker:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"celery worker {self.name} did not start:\n{self.log()[-3000:]}")

    def pool(self) -> list[int]:
        return [pid for pid in descendants(self.pid) if _parent(pid) == self.pid]

    def sandbox(self) -> dict[int, int]:
        """bwrap and everything in its sandbox, started by this worker's pool."""
        return {
            pid: start for pid, start in descendants(self.pid).items() if pid not in self.pool()
        }

    def program(self) -> dict[int, int]:
        return {
            pid: start
            for pid, start in self.sandbox().items()
            if "/submission/main.py" in command_line(pid)
        }

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signum)

    def stop(self) -> None:
        self.signal_group(signal.SIGCONT)  # a frozen worker cannot stop
        if self.process.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.process.wait(timeout=20)
        self.signal_group(signal.SIGKILL)  # an orphaned pool process, if any
        self._log.close()


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return int(stat.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError):
        return None


def outcomes_logged(logs: list[str], submission_id: int) -> list[str]:
    """Every "submission N attempt A ended STATE" line the workers logged."""
    pattern = re.compile(rf"submission {submission_id} attempt (\d+) ended (\w+)")
    return [f"attempt {m[0]} {m[1]}" for log in logs for m in pattern.findall(log)]


def discarded_logged(logs: list[str], submission_id: int) -> list[str]:
    pattern = re.compile(rf"submission {submission_id} attempt (\d+) is no longer this run's")
    return [f"attempt {m}" for log in logs for m in pattern.findall(log)]


def database_url() -> str:
    """The URL of the database this test runs on, for the worker processes."""
    from django.db import connection

    params = connection.settings_dict
    if params["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or "postgres"
    host, port = params.get("HOST") or "127.0.0.1", params.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{params['NAME']}"

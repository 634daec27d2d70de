"""A Redis for the tests: a private redis-server started for the session, so
that test runs side by side (and tests that flush or restart Redis) never share
a broker. ``TEST_REDIS_URL`` points the suite at an existing Redis instead."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import redis

TEST_DB = 15


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def redis_url_for_tests() -> Iterator[str]:
    given = os.environ.get("TEST_REDIS_URL")
    if given:
        if not _answers(given):
            raise RuntimeError(f"TEST_REDIS_URL={given} does not answer")
        redis.Redis.from_url(given).flushdb()
        yield given
        return
    if shutil.which("redis-server") is None:
        raise RuntimeError("redis-server is not installed (make setup installs it)")
    port = _free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
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
    url = f"redis://127.0.0.1:{port}/{TEST_DB}"
    try:
        for _ in range(100):
            if _answers(url):
                break
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)

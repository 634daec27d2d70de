"""Workers say they are alive: a heartbeat key in Redis with a time to live.

The main process of every worker rewrites ``milestones:worker:<name>`` every
WORKER_HEARTBEAT_SECONDS with what it serves; the key expires after three
missed beats, so a worker that died, froze or lost its network disappears from
the list on its own. Nothing here touches the database (no migration, no
write load), and a flushed Redis is refilled by the next beat.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import redis
from django.conf import settings

from worker import broker

logger = logging.getLogger(__name__)
KEY_PREFIX = "milestones:worker:"
MISSED_BEATS = 3


@dataclass(frozen=True)
class WorkerInfo:
    name: str
    queues: tuple[str, ...]
    concurrency: int
    gpus: tuple[int, ...]
    pid: int
    started_at: float
    beat_at: float
    # What its runs get, for the challenge pages (which may be served by another
    # machine): the cores each run is pinned to (0: not said) and every
    # distribution of each runtime it has built, as the runtime's marker lists them.
    cpus_per_run: int = 0
    runtimes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def seconds_since_beat(self) -> float:
        return max(0.0, time.time() - self.beat_at)

    @property
    def started(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.started_at, tz=dt.UTC)

    def to_json(self) -> str:
        return json.dumps({**self.__dict__, "queues": list(self.queues), "gpus": list(self.gpus)})

    @classmethod
    def from_json(cls, text: bytes | str) -> WorkerInfo:
        data = json.loads(text)
        return cls(
            name=str(data["name"]),
            queues=tuple(data["queues"]),
            concurrency=int(data["concurrency"]),
            gpus=tuple(data.get("gpus", ())),
            pid=int(data["pid"]),
            started_at=float(data["started_at"]),
            beat_at=float(data["beat_at"]),
            cpus_per_run=int(data.get("cpus_per_run", 0)),
            runtimes={str(k): [str(p) for p in v] for k, v in data.get("runtimes", {}).items()},
        )


class Heartbeat:
    """A daemon thread in the worker's main process; ``stop`` removes the key."""

    def __init__(
        self,
        *,
        name: str,
        queues: Sequence[str],
        concurrency: int,
        gpus: Sequence[int],
        cpus_per_run: int = 0,
        runtimes: dict[str, list[str]] | None = None,
    ) -> None:
        self.info = WorkerInfo(
            name=name,
            queues=tuple(queues),
            concurrency=concurrency,
            gpus=tuple(gpus),
            pid=os.getpid(),
            started_at=time.time(),
            beat_at=0.0,
            cpus_per_run=cpus_per_run,
            runtimes=dict(runtimes or {}),
        )
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="milestones-heartbeat", daemon=True)

    def start(self) -> None:
        self.beat()
        self._thread.start()

    def beat(self) -> None:
        every = settings.WORKER_HEARTBEAT_SECONDS
        info = WorkerInfo(**{**self.info.__dict__, "beat_at": time.time()})
        try:
            broker.client().set(
                KEY_PREFIX + info.name, info.to_json(), ex=max(1, round(every * MISSED_BEATS))
            )
        except redis.RedisError:
            logger.warning("worker heartbeat could not reach Redis")

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(redis.RedisError):  # else it expires on its own
            broker.client().delete(KEY_PREFIX + self.info.name)

    def _run(self) -> None:
        while not self._stopped.wait(settings.WORKER_HEARTBEAT_SECONDS):
            self.beat()


def workers_alive() -> list[WorkerInfo] | None:
    """Every worker whose heartbeat has not expired; None when Redis is unreachable."""
    try:
        connection = broker.client()
        keys = sorted(connection.scan_iter(match=KEY_PREFIX + "*", count=500))
        values = connection.mget(keys) if keys else []
    except redis.RedisError:
        return None
    return [WorkerInfo.from_json(value) for value in values if value is not None]

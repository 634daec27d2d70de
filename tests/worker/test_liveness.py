"""Workers say they are alive: heartbeats in Redis, seen until they stop or expire."""

from __future__ import annotations

import socket
import time

import pytest

from tests.support.waiting import wait_for
from worker import liveness
from worker.queues import SUBMISSION_QUEUES

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_heartbeat_is_seen_until_it_stops_or_expires(settings, broker):
    settings.WORKER_HEARTBEAT_SECONDS = 1
    beating = liveness.Heartbeat(name="cpu@a", queues=["cpu"], concurrency=2, gpus=[])
    silent = liveness.Heartbeat(name="gpu@b", queues=["gpu"], concurrency=1, gpus=[0])
    beating.start()
    silent.beat()  # one beat, then silence: like a frozen or killed worker
    try:
        names = {w.name for w in liveness.workers_alive() or []}
        assert names == {"cpu@a", "gpu@b"}
        wait_for(
            lambda: {w.name for w in liveness.workers_alive() or []} == {"cpu@a"},
            timeout=10,
            what="the silent worker's heartbeat to expire",
        )
    finally:
        beating.stop()
    assert liveness.workers_alive() == []


@pytest.mark.integration
def test_a_real_worker_is_alive_while_it_runs_and_gone_when_stopped(
    xor_challenge, broker, start_worker
):
    worker = start_worker("alive")
    name = f"alive@{socket.gethostname()}"
    found = wait_for(
        lambda: [w for w in liveness.workers_alive() or [] if w.name == name],
        timeout=30,
        what="the worker's heartbeat",
    )
    assert found[0].queues == tuple(sorted([*SUBMISSION_QUEUES, "maintenance"]))
    assert found[0].concurrency == 1
    assert found[0].seconds_since_beat < 30
    worker.stop()
    time.sleep(0.5)
    assert name not in {w.name for w in liveness.workers_alive() or []}

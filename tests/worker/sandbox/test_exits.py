"""Waiting for killed processes: woken by the first exit, or held until the last."""

from __future__ import annotations

import os
import time

from worker.sandbox import exits


def _child(seconds: float) -> int:
    pid = os.fork()
    if pid == 0:
        time.sleep(seconds)
        os._exit(0)
    return pid


def test_a_wait_ends_when_a_watched_process_exits_not_after_its_timeout():
    pid = _child(0.2)
    began = time.monotonic()
    try:
        with exits.watching() as seen:
            seen.watch([pid])
            seen.wait_one(10.0)
    finally:
        os.waitpid(pid, 0)
    assert 0.15 < time.monotonic() - began < 5.0


def test_waiting_for_all_waits_for_the_last_one():
    pids = [_child(0.05), _child(0.3)]
    began = time.monotonic()
    try:
        with exits.watching() as seen:
            seen.watch(pids)
            seen.wait_all(time.monotonic() + 10.0)
    finally:
        for pid in pids:
            os.waitpid(pid, 0)
    assert 0.25 < time.monotonic() - began < 5.0


def test_with_nothing_left_to_watch_a_wait_is_a_plain_pause():
    pid = _child(0)
    os.waitpid(pid, 0)
    with exits.watching() as seen:
        seen.watch([pid])  # gone: nothing to watch
        began = time.monotonic()
        seen.wait_one(0.05)
        seen.wait_all(time.monotonic() + 10.0)
    assert 0.04 < time.monotonic() - began < 1.0

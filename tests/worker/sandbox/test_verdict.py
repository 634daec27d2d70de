"""From what a backend observed to a status: the platform's own kills come first."""

from __future__ import annotations

import signal

import pytest

from worker.sandbox import Status
from worker.sandbox.verdict import Observed, decide, limit_hit

KILLED = {"exit_code": None, "signal": signal.SIGKILL}


@pytest.mark.parametrize(
    ("seen", "status"),
    [
        (Observed(exit_code=0, signal=None), Status.OK),
        (Observed(exit_code=1, signal=None), Status.CRASHED),
        (Observed(exit_code=None, signal=signal.SIGSEGV), Status.CRASHED),
        (Observed(**KILLED, time_exceeded=True), Status.TIME_LIMIT),
        (Observed(exit_code=None, signal=signal.SIGXCPU), Status.TIME_LIMIT),
        (Observed(**KILLED, cpu_seconds=3.0, cpu_limit=2.0), Status.TIME_LIMIT),
        (Observed(**KILLED, cpu_seconds=0.5, cpu_limit=2.0), Status.CRASHED),
        (Observed(**KILLED, memory_exceeded=True), Status.MEMORY_LIMIT),
        (Observed(exit_code=1, signal=None, memory_exceeded=True), Status.MEMORY_LIMIT),
        (Observed(exit_code=0, signal=None, memory_exceeded=True), Status.OK),
        (Observed(exit_code=0, signal=None, output_exceeded=True), Status.OUTPUT_LIMIT),
        (Observed(exit_code=None, signal=signal.SIGXFSZ), Status.OUTPUT_LIMIT),
        (Observed(**KILLED, cancelled=True, time_exceeded=True), Status.CANCELLED),
        # SIGTERM is only sent as the warning, to a program that catches it: ending
        # by it (its handler re-raised it) is the limit's doing; ending well is ok.
        (Observed(exit_code=None, signal=signal.SIGTERM, warned_of="wall"), Status.TIME_LIMIT),
        (Observed(exit_code=None, signal=signal.SIGTERM), Status.CRASHED),
        (Observed(exit_code=0, signal=None, warned_of="cpu"), Status.OK),
    ],
)
def test_what_was_observed_decides_the_status(seen: Observed, status: Status):
    assert decide(seen) is status


@pytest.mark.parametrize(
    ("seen", "hit"),
    [
        (Observed(**KILLED, time_exceeded=True, stopped_at="wall"), "wall"),
        (Observed(**KILLED, time_exceeded=True, stopped_at="cpu"), "cpu"),
        (Observed(exit_code=None, signal=signal.SIGXCPU), "cpu"),
        (Observed(**KILLED, cpu_seconds=3.0, cpu_limit=2.0), "cpu"),
        (Observed(exit_code=None, signal=signal.SIGTERM, warned_of="wall"), "wall"),
        (Observed(exit_code=0, signal=None, warned_of="wall"), None),
        (Observed(**KILLED, memory_exceeded=True), None),
    ],
)
def test_a_time_limit_says_which_limit_it_was(seen: Observed, hit: str | None):
    assert limit_hit(seen) == hit

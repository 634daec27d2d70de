"""A failed run's reason says which limit it hit and where the other stood."""

from __future__ import annotations

from tests.support.sandbox import limits
from worker.reasons import failure_reason
from worker.sandbox import SandboxResult, Status


def _timed_out(wall: float, cpu: float) -> SandboxResult:
    return SandboxResult(Status.TIME_LIMIT, None, 9, wall, cpu, 1 << 20, "")


def test_a_program_stopped_by_the_clock_is_told_it_was_the_wall_clock():
    reason = failure_reason(_timed_out(60.4, 3.2), limits(wall_seconds=60, cpu_seconds=60))
    assert "its wall-clock time limit (60 s) after 60.4 s of wall time and 3.2 s of CPU" in reason


def test_a_program_that_used_its_cpu_time_is_told_so():
    reason = failure_reason(_timed_out(41.0, 30.0), limits(wall_seconds=600, cpu_seconds=30))
    assert "its CPU time limit (30 s) after 41.0 s of wall time and 30.0 s of CPU" in reason

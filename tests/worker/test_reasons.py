"""A failed run's reason says which limit it hit, at what point, and what the
warning before the limit did."""

from __future__ import annotations

from tests.support.sandbox import limits
from worker.reasons import failure_reason
from worker.sandbox import SandboxResult, Status


def _timed_out(wall: float, cpu: float, **seen: object) -> SandboxResult:
    return SandboxResult(Status.TIME_LIMIT, None, 9, wall, cpu, 1 << 20, "", **seen)  # type: ignore[arg-type]


def test_a_program_stopped_by_the_clock_is_told_it_was_the_wall_clock():
    result = _timed_out(60.4, 3.2, limit_hit="wall")
    reason = failure_reason(result, limits(wall_seconds=60, cpu_seconds=60))
    assert (
        "stopped at its wall-clock time limit of 60 s, after 60.4 s of wall time and 3.2 s of CPU"
        in reason
    )


def test_a_program_that_used_its_cpu_time_is_told_so_and_when():
    result = _timed_out(612.0, 600.2, limit_hit="cpu")
    reason = failure_reason(result, limits(wall_seconds=1200, cpu_seconds=600))
    assert (
        "stopped at its CPU-time limit of 600 s, after 612.0 s of wall time (600.2 s of CPU)"
        in reason
    )
    # It did not catch SIGTERM: it is told the warning exists.
    assert "catches SIGTERM is sent it 30 s before the CPU-time limit" in reason


def test_without_the_backends_word_the_limit_is_read_from_the_cpu_used():
    reason = failure_reason(_timed_out(41.0, 30.0), limits(wall_seconds=600, cpu_seconds=30))
    assert "CPU-time limit of 30 s" in reason


def test_a_program_that_was_warned_and_ran_on_is_told_it_was_warned():
    result = _timed_out(60.3, 10.0, limit_hit="wall", warned_of="wall")
    reason = failure_reason(result, limits(wall_seconds=60, cpu_seconds=60))
    assert (
        "sent the warning, SIGTERM, 6 s before its wall-clock time limit, and was still running"
        in reason
    )


def test_a_warned_program_that_crashed_is_told_both():
    crashed = SandboxResult(Status.CRASHED, 1, None, 55.0, 50.0, 1 << 20, "", warned_of="wall")
    reason = failure_reason(crashed, limits(wall_seconds=60, cpu_seconds=60))
    assert reason.startswith("Your program exited with code 1")
    assert reason.endswith("sent the warning, SIGTERM, 6 s before its wall-clock time limit.")

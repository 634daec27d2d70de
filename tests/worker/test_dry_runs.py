"""A dry run's limits: the challenge's, capped (worker.dry_runs)."""

from __future__ import annotations

from worker.dry_runs import capped
from worker.sandbox import Limits

MiB = 1 << 20


def _limits(wall: float, cpu: float) -> Limits:
    return Limits(
        wall_seconds=wall,
        cpu_seconds=cpu,
        memory_bytes=1024 * MiB,
        processes=64,
        output_bytes=16 * MiB,
        tmp_bytes=256 * MiB,
    )


def test_the_cap_applies_to_wall_time_and_to_cpu_time_per_core():
    cut = capped(_limits(1200, 900), seconds=20, cores=2)
    assert (cut.wall_seconds, cut.cpu_seconds, cut.memory_bytes) == (20, 40, 1024 * MiB)


def test_limits_below_the_cap_stay_as_they_are():
    kept = capped(_limits(10, 5), seconds=20, cores=1)
    assert (kept.wall_seconds, kept.cpu_seconds) == (10, 5)

"""The cheap pass that skips a reading with no run of LABEL_WINDOW small values
never skips one that has such a run, wherever the run starts."""

from __future__ import annotations

import numpy as np

from graders.contamination.fingerprints import LABEL_WINDOW
from graders.contamination.scan import _may_hold_a_window


def _longest_run(small: np.ndarray) -> int:
    best = run = 0
    for value in small.tolist():
        run = run + 1 if value else 0
        best = max(best, run)
    return best


def test_a_run_of_a_window_is_never_missed_and_shorter_runs_are_skipped():
    rng = np.random.default_rng(7)
    for _ in range(400):
        small = rng.random(int(rng.integers(1, 700))) < 0.6
        length = int(rng.integers(LABEL_WINDOW - 2, LABEL_WINDOW + 3))
        if length <= len(small):
            start = int(rng.integers(0, len(small) - length + 1))
            small[start : start + length] = True
        if _longest_run(small) >= LABEL_WINDOW:
            assert _may_hold_a_window(small), "a window of small values was skipped"
    assert not _may_hold_a_window(np.tile([True] * (LABEL_WINDOW // 2 - 1) + [False], 40))
    assert not _may_hold_a_window(np.ones(LABEL_WINDOW // 2 - 1, dtype=bool))


def test_strided_readings_are_checked_as_they_read():
    data = np.full(1000, 200, dtype=np.uint8)
    data[3::4][:LABEL_WINDOW] = 5  # the low byte of LABEL_WINDOW 4-byte integers
    assert _may_hold_a_window(data[3::4] <= 9)
    assert not _may_hold_a_window(data[0::4] <= 9)

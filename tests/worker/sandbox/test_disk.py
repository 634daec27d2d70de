"""A run's own disk: a tmpfs of its own, unmounted when the run ends, its folder gone."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from worker.sandbox import disk


@pytest.mark.skipif(os.geteuid() != 0, reason="only root mounts a run's disk")
def test_a_run_disk_is_unmounted_at_its_end_and_its_folder_removed_soon_after(tmp_path: Path):
    with disk.run_disk(size_bytes=1024 * 1024, parent=tmp_path) as own:
        assert own.bounded and os.path.ismount(own.root)
        own.log.write_text("kept nowhere")
    assert not os.path.ismount(own.root)  # at once: nothing of the run stays mounted
    deadline = time.monotonic() + 10
    while own.root.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not own.root.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_plain_folder_disk_is_removed_at_its_end(tmp_path: Path):
    with disk.run_disk(size_bytes=1024 * 1024, parent=tmp_path, mount=False) as own:
        assert not own.bounded
        own.log.write_text("x")
    assert list(tmp_path.iterdir()) == []

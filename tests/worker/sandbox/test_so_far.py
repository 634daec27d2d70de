"""A Watcher tick is shown the run as it stands, on every backend: its log so far
(lines appear while it runs, not at its end) and the CPU time it has used."""

from __future__ import annotations

from tests.support.sandbox import Runner
from worker.sandbox import Status
from worker.sandbox.base import Channel, RunSoFar, Watcher
from worker.sandbox.launch import until_finished


class Recorder(Watcher):
    def __init__(self) -> None:
        self.seen: list[tuple[str, float | None]] = []

    def __call__(self) -> bool:
        return True

    def see(self, so_far: RunSoFar) -> None:
        self.seen.append((so_far.log(), so_far.cpu_seconds))


PROGRAM = """
import time
for step in range(6):
    print(f"line {step}", flush=True)
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        pass  # busy: CPU time to see
"""


def test_the_watcher_sees_the_log_grow_while_the_program_runs(run_program: Runner):
    recorder = Recorder()
    result = run_program(PROGRAM, tick=recorder, wall_seconds=60, cpu_seconds=60)
    assert result.status is Status.OK, result.log_tail
    logs = [log for log, _ in recorder.seen]
    # Seen part-way: some look held the first line and not yet the last.
    assert any("line 0" in log and "line 5" not in log for log in logs), logs
    used = [cpu for _, cpu in recorder.seen if cpu is not None]
    assert used and max(used) > 0.2


class Ending(Channel):
    """A conversation over after ``turns`` looks."""

    def __init__(self, turns: int) -> None:
        self.turns = turns

    def converse(self, **_: object) -> None:
        pass

    def finished(self) -> bool:
        self.turns -= 1
        return self.turns < 0


def test_a_watcher_is_shown_the_run_before_each_tick_and_a_channel_still_ends_it():
    recorder = Recorder()
    so_far = RunSoFar(cpu_seconds=1.0, memory_bytes=2, log=lambda: "so far")
    tick = until_finished(recorder, Ending(turns=2), so_far=lambda: so_far)
    assert tick is not None
    assert [tick(), tick(), tick()] == [True, True, False]
    assert recorder.seen == [("so far", 1.0)] * 2  # not shown once the conversation is over


def test_a_plain_tick_is_left_as_it_is():
    def plain() -> bool:
        return True

    assert until_finished(plain, None, so_far=lambda: RunSoFar(None, None, str)) is plain

"""The warning before a time limit: when it is due (30 s before a limit, a tenth
of one under 300 s; before the CPU limit at the run's pace) and to whom it goes
(the main process, only if it catches SIGTERM). Real runs: test_contract.py."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from worker.sandbox import warning
from worker.sandbox.warning import TimeWarning


@pytest.mark.parametrize(
    ("limit", "before"), [(10, 1.0), (60, 6.0), (299, 29.9), (300, 30.0), (3600, 30.0)]
)
def test_the_warning_comes_a_tenth_of_a_short_limit_or_30_s_before_a_long_one(limit, before):
    assert warning.margin(limit) == pytest.approx(before)


def test_the_wall_warning_is_due_at_its_margin_and_sent_once():
    tracker = TimeWarning(wall_limit=60, cpu_limit=600)
    assert tracker.due(wall=53.9, cpu=1.0) is None
    assert tracker.due(wall=54.0, cpu=1.0) == "wall"
    assert tracker.due(wall=54.1, cpu=1.0) is None  # tried again only every RETRY_SECONDS
    assert tracker.due(wall=54.0 + warning.RETRY_SECONDS, cpu=1.0) == "wall"
    tracker.sent = "wall"
    assert tracker.due(wall=59.0, cpu=1.0) is None


def test_the_cpu_warning_leaves_the_margin_in_wall_time_at_the_runs_pace():
    one_core = TimeWarning(wall_limit=3600, cpu_limit=600)
    for second in range(571):
        due = one_core.due(wall=float(second), cpu=float(second))
    assert due == "cpu"  # 30 s of CPU before 600, at one CPU second per second

    four_cores = TimeWarning(wall_limit=3600, cpu_limit=600)
    dues = [four_cores.due(wall=s / 4, cpu=float(s)) for s in range(0, 600, 2)]
    first = dues.index("cpu") * 2  # CPU seconds used when it came
    assert 600 - 4 * 30 - 4 <= first <= 600 - 4 * 30 + 4  # 30 s of wall time left, at 4x


def _listener(catches: bool) -> str:
    """A parent that starts one child and waits: the child, the "main process", says
    whether it got SIGTERM."""
    child = textwrap.dedent(f"""
        import signal, sys, time
        if {catches}:
            signal.signal(signal.SIGTERM, lambda *_: (print("got SIGTERM", flush=True), sys.exit(0)))
        print("ready", flush=True)
        time.sleep(30)
    """)
    return f"import subprocess, sys; sys.exit(subprocess.call([sys.executable, '-c', {child!r}]))"


def _run_listener(catches: bool) -> tuple[int, str]:
    parent = subprocess.Popen(
        [sys.executable, "-c", _listener(catches)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline() == "ready\n"
        sent = warning.signal_main(parent.pid, generations=1)
        if sent != warning.SENT:
            return sent, ""
        return sent, parent.communicate(timeout=10)[0]
    finally:
        parent.kill()
        parent.wait()


def test_the_main_process_is_sent_sigterm_when_it_catches_it():
    sent, printed = _run_listener(catches=True)
    assert sent == warning.SENT and "got SIGTERM" in printed


def test_a_main_process_that_does_not_listen_is_never_sent_it():
    began = time.monotonic()
    sent, _ = _run_listener(catches=False)
    assert sent == warning.NOT_LISTENING
    assert time.monotonic() - began < 10


def test_no_program_is_said_when_the_init_has_no_child():
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as lonely:
        try:
            assert warning.signal_main(lonely.pid) == warning.NO_PROGRAM
        finally:
            lonely.kill()


def test_the_source_run_inside_a_container_is_a_whole_program():
    compile(warning.IN_CONTAINER, "<in-container>", "exec")
    assert warning.IN_CONTAINER.rstrip().endswith("raise SystemExit(signal_main(1))")

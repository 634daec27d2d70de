"""Cancelling: a queued submission never runs; a running one is killed within a
second (the sandbox's tick reads the row every half second); neither is charged."""

from __future__ import annotations

import os
import threading
import time

import pytest

from server.submissions.allowance import allowance_of
from server.submissions.models import Submission
from server.submissions.services import submission_cancel
from tests.support.processes import command_line, descendants, wait_all_gone
from tests.support.programs import trivial_code
from tests.support.waiting import wait_for
from worker.execution import execute_submission

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def _program(processes: dict[int, int]) -> dict[int, int]:
    return {pid: t for pid, t in processes.items() if "/submission/main.py" in command_line(pid)}


def _sandbox(processes: dict[int, int]) -> dict[int, int]:
    """bwrap, the sandbox's init and the program (not this session's redis-server)."""
    return {
        pid: t
        for pid, t in processes.items()
        if "/submission/main.py" in command_line(pid) or "bwrap" in command_line(pid)
    }


def test_a_running_submission_is_killed_within_a_second_and_not_charged(make_user, make_submission):
    student = make_user()
    code = trivial_code(sleep=60, extra="print('training started', flush=True)")
    submission = make_submission(student, state="queued", code=code)
    runner = threading.Thread(target=execute_submission, kwargs={"submission_id": submission.id})
    runner.start()
    program = wait_for(
        lambda: _program(descendants(os.getpid())),
        timeout=60,
        what="the sandboxed program to start",
    )
    sandbox = _sandbox(descendants(os.getpid()))
    time.sleep(0.5)  # it has printed its first line
    assert submission_cancel(submission=Submission.objects.get(id=submission.id))
    killed_after = wait_all_gone(program, timeout=10)
    runner.join(timeout=30)
    assert not runner.is_alive()
    wait_all_gone(sandbox, timeout=10)  # bwrap and the sandbox's init too
    submission.refresh_from_db()
    assert submission.state == "cancelled"
    assert submission.public_score is None
    # The log of what ran is kept, with what it used.
    assert submission.sandbox_status == "cancelled"
    assert "training started" in submission.log_tail
    assert submission.wall_seconds is not None
    assert allowance_of(user=student, challenge=submission.challenge).used == 0
    assert killed_after < 1.0, f"the sandbox was killed {killed_after:.2f} s after the cancel"


def test_a_cancelled_queued_submission_never_runs(make_user, make_submission):
    submission = make_submission(make_user(), state="queued", code=trivial_code())
    assert submission_cancel(submission=submission)
    started = time.monotonic()
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert (submission.state, submission.attempt) == ("cancelled", 0)
    assert time.monotonic() - started < 5


def test_a_cancelled_run_keeps_the_log_of_what_ran(make_user, make_submission):
    code = trivial_code(sleep=60, extra="import sys\nprint('epoch 1 done', file=sys.stderr)")
    submission = make_submission(make_user(), state="queued", code=code)
    runner = threading.Thread(target=execute_submission, kwargs={"submission_id": submission.id})
    runner.start()
    wait_for(lambda: _program(descendants(os.getpid())), timeout=60, what="the program to start")
    time.sleep(2)  # let it print (the log is read when the run ends)
    assert submission_cancel(submission=Submission.objects.get(id=submission.id))
    runner.join(timeout=30)
    submission.refresh_from_db()
    assert submission.state == "cancelled"
    assert "epoch 1 done" in submission.log_tail
    assert submission.sandbox_status == "cancelled" and submission.wall_seconds is not None

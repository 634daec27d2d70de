"""(a) SIGKILL a worker in the middle of a run: nothing of the sandbox survives,
and the submission is run again (by another worker, once the lease expires) and
scored exactly once."""

from __future__ import annotations

import os
import signal

import pytest

from server.accounts.models import User
from server.submissions.models import Submission
from tests.chaos.stack import outcomes_logged
from tests.support.pipeline import submit, wait_final
from tests.support.processes import wait_all_gone
from tests.support.programs import trivial_code
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _running_on(submission_id: int, worker_id: str) -> bool:
    row = Submission.objects.get(id=submission_id)
    return row.state == "running" and row.lease_owner == worker_id


@pytest.mark.parametrize("victim", ["main process", "pool process"])
def test_sigkill_mid_run_leaves_nothing_and_scores_exactly_once(client, stack, victim):
    stack.start_reaper()
    doomed = stack.start_worker("doomed")
    client.force_login(User.objects.create_user(username="ada", password="pw-for-tests-1"))
    submission_id = submit(client, "1986-xor-backprop", {"main.py": trivial_code(sleep=6)})
    wait_for(lambda: _running_on(submission_id, doomed.worker_id), timeout=60, what="the run")
    wait_for(doomed.program, timeout=60, what="the sandboxed program")
    sandbox = doomed.sandbox()
    pool = doomed.pool()

    if victim == "main process":
        doomed.process.send_signal(signal.SIGKILL)
        wait_all_gone({pid: 0 for pid in pool} | sandbox, timeout=15)
        rescuer = stack.start_worker("rescuer")
    else:  # the process running the job dies; the worker forks a new one
        os.kill(pool[0], signal.SIGKILL)
        wait_all_gone(sandbox, timeout=15)
        rescuer = doomed

    final = wait_final(submission_id, timeout=180)
    assert final.state == "scored", (final.failure_reason, final.log_tail)
    assert (final.attempt, final.platform_failures) == (2, 1)
    assert final.lease_owner == rescuer.worker_id
    assert outcomes_logged(stack.logs(), submission_id) == ["attempt 2 scored"]

"""(c) A worker frozen (SIGSTOP) mid-run loses its lease; another worker runs the
submission again and scores it; when the frozen one wakes up (SIGCONT) and
finishes, its result is discarded: one score, not two."""

from __future__ import annotations

import signal
import time

import pytest

from server.accounts.models import User
from server.submissions.models import Submission
from tests.chaos.stack import discarded_logged, outcomes_logged
from tests.support.pipeline import submit, wait_final
from tests.support.processes import wait_all_gone
from tests.support.programs import trivial_code
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _row(submission_id: int) -> tuple[object, ...]:
    return tuple(
        Submission.objects.filter(id=submission_id).values_list(
            "state", "attempt", "public_score", "private_score", "finished_at", "lease_owner"
        )[0]
    )


def test_a_frozen_worker_that_wakes_up_after_losing_its_lease_does_not_score_again(client, stack):
    stack.start_reaper()
    sleepy = stack.start_worker("sleepy")
    client.force_login(User.objects.create_user(username="ada", password="pw-for-tests-1"))
    submission_id = submit(client, "1986-xor-backprop", {"main.py": trivial_code(sleep=3)})
    wait_for(
        lambda: Submission.objects.get(id=submission_id).state == "running",
        timeout=60,
        what="the run",
    )
    wait_for(sleepy.program, timeout=60, what="the sandboxed program")
    sandbox = sleepy.sandbox()
    sleepy.signal_group(signal.SIGSTOP)  # the worker and its pool; the sandbox runs on
    frozen_at = time.monotonic()

    awake = stack.start_worker("awake")
    final = wait_final(submission_id, timeout=180)
    assert final.state == "scored", (final.failure_reason, final.log_tail)
    assert (final.attempt, final.lease_owner) == (2, awake.worker_id)
    assert time.monotonic() - frozen_at > 5  # the lease (5 s) had to run out first
    scored = _row(submission_id)

    sleepy.signal_group(signal.SIGCONT)
    wait_for(
        lambda: discarded_logged([sleepy.log()], submission_id),
        timeout=60,
        what="the woken worker to finish and discard its result",
    )
    wait_all_gone(sandbox, timeout=15)
    time.sleep(1)
    assert _row(submission_id) == scored
    assert outcomes_logged(stack.logs(), submission_id) == ["attempt 2 scored"]
    assert discarded_logged(stack.logs(), submission_id) == ["attempt 1"]

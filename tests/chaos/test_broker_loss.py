"""(b) Redis flushed, or restarted without persistence, while submissions are
queued (and one is running): every one of them is still scored, each once.
The database is the source of truth; the reaper sends again what was lost."""

from __future__ import annotations

import pytest

from server.accounts.models import User
from server.submissions.models import Submission
from tests.chaos.stack import outcomes_logged
from tests.support.pipeline import submit, wait_final
from tests.support.programs import trivial_code
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
STUDENTS = 5


def _submit_from_several_students(client) -> list[int]:  # type: ignore[no-untyped-def]
    # Accounts first (hashing a password is slower than an upload), so the
    # uploads come together and a queue builds up behind the first run.
    students = [
        User.objects.create_user(username=f"s{n}", password="pw-for-tests-1")
        for n in range(STUDENTS)
    ]
    ids = []
    for student in students:
        client.force_login(student)
        ids.append(submit(client, "1986-xor-backprop", {"main.py": trivial_code(sleep=2)}))
    return ids


def _one_running(ids: list[int]) -> bool:
    return Submission.objects.filter(id__in=ids, state="running").exists()


@pytest.mark.parametrize("loss", ["flush", "restart"])
def test_every_queued_submission_is_scored_after_redis_loses_everything(client, stack, loss):
    stack.start_reaper()
    stack.start_worker("survivor")
    ids = _submit_from_several_students(client)
    wait_for(lambda: _one_running(ids), timeout=60, what="a run in progress")
    assert Submission.objects.filter(id__in=ids, state="queued").count() >= 2
    if loss == "flush":
        # Flush and look in one transaction: the reaper may send again at once.
        _, left = (
            stack.redis.client().pipeline(transaction=True).flushall().llen("cpu-short").execute()
        )
        assert left == 0  # the messages are gone
    else:
        before = stack.redis.client().info("server")["run_id"]
        stack.redis.restart()
        # A new server without persistence: nothing queued survived.
        assert stack.redis.client().info("server")["run_id"] != before

    finals = [wait_final(i, timeout=180) for i in ids]
    assert [f.state for f in finals] == ["scored"] * STUDENTS, [
        (f.failure_reason, f.log_tail[-300:]) for f in finals
    ]
    logs = stack.logs()
    for final in finals:
        assert outcomes_logged(logs, final.id) == [f"attempt {final.attempt} scored"]

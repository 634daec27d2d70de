"""A real worker with two processes on this host: each concurrent run is pinned
to cores of its own (the host's cores divided by the worker's concurrency)."""

from __future__ import annotations

import os
import re

import pytest

from server.accounts.models import User
from tests.support.pipeline import submit, wait_final
from tests.support.programs import trivial_code

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SHOW = "import os; print('affinity', sorted(os.sched_getaffinity(0)))"


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPU cores")
def test_two_concurrent_runs_are_pinned_to_disjoint_cores(client, stack):
    stack.start_reaper()  # beat on the maintenance queue: it dispatches the uploads
    stack.start_worker("pair", concurrency=2)
    ids = []
    for name in ("ada", "bob"):
        client.force_login(User.objects.create_user(username=name, password="pw-for-tests-1"))
        ids.append(
            submit(client, "1986-xor-backprop", {"main.py": trivial_code(sleep=3, extra=SHOW)})
        )
    finals = [wait_final(i, timeout=120) for i in ids]
    assert [f.state for f in finals] == ["scored", "scored"], [f.failure_reason for f in finals]
    a, b = finals
    assert a.started_at < b.finished_at and b.started_at < a.finished_at  # they overlapped
    cores = [set(re.search(r"affinity \[([\d, ]+)\]", f.log_tail)[1].split(", ")) for f in finals]
    per_run = len(os.sched_getaffinity(0)) // 2
    assert [len(c) for c in cores] == [per_run, per_run]
    assert not cores[0] & cores[1]

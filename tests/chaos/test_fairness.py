"""Nobody starved: one student submits 30, ten others submit one each a moment
later, one worker: every one of the ten is scored before the heavy student's
10th job starts."""

from __future__ import annotations

import pytest

from server.accounts.models import User
from server.submissions.models import Submission
from tests.support.pipeline import submit, wait_final
from tests.support.programs import trivial_code
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SLUG = "1986-xor-backprop"
# Each job takes a second, so the ten arrive "a moment later": while the heavy
# student's first jobs run, not after the worker has already reached the tenth.
CODE = trivial_code(sleep=1.0)


def _students(*names: str) -> list[User]:
    # Made first: hashing a password takes longer than an upload.
    return [User.objects.create_user(username=name, password="pw-for-tests-1") for name in names]


def _started(submission_id: int) -> bool:
    row = Submission.objects.get(id=submission_id)
    return row.started_at is not None or row.is_final


def test_ten_single_submissions_all_finish_before_the_heavy_students_tenth_starts(
    client, stack, platform_settings
):
    platform_settings.SUBMISSIONS_PER_DAY = 100
    stack.start_reaper()
    stack.start_worker("only")
    heavy_student, *light_students = _students("heavy", *(f"light{n}" for n in range(10)))
    client.force_login(heavy_student)
    heavy = [submit(client, SLUG, {"main.py": CODE}) for _ in range(30)]
    light = []
    for student in light_students:
        client.force_login(student)
        light.append(submit(client, SLUG, {"main.py": CODE}))

    wait_for(lambda: _started(heavy[9]), timeout=600, what="the heavy student's 10th job")
    tenth = Submission.objects.get(id=heavy[9])
    last_light = Submission.objects.get(id=light[-1])
    assert last_light.created_at < tenth.started_at, "the ten came too late to be tested"
    finals = [wait_final(i, timeout=60) for i in light]
    assert [f.state for f in finals] == ["scored"] * 10, [f.failure_reason for f in finals]
    late = [f.id for f in finals if f.finished_at > tenth.started_at]
    assert not late, f"scored after the heavy student's 10th job started: {late}"
    assert (
        max(
            Submission.objects.filter(user__username="heavy", state__in=("queued", "running"))
            .values_list("id", flat=True)
            .count(),
            0,
        )
        <= platform_settings.MAX_ACTIVE_JOBS_PER_USER
    )

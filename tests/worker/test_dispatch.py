"""Dispatch: a per-participant cap that holds when dispatchers race, an order that
puts those who used the least compute first and interleaves participants, and a
queue per device and lane."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from server.submissions import lifecycle
from server.submissions.models import Submission
from server.submissions.queueing import PendingRow as Candidate
from tests.support.threads import run_in_threads
from worker import broker as broker_module
from worker import dispatch, liveness
from worker.dispatch import fair_order

pytestmark = pytest.mark.django_db(transaction=True)
T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _candidate(submission_id: int, user_id: int, rank: int, seconds: int) -> Candidate:
    when = T0 + dt.timedelta(seconds=seconds)
    return Candidate(submission_id, user_id, None, 1, "none", 60.0, rank, when)


def test_fair_order_interleaves_participants_oldest_first():
    heavy = [_candidate(i, user_id=1, rank=i, seconds=i) for i in (1, 2, 3)]
    others = [_candidate(10 + u, user_id=u, rank=1, seconds=100 + u) for u in (2, 3)]
    order = [c.submission_id for c in fair_order(heavy + others, Counter())]
    assert order == [1, 12, 13, 2, 3]


def test_fair_order_puts_those_already_running_after_those_waiting():
    busy = _candidate(1, user_id=1, rank=1, seconds=0)
    idle = _candidate(2, user_id=2, rank=1, seconds=50)
    assert [c.submission_id for c in fair_order([busy, idle], Counter({1: 1}))] == [2, 1]


def _active(user) -> int:  # type: ignore[no-untyped-def]
    return Submission.objects.filter(user=user, state__in=("queued", "running")).count()


def test_each_participant_gets_up_to_the_cap_and_the_rest_waits(
    settings, broker, make_user, make_submission
):
    settings.MAX_ACTIVE_JOBS_PER_USER = 2
    heavy, light = make_user(), make_user()
    heavy_rows = [make_submission(heavy) for _ in range(5)]
    light_row = make_submission(light)
    sent = dispatch.dispatch_pending()
    assert set(sent) == {heavy_rows[0].id, heavy_rows[1].id, light_row.id}
    assert _active(heavy) == 2
    assert broker_module.queue_depth("cpu-short") == 3
    assert broker_module.sent_ids() == set(sent)


def test_a_backlog_of_one_participant_does_not_hide_the_others(
    settings, broker, make_user, make_submission
):
    settings.MAX_ACTIVE_JOBS_PER_USER = 1
    heavy = make_user()
    first = make_submission(heavy)
    Submission.objects.bulk_create(
        Submission(
            user=heavy,
            challenge=first.challenge,
            token=f"bulk-{i}",
            upload=first.upload.name,
            original_name="main.py",
            created_at=timezone.now(),
        )
        for i in range(40)
    )
    others = [make_submission(make_user()) for _ in range(3)]
    sent = dispatch.dispatch_pending(batch=10)
    assert set(sent) == {first.id, *(o.id for o in others)}


def test_a_waiting_submission_goes_when_one_of_its_participants_jobs_ends(
    settings, broker, make_user, make_submission
):
    settings.MAX_ACTIVE_JOBS_PER_USER = 1
    student = make_user()
    running = make_submission(student, state="running")
    waiting = make_submission(student)
    assert dispatch.dispatch_pending() == []
    Submission.objects.filter(id=running.id).update(state="scored")
    assert dispatch.dispatch_pending() == [waiting.id]


def test_the_cap_holds_when_dispatchers_race_for_different_rows(
    settings, broker, make_user, make_submission, monkeypatch
):
    """The site, every worker and the reaper dispatch at once, each picking another
    of one participant's rows: never past the cap. Meaningful on PostgreSQL (the
    participant's row lock); SQLite serialises its writers anyway."""
    settings.MAX_ACTIVE_JOBS_PER_USER = 2
    held = lifecycle._held

    def slow_held(user_id: int) -> int:
        count = held(user_id)
        time.sleep(0.2)  # widen the window between counting and moving
        return count

    monkeypatch.setattr(lifecycle, "_held", slow_held)
    student = make_user()
    rows = [make_submission(student) for _ in range(4)]
    candidates = [Candidate(r.id, student.id, None, 1, "none", 60.0, 1, r.created_at) for r in rows]
    barrier = threading.Barrier(len(candidates))
    moved: list[bool] = []
    errors: list[BaseException] = []

    def race(candidate: Candidate) -> None:
        try:
            barrier.wait(timeout=30)
            moved.append(
                lifecycle.enqueue(
                    submission_id=candidate.submission_id,
                    user_id=candidate.user_id,
                    cap=2,
                    queue="cpu-short",
                )
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    run_in_threads(race, [(c,) for c in candidates], timeout=120)
    assert not errors, errors
    assert sorted(moved) == [False, False, True, True]
    assert _active(student) == 2


def test_many_dispatchers_at_once_send_each_submission_once(
    settings, broker, make_user, make_submission
):
    settings.MAX_ACTIVE_JOBS_PER_USER = 2
    students = [make_user() for _ in range(3)]
    for student in students:
        for _ in range(4):
            make_submission(student)
    barrier = threading.Barrier(4)

    def race() -> None:
        try:
            barrier.wait(timeout=30)
            dispatch.dispatch_pending()
        finally:
            connection.close()

    run_in_threads(race, [() for _ in range(4)], timeout=120)
    assert [_active(student) for student in students] == [2, 2, 2]
    assert broker_module.queue_depth("cpu-short") == 6


def _gpu_worker(name: str = "gpu@host") -> liveness.Heartbeat:
    worker = liveness.Heartbeat(
        name=name, queues=["gpu-long", "gpu-short"], concurrency=1, gpus=[0]
    )
    worker.beat()
    return worker


def test_an_optional_gpu_challenge_goes_to_the_gpu_while_a_gpu_worker_is_alive(
    broker, make_user, make_submission
):
    submission = make_submission(make_user())
    type(submission.challenge).objects.filter(pk=submission.challenge_id).update(gpu="optional")
    _gpu_worker()
    assert dispatch.dispatch_pending() == [submission.id]
    assert broker_module.queue_depth("gpu-short") == 1
    assert broker_module.queue_depth("cpu-short") == 0


def test_without_a_gpu_worker_optional_runs_on_the_cpu_and_required_waits_for_one(
    broker, make_user, make_submission
):
    optional = make_submission(make_user())
    type(optional.challenge).objects.filter(pk=optional.challenge_id).update(gpu="optional")
    dispatch.dispatch_pending()
    assert broker_module.queue_depth("cpu-short") == 1
    Submission.objects.filter(id=optional.id).update(state="scored")
    required = make_submission(make_user())
    type(required.challenge).objects.filter(pk=required.challenge_id).update(gpu="required")
    dispatch.dispatch_pending()
    assert Submission.objects.get(id=required.id).queue == "gpu-short"


def test_a_long_challenge_goes_to_the_long_lane_until_its_runs_prove_short(
    settings, broker, make_user, make_submission
):
    settings.SHORT_LANE_SECONDS = 120
    first = make_submission(make_user())
    challenge = first.challenge
    type(challenge).objects.filter(pk=challenge.pk).update(
        limits={**challenge.limits, "wall_seconds": 900}
    )
    dispatch.dispatch_pending()
    assert Submission.objects.get(id=first.id).queue == "cpu-long"
    now = timezone.now()
    for _ in range(3):  # runs that took 4 s: the lane follows them, not the limit
        make_submission(make_user(), state="scored").__class__.objects.filter(
            state="scored", wall_seconds__isnull=True
        ).update(wall_seconds=4.0, finished_at=now)
    second = make_submission(make_user())
    dispatch.dispatch_pending()
    assert Submission.objects.get(id=second.id).queue == "cpu-short"


def test_those_who_used_the_least_compute_today_go_first(
    settings, broker, make_user, make_submission
):
    settings.MAX_ACTIVE_JOBS_PER_USER = 1
    busy, fresh = make_user(), make_user()
    done = make_submission(busy, state="scored")
    Submission.objects.filter(id=done.id).update(cpu_seconds=500.0, finished_at=timezone.now())
    older = make_submission(busy)
    newer = make_submission(fresh)
    assert dispatch.dispatch_pending() == [newer.id, older.id]


def test_a_run_past_its_compute_budget_is_refused_with_the_reason_and_the_rest_go(
    settings, broker, make_user, make_submission
):
    settings.MAX_ACTIVE_JOBS_PER_USER = 2
    spender, other = make_user(), make_user()
    ran = make_submission(spender, state="scored")
    challenge = ran.challenge
    type(challenge).objects.filter(pk=challenge.pk).update(cpu_budget_seconds=100)
    Submission.objects.filter(id=ran.id).update(cpu_seconds=90.0, finished_at=timezone.now())
    refused = make_submission(spender)  # the last run took 90 s: 90 + 90 > 100
    fine = make_submission(other)
    assert dispatch.dispatch_pending() == [fine.id]
    row = Submission.objects.get(id=refused.id)
    assert row.state == "cancelled"
    assert row.failure_reason.startswith("Not run: it would go past the CPU budget")
    assert broker_module.sent_ids() == {fine.id}

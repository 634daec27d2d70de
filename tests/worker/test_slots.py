"""GPU and CPU slots: one job per GPU, each job pinned to cores of its own, and a
slot freed when its process dies. GPUs are faked (device names, a recorded grant);
the cores, the locks and the sandbox are real."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import pytest

from server.submissions.models import Submission
from tests.support.programs import trivial_code
from worker import slots
from worker.execution import execute_submission
from worker.sandbox.layout import GpuAccess


@pytest.fixture
def slot_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.SLOTS_DIR = tmp_path / "slots"
    settings.GPUS = "none"
    settings.SANDBOX_CPUS = 0
    return settings


def test_gpus_are_found_from_device_nodes_or_listed(slot_settings, tmp_path):
    dev = tmp_path / "dev"
    dev.mkdir()
    for name in ("nvidia0", "nvidia3", "nvidiactl", "nvidia-uvm", "nvidia-modeset"):
        (dev / name).touch()
    assert slots.configured_gpus("", dev=dev) == [0, 3]
    assert slots.configured_gpus("2, 1", dev=dev) == [1, 2]
    assert slots.configured_gpus("none", dev=dev) == []
    assert slots.configured_gpus("", dev=tmp_path / "missing") == []


def test_cpus_per_run_default_from_cores_and_concurrency(slot_settings):
    assert slots.cpus_per_run(cores=16, concurrency=4) == 4
    assert slots.cpus_per_run(cores=2, concurrency=4) == 1
    assert slots.cpus_per_run(cores=8, concurrency=1) == 8
    slot_settings.SANDBOX_CPUS = 3
    assert slots.cpus_per_run(cores=16, concurrency=4) == 3
    slot_settings.SANDBOX_CPUS = 64
    assert slots.cpus_per_run(cores=16, concurrency=4) == 16


def test_core_groups_are_disjoint():
    assert slots.core_groups([0, 1, 2, 3, 4], 2) == [(0, 1), (2, 3)]
    assert slots.core_groups([4, 5], 1) == [(4,), (5,)]


def test_each_job_holds_its_own_gpu_and_a_third_waits_then_gives_up(slot_settings):
    slot_settings.GPUS = "0,1"
    with slots.granted(gpu=True) as first, slots.granted(gpu=True) as second:
        assert {first.gpu, second.gpu} == {0, 1}
        started = time.monotonic()
        with (
            pytest.raises(slots.NoFreeGpu),
            slots.granted(gpu=True, gpu_wait_seconds=0.5),
        ):
            pass
        assert time.monotonic() - started >= 0.5
    with slots.granted(gpu=True) as again:
        assert again.gpu == 0


def test_a_waiting_job_gets_the_gpu_as_soon_as_it_is_freed(slot_settings):
    slot_settings.GPUS = "0"
    got: list[int | None] = []
    with slots.granted(gpu=True):
        waiter = threading.Thread(target=lambda: got.append(_hold_gpu(wait=10)))
        waiter.start()
        time.sleep(0.5)
        assert got == []
    waiter.join(timeout=10)
    assert got == [0]


def _hold_gpu(*, wait: float) -> int | None:
    with slots.granted(gpu=True, gpu_wait_seconds=wait) as grant:
        return grant.gpu


def _hold_forever(ready) -> None:  # type: ignore[no-untyped-def]
    with slots.granted(gpu=True):
        ready.set()
        time.sleep(600)


def test_a_killed_process_frees_its_gpu(slot_settings):
    slot_settings.GPUS = "0"
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    holder = context.Process(target=_hold_forever, args=(ready,))
    holder.start()
    try:
        assert ready.wait(timeout=30)
        with pytest.raises(slots.NoFreeGpu):
            _hold_gpu(wait=0.3)
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(timeout=10)
        assert _hold_gpu(wait=5) == 0
    finally:
        if holder.is_alive():
            holder.kill()


def test_concurrent_jobs_get_disjoint_cores(slot_settings):
    slot_settings.SANDBOX_CPUS = 1
    cores = sorted(os.sched_getaffinity(0))
    with slots.granted(gpu=False) as first, slots.granted(gpu=False) as second:
        assert first.cpus == (cores[0],)
        if len(cores) > 1:
            assert second.cpus == (cores[1],)
        else:
            assert second.cpus == ()  # nothing left to pin to: unpinned, not blocked


PRINT_AFFINITY = "import os; print('affinity', sorted(os.sched_getaffinity(0)), 'cuda', os.environ.get('CUDA_VISIBLE_DEVICES'), 'omp', os.environ.get('OMP_NUM_THREADS'))"


@pytest.mark.django_db(transaction=True)
@pytest.mark.integration
def test_a_run_is_pinned_to_its_granted_cores(slot_settings, make_user, make_submission):
    slot_settings.SANDBOX_CPUS = 1
    submission = make_submission(
        make_user(), state="queued", code=trivial_code(extra=PRINT_AFFINITY)
    )
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    first_core = min(os.sched_getaffinity(0))
    assert f"affinity [{first_core}] cuda None omp 1" in submission.log_tail


@pytest.mark.django_db(transaction=True)
@pytest.mark.integration
def test_a_gpu_challenge_runs_on_the_granted_gpu(
    slot_settings, make_user, make_submission, monkeypatch
):
    slot_settings.GPUS = "1"  # this host's only GPU is number 1 (faked)
    granted: list[int] = []

    def fake_gpu_access(index: int) -> GpuAccess:
        granted.append(index)
        return GpuAccess(devices=[])  # no device node here: the GPU is the one thing faked

    monkeypatch.setattr("worker.sandbox.bubblewrap.gpu_access", fake_gpu_access)
    submission = make_submission(
        make_user(), state="queued", code=trivial_code(extra=PRINT_AFFINITY)
    )
    type(submission.challenge).objects.filter(pk=submission.challenge_id).update(gpu="required")
    # The dispatcher sends a GPU-required run to a GPU lane; the lane grants the GPU.
    type(submission).objects.filter(pk=submission.pk).update(queue="gpu-short")
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert granted == [1]
    assert "cuda 0" in submission.log_tail  # the one device it sees is its own


@pytest.mark.django_db(transaction=True)
def test_a_gpu_required_challenge_on_a_host_without_gpus_ends_in_error(
    slot_settings, make_user, make_submission
):
    slot_settings.MAX_PLATFORM_ATTEMPTS = 1
    submission = make_submission(make_user(), state="queued")
    type(submission.challenge).objects.filter(pk=submission.challenge_id).update(gpu="required")
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.state == "error"
    assert Submission.objects.get(id=submission.id).attempt == 1

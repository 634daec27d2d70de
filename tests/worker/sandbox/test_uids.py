"""Uid slots: one per concurrent run, released when the run (or its worker) ends."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from pathlib import Path

import pytest

from tests.support.sandbox import zombie_of
from worker.sandbox import uids

PR_SET_DUMPABLE = 4


@pytest.mark.skipif(os.geteuid() != 0, reason="slots are only taken by root")
def test_concurrent_runs_get_distinct_uids_and_free_them(tmp_path: Path):
    with contextlib.ExitStack() as stack:
        first = stack.enter_context(uids.run_identity(lock_dir=tmp_path, uid_base=62000))
        second = stack.enter_context(uids.run_identity(lock_dir=tmp_path, uid_base=62000))
        assert first.dedicated and second.dedicated
        assert {first.uid, second.uid} == {62000, 62001}
    with uids.run_identity(lock_dir=tmp_path, uid_base=62000) as again:
        assert again.uid == 62000


def test_a_zombie_free_uid_has_no_processes():
    assert uids.processes_of(65533) == []
    assert uids.kill_processes_of(65533) is True


def test_our_own_processes_are_found_by_uid():
    assert os.getpid() in uids.processes_of(os.getuid())


@pytest.mark.skipif(os.geteuid() != 0, reason="slots are only taken by root")
def test_a_free_slot_whose_uid_has_zombies_is_passed_over(tmp_path: Path):
    # A killed run's init lingers as a zombie until the host's pid 1 reaps it;
    # it counts against its uid's RLIMIT_NPROC, so the next run takes another uid.
    zombie = zombie_of(62100)
    try:
        assert uids.zombies_of(62100) == [zombie]
        with uids.run_identity(lock_dir=tmp_path, uid_base=62100) as identity:
            assert identity.uid == 62101
    finally:
        os.waitpid(zombie, 0)
    assert uids.zombies_of(62100) == []
    with uids.run_identity(lock_dir=tmp_path, uid_base=62100) as identity:
        assert identity.uid == 62100


@pytest.mark.skipif(os.geteuid() != 0, reason="only root drops to another uid")
def test_a_non_dumpable_process_is_found_and_killed_by_its_uid():
    # Its /proc/PID/* files turn root's; the sweep must still see it as the uid's.
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.setresgid(62200, 62200, 62200)
        os.setresuid(62200, 62200, 62200)
        ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        os.write(write, b"x")
        time.sleep(30)
        os._exit(0)
    try:
        os.read(read, 1)
        assert os.stat(f"/proc/{pid}/status").st_uid == 0  # what would hide it
        assert uids.processes_of(62200) == [pid]
        assert uids.kill_processes_of(62200) is True
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
        os.close(write)

"""Finding our cgroups, and limiting and reading a run's, on v1 and v2 (fake trees)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from worker.sandbox import cgroups
from worker.sandbox.cgroups import RunCgroups, _cgroup_mounts, _own_cgroups, _own_dir

MiB = 1024 * 1024

PROC_CGROUP = """9:name=systemd:/
8:pids:/
4:memory:/process_api/abc
2:cpu,cpuacct:/jobs
0::/
"""
MOUNTINFO = """30 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
31 25 0:27 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
32 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
33 25 0:29 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
34 25 0:30 /nested /mnt/ns rw,relatime - cgroup cgroup rw,freezer
"""


def test_own_cgroups_are_read_per_controller():
    own = _own_cgroups(PROC_CGROUP)
    assert own["memory"] == "/process_api/abc"
    assert own["cpu"] == own["cpuacct"] == "/jobs"
    assert own[""] == "/"


def test_cgroup_mounts_are_found_per_controller():
    mounts = _cgroup_mounts(MOUNTINFO)
    assert mounts["memory"].point == Path("/sys/fs/cgroup/memory")
    assert mounts["cpuacct"].point == Path("/sys/fs/cgroup/cpu,cpuacct")
    assert mounts[""].point == Path("/sys/fs/cgroup/unified")
    assert mounts["freezer"].root == "/nested"


def test_our_directory_joins_the_mount_point_and_our_path(tmp_path: Path):
    (tmp_path / "process_api" / "abc").mkdir(parents=True)
    mounts = {"memory": cgroups._Mount(root="/", point=tmp_path)}
    assert (
        _own_dir({"memory": "/process_api/abc"}, mounts, "memory") == tmp_path / "process_api/abc"
    )
    outside = {"memory": cgroups._Mount(root="/other", point=tmp_path)}
    assert _own_dir({"memory": "/process_api/abc"}, outside, "memory") is None


def _files(directory: Path, values: dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, value in values.items():
        (directory / name).write_text(value)


def test_v1_limits_and_usage(tmp_path: Path):
    memory, pids, cpu = tmp_path / "memory", tmp_path / "pids", tmp_path / "cpu"
    _files(
        memory,
        {
            "memory.limit_in_bytes": "",
            "memory.memsw.limit_in_bytes": "",
            "memory.max_usage_in_bytes": str(300 * MiB),
            "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
            "cgroup.procs": "12\n13\n",
        },
    )
    _files(pids, {"pids.max": "", "cgroup.procs": "12\n"})
    _files(
        cpu,
        {
            "cpuacct.usage": "2500000000",
            "cpu.cfs_quota_us": "",
            "cpu.cfs_period_us": "",
            "cgroup.procs": "",
        },
    )
    run = RunCgroups({"memory": memory, "pids": pids, "cpuacct": cpu, "cpu": cpu}, version=1)
    run.set_limits(memory_bytes=256 * MiB, processes=20, cpus=2)
    assert (memory / "memory.limit_in_bytes").read_text() == str(256 * MiB)
    assert (memory / "memory.memsw.limit_in_bytes").read_text() == str(256 * MiB)
    assert (pids / "pids.max").read_text() == "20"
    assert (cpu / "cpu.cfs_quota_us").read_text() == "200000"
    usage = run.usage()
    assert usage.cpu_seconds == 2.5 and usage.peak_memory_bytes == 300 * MiB
    assert usage.oom_kills == 2
    assert run.pids() == {12, 13}
    assert sorted(run.join_files()) == sorted(str(d / "tasks") for d in (memory, pids, cpu))


def test_v2_limits_and_usage(tmp_path: Path):
    group = tmp_path / "run"
    _files(
        group,
        {
            "memory.max": "",
            "memory.swap.max": "",
            "pids.max": "",
            "cpu.max": "",
            "memory.peak": str(100 * MiB),
            "cpu.stat": "usage_usec 1500000\nuser_usec 1\n",
            "memory.events": "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n",
            "cgroup.procs": "",
        },
    )
    run = RunCgroups(dict.fromkeys(("memory", "pids", "cpu"), group), version=2)
    run.set_limits(memory_bytes=64 * MiB, processes=10, cpus=1)
    assert (group / "memory.max").read_text() == str(64 * MiB)
    assert (group / "memory.swap.max").read_text() == "0"
    assert (group / "cpu.max").read_text() == "100000 100000"
    usage = run.usage()
    assert usage.cpu_seconds == 1.5 and usage.peak_memory_bytes == 100 * MiB
    assert usage.oom_kills == 1
    assert run.join_files() == [str(group / "cgroup.procs")]


def test_no_cgroups_is_a_disabled_set():
    run = RunCgroups({}, version=0)
    assert not run.enabled and not run.limits_memory and run.join_files() == []


def test_a_real_run_cgroup_is_created_and_removed_where_allowed():
    run = cgroups.create_run_cgroups(prefix="milestones-test")
    try:
        for directory in run.dirs.values():
            assert directory.is_dir() and directory.name.startswith("milestones-test-")
        assert run.pids() == set()
    finally:
        run.remove()
    assert not any(directory.exists() for directory in run.dirs.values())


def test_a_v1_cpuset_gets_the_cores_and_its_parents_memory_nodes(tmp_path: Path):
    _files(tmp_path / "jobs", {"cpuset.mems": "0-1\n", "cpuset.cpus": "0-7\n"})
    mounts = {"cpuset": cgroups._Mount(root="/", point=tmp_path)}
    made = cgroups._make_v1_cpuset({"cpuset": "/jobs"}, mounts, "run-1", [3, 2])
    assert made == tmp_path / "jobs" / "run-1"
    assert (made / "cpuset.mems").read_text() == "0-1"  # before cpus: no task joins without
    assert (made / "cpuset.cpus").read_text() == "2,3"
    assert cgroups._make_v1_cpuset({}, mounts, "run-2", [3]) is None  # no cpuset hierarchy


def test_a_v2_group_is_pinned_once_its_parent_passes_cpuset_on(tmp_path: Path):
    group = tmp_path / "run"
    _files(tmp_path, {"cgroup.subtree_control": "memory pids\n"})
    _files(group, {"cpuset.cpus": ""})
    # A fake file keeps what is written: "+cpuset" alone, not the kernel's "cpuset".
    assert not cgroups._pin_v2(group, [1])
    (tmp_path / "cgroup.subtree_control").write_text("cpuset memory pids\n")
    assert cgroups._pin_v2(group, [1])
    assert (group / "cpuset.cpus").read_text() == "1"


def test_a_real_cpuset_keeps_its_processes_on_their_cores():
    ours = sorted(os.sched_getaffinity(0))
    if len(ours) < 2:
        pytest.skip("one core: nowhere to escape to")
    run = cgroups.create_run_cgroups(prefix="milestones-test", cores=ours[-1:])
    try:
        if not run.pins_cores:
            pytest.skip("no cpuset cgroup can be made here (not root, or not delegated)")
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                code = _try_escaping(run.dirs["cpuset"], ours)
            finally:
                os._exit(code)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    finally:
        run.remove()
    assert not any(directory.exists() for directory in run.dirs.values())


def _try_escaping(group: Path, ours: list[int]) -> int:
    """Join ``group`` (pinned to our last core), then ask for cores outside it: 0 if held."""
    (group / "cgroup.procs").write_text(str(os.getpid()))
    os.sched_setaffinity(0, set(ours))  # narrowed to the group's cores
    if os.sched_getaffinity(0) != set(ours[-1:]):
        return 2
    try:
        os.sched_setaffinity(0, {ours[0]})
    except OSError:  # EINVAL: none of those cores is allowed
        return 0
    return 1

"""The docker backend's container spec (pure: every hardening flag, no engine needed),
its path map, and its platform errors. Real containers run in test_contract.py."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import pytest

from tests.support.fake_docker import FakeClient, FakeContainer, FakeExecApi
from tests.support.sandbox import limits as sandbox_limits
from worker.sandbox import Limits, SandboxSpec, SandboxUnavailable, Status, warning
from worker.sandbox.docker import DockerBackend, container_spec, parse_path_map
from worker.sandbox.docker_owners import (
    LABEL,
    OWNER_LABEL,
    owner_label,
    process_alive,
    process_start,
    remove_orphans,
)

MiB = 1024 * 1024
LIMITS = Limits(
    wall_seconds=10,
    cpu_seconds=7.5,
    memory_bytes=512 * MiB,
    processes=40,
    output_bytes=8 * MiB,
    log_bytes=4096,
    tmp_bytes=32 * MiB,
)


def _spec(**changes: object) -> SandboxSpec:
    fields: dict[str, object] = {
        "code_dir": Path("/srv/milestones/runs/7-1/code"),
        "data_dir": Path("/srv/data/pub"),
        "output_dir": Path("/srv/milestones/runs/7-1/output"),
        "runtime": "numpy",
        "limits": LIMITS,
    }
    return SandboxSpec(**{**fields, **changes})  # type: ignore[arg-type]


def _container(**changes: object) -> dict:
    return container_spec(_spec(**changes), image="milestones/runtime-numpy:1", run_id="r1")


def test_the_container_has_no_network_no_capabilities_and_no_new_privileges():
    kwargs = _container()
    assert kwargs["network_mode"] == "none"
    assert kwargs["cap_drop"] == ["ALL"]
    assert "cap_add" not in kwargs and "privileged" not in kwargs
    no_new_privileges, profile = kwargs["security_opt"]
    assert no_new_privileges == "no-new-privileges:true"
    allowed = {
        name
        for rule in json.loads(profile.removeprefix("seccomp="))["syscalls"]
        if rule["action"] == "SCMP_ACT_ALLOW" and not rule.get("args")
        for name in rule["names"]
    }
    assert {"ptrace", "keyctl", "io_uring_setup", "clone", "clone3", "unshare"}.isdisjoint(allowed)
    assert {"read", "write", "mmap", "execve"} <= allowed
    assert not any("unconfined" in option for option in kwargs["security_opt"])
    assert kwargs["read_only"] is True
    assert kwargs["user"] == "10001:10001"
    assert kwargs["ipc_mode"] == "private" and kwargs["cgroupns"] == "private"
    assert kwargs["init"] is True


def test_the_container_is_limited_in_memory_processes_cpu_and_scratch():
    kwargs = _container()
    assert kwargs["mem_limit"] == kwargs["memswap_limit"] == 512 * MiB
    assert kwargs["pids_limit"] == 40
    assert kwargs["nano_cpus"] == 1_000_000_000
    assert kwargs["tmpfs"] == {"/tmp": f"rw,nosuid,nodev,size={32 * MiB},mode=1777"}
    assert kwargs["shm_size"] == 32 * MiB
    ulimits = {u["name"]: (u["soft"], u["hard"]) for u in kwargs["ulimits"]}
    assert ulimits["cpu"] == (8, 9)
    assert ulimits["core"] == (0, 0)
    assert ulimits["fsize"][0] > 8 * MiB
    assert "nproc" not in ulimits and "as" not in ulimits


def test_the_container_mounts_code_and_data_read_only_and_output_writable():
    mounts = {m["Target"]: m for m in _container()["mounts"]}
    assert set(mounts) == {"/submission", "/data", "/output"}
    assert mounts["/submission"]["ReadOnly"] and mounts["/data"]["ReadOnly"]
    assert not mounts["/output"]["ReadOnly"]
    assert all(m["Type"] == "bind" for m in mounts.values())
    assert mounts["/data"]["Source"] == "/srv/data/pub"


def test_the_container_runs_the_entrypoint_with_a_fixed_environment():
    kwargs = _container(entrypoint="train.py")
    assert kwargs["command"] == ["/opt/runtime/bin/python", "-s", "/submission/train.py"]
    assert kwargs["working_dir"] == "/submission"
    assert set(kwargs["environment"]) == {
        "PATH",
        "HOME",
        "TMPDIR",
        "LANG",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONUNBUFFERED",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "OMP_WAIT_POLICY",
        "TORCHINDUCTOR_CPP_CACHE_PRECOMPILE_HEADERS",
    }


def test_the_container_is_labelled_kept_and_logs_are_capped():
    kwargs = _container()
    assert kwargs["labels"] == {LABEL: "r1", OWNER_LABEL: owner_label()}
    assert kwargs["auto_remove"] is False
    assert kwargs["log_config"]["type"] == "json-file"
    assert kwargs["log_config"]["config"]["max-size"] == "1024k"


def test_a_granted_gpu_is_requested_alone_and_seen_as_device_zero():
    kwargs = _container(gpu=3)
    assert kwargs["device_requests"] == [
        {"driver": "nvidia", "device_ids": ["3"], "capabilities": [["gpu"]]}
    ]
    assert kwargs["environment"]["CUDA_VISIBLE_DEVICES"] == "0"
    assert "device_requests" not in _container()


def test_the_device_request_is_accepted_by_the_docker_sdk():
    docker_types = pytest.importorskip("docker.types", reason="docker SDK not installed")
    request = docker_types.DeviceRequest(**_container(gpu=1)["device_requests"][0])
    assert request["DeviceIDs"] == ["1"] and request["Capabilities"] == [["gpu"]]


def test_paths_are_translated_for_a_worker_running_in_a_container():
    to_host = parse_path_map("/srv/milestones:/var/lib/milestones, /srv/data:/mnt/data")
    kwargs = container_spec(_spec(), image="i", host_paths=to_host)
    sources = {m["Target"]: m["Source"] for m in kwargs["mounts"]}
    assert sources["/submission"] == "/var/lib/milestones/runs/7-1/code"
    assert sources["/data"] == "/mnt/data/pub"
    assert to_host(Path("/elsewhere/x")) == Path("/elsewhere/x")
    assert to_host(Path("/srv/milestonesX")) == Path("/srv/milestonesX")


def test_the_longest_mapped_prefix_wins():
    to_host = parse_path_map("/srv:/a,/srv/data:/b")
    assert to_host(Path("/srv/data/x")) == Path("/b/x")
    assert to_host(Path("/srv/other")) == Path("/a/other")


@pytest.mark.parametrize("bad", ["relative:/host", "/only-one-side", "/a:relative"])
def test_a_malformed_path_map_is_refused(bad: str):
    with pytest.raises(ValueError, match="MILESTONES_DOCKER_PATH_MAP"):
        parse_path_map(bad)


def test_no_docker_sdk_or_engine_is_a_platform_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "docker", None)  # as if not installed
    with pytest.raises(SandboxUnavailable, match="SDK"):
        DockerBackend().run(_spec())


def test_an_unknown_runtime_is_a_platform_error():
    backend = DockerBackend(client=object())
    with pytest.raises(SandboxUnavailable, match="no docker image"):
        backend.run(_spec(runtime="jax"))


def test_rlimit_as_is_never_set():
    # CUDA maps far more address space than it uses; RLIMIT_AS would break it.
    from worker.sandbox.launch import rlimits

    assert resource.RLIMIT_AS not in rlimits(LIMITS, count_processes=True)


def _fake_run(
    tmp_path: Path, container: FakeContainer, api: FakeExecApi | None = None, **limits: float
):
    for name in ("code", "data", "out"):
        (tmp_path / name).mkdir(exist_ok=True)
    spec = SandboxSpec(
        code_dir=tmp_path / "code",
        data_dir=tmp_path / "data",
        output_dir=tmp_path / "out",
        runtime="numpy",
        limits=sandbox_limits(**{"wall_seconds": 2.0, **limits}),
    )  # type: ignore[arg-type]
    client = FakeClient(container, api)
    return DockerBackend(client=client).run(spec), client


def test_a_clean_exit_is_ok_and_the_container_is_removed(tmp_path: Path):
    container = FakeContainer(
        runs_for=0.3, state={"ExitCode": 0, "OOMKilled": False}, log=b"x" * 10_000 + b"\xffdone\n"
    )
    result, client = _fake_run(tmp_path, container, log_bytes=100)
    assert result.status is Status.OK
    assert result.log_tail.endswith("\ufffddone\n") and len(result.log_tail) <= 100
    assert result.peak_memory_bytes == 50 * MiB and result.cpu_seconds == pytest.approx(0.2)
    assert container.calls == ["remove"]
    assert client.created["network_mode"] == "none"
    assert (tmp_path / "out").stat().st_uid == (tmp_path / "code").stat().st_uid  # given back


def test_an_oom_killed_container_is_a_memory_limit(tmp_path: Path):
    container = FakeContainer(runs_for=0.1, state={"ExitCode": 137, "OOMKilled": True})
    result, _ = _fake_run(tmp_path, container)
    assert result.status is Status.MEMORY_LIMIT and result.signal == 9


def test_a_container_past_its_wall_clock_is_killed_and_removed(tmp_path: Path):
    container = FakeContainer(runs_for=60, state={"ExitCode": 0})
    result, _ = _fake_run(tmp_path, container, wall_seconds=0.5)
    assert result.status is Status.TIME_LIMIT
    assert container.calls == ["kill", "remove"]


def test_the_warning_is_sent_from_inside_the_container_and_recorded(tmp_path: Path):
    api = FakeExecApi(exit_code=0)  # signal_main: SENT
    container = FakeContainer(runs_for=60, state={"ExitCode": 0})
    result, _ = _fake_run(tmp_path, container, api, wall_seconds=2.0)
    assert result.warned_of == "wall"
    assert result.status is Status.TIME_LIMIT and result.limit_hit == "wall"
    python, *flags, source = api.commands[0]
    assert python == "/opt/runtime/bin/python" and flags == ["-I", "-S", "-c"]
    assert "signal_main(1)" in source


def test_a_warning_exec_that_never_ends_does_not_hold_up_the_limit(tmp_path: Path):
    # The program can stop the exec'd helper (same user): the watch never waits on it.
    api = FakeExecApi(exit_code=None)
    container = FakeContainer(runs_for=60, state={"ExitCode": 0})
    began = time.monotonic()
    result, _ = _fake_run(tmp_path, container, api, wall_seconds=2.0)
    assert result.status is Status.TIME_LIMIT and result.warned_of is None
    assert time.monotonic() - began < 3
    assert len(api.commands) == 1  # not started again while the first runs


def test_a_program_not_listening_is_asked_again_and_never_recorded_as_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(warning, "RETRY_SECONDS", 0.1)
    api = FakeExecApi(exit_code=1)  # signal_main: NOT_LISTENING
    container = FakeContainer(runs_for=60, state={"ExitCode": 0})
    result, _ = _fake_run(tmp_path, container, api, wall_seconds=5.0)
    assert result.warned_of is None
    assert len(api.commands) >= 2  # tried again every RETRY_SECONDS while due


def test_granted_cores_pin_the_container_and_size_its_quota_and_threads():
    kwargs = _container(cpus=(2, 3))
    assert kwargs["cpuset_cpus"] == "2,3"
    assert kwargs["nano_cpus"] == 2_000_000_000
    assert kwargs["environment"]["OMP_NUM_THREADS"] == "2"
    assert "cpuset_cpus" not in _container()  # no grant: unpinned, the backend's quota


class _FakeContainer:
    def __init__(self, owner: str) -> None:
        self.id, self.labels, self.removed = owner, {LABEL: "r", OWNER_LABEL: owner}, False

    def remove(self, force: bool, v: bool) -> None:
        self.removed = force and v


class _FakeContainers:
    def __init__(self, containers: list[_FakeContainer]) -> None:
        self.containers = containers

    def list(
        self, all: bool, filters: dict[str, str], ignore_removed: bool = False
    ) -> list[_FakeContainer]:
        # Another worker's container may go between the listing and its inspection.
        assert all and filters == {"label": LABEL} and ignore_removed
        return self.containers


def test_containers_of_dead_workers_on_this_host_are_removed_and_no_others():
    import socket

    host = socket.gethostname()
    dead = _FakeContainer(f"{host}:111:5000")
    alive = _FakeContainer(f"{host}:222:6000")
    reused = _FakeContainer(f"{host}:222:4000")  # pid 222 now is another process
    unlabelled_start = _FakeContainer(f"{host}:333")  # labelled before start times
    elsewhere = _FakeContainer("another-host:111:5000")
    client = type("Client", (), {})()
    client.containers = _FakeContainers([dead, alive, reused, unlabelled_start, elsewhere])
    running = {222: 6000, 333: 7000}

    def is_alive(pid: int, start: int | None) -> bool:
        return pid in running and start in (None, running[pid])

    removed = remove_orphans(client, alive=is_alive)
    assert removed == [dead.id, reused.id]
    assert dead.removed and reused.removed
    assert not (alive.removed or unlabelled_start.removed or elsewhere.removed)


def test_an_owner_is_this_process_from_its_start_until_it_ends():
    import os
    import socket
    import subprocess
    import sys

    host, pid, start = owner_label().split(":")
    assert host == socket.gethostname()
    assert (int(pid), int(start)) == (os.getpid(), process_start(os.getpid()))
    assert process_alive(int(pid), int(start))
    assert not process_alive(int(pid), int(start) + 1)  # the same pid, another process
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    assert process_start(child.pid) is None and not process_alive(child.pid, None)

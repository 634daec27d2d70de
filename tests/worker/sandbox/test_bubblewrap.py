"""The bubblewrap backend beyond the shared contract: its command line (pure), the
host uid it runs as, and its platform errors (SandboxUnavailable, never a verdict)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.support.sandbox import (
    UID_BASE,
    RunDirs,
    host_uids,
    limits,
    processes_running,
    zombie_of,
)
from worker.sandbox import SandboxSpec, SandboxUnavailable, Status
from worker.sandbox.bubblewrap import BubblewrapBackend
from worker.sandbox.gpu import driver_libraries, gpu_access
from worker.sandbox.layout import GpuAccess, bwrap_argv, entrypoint

MiB = 1024 * 1024


def _spec(tmp_path: Path, **changes: object) -> SandboxSpec:
    fields: dict[str, object] = {
        "code_dir": tmp_path / "code",
        "data_dir": tmp_path / "data",
        "output_dir": tmp_path / "out",
        "runtime": "numpy",
        "limits": limits(tmp_bytes=32 * MiB),
    }
    return SandboxSpec(**{**fields, **changes})  # type: ignore[arg-type]


def _argv(tmp_path: Path, access: GpuAccess | None = None, **changes: object) -> list[str]:
    return bwrap_argv(
        _spec(tmp_path, **changes),
        bwrap="/usr/bin/bwrap",
        runtime_dir=Path("/rt/numpy"),
        status_fd=7,
        etc_fds={"/etc/passwd": 8},
        gpu=access,
    )


def _pairs(argv: list[str], flag: str) -> list[tuple[str, str]]:
    return [(argv[i + 1], argv[i + 2]) for i, arg in enumerate(argv) if arg == flag]


def test_argv_unshares_every_namespace_and_clears_the_environment(tmp_path: Path):
    argv = _argv(tmp_path)
    for flag in (
        "--unshare-all",
        "--unshare-user",
        "--unshare-cgroup",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
    ):
        assert flag in argv
    assert "--share-net" not in argv
    env = dict(_pairs(argv, "--setenv"))
    assert env["HOME"] == "/tmp" and env["LANG"] == "C.UTF-8"
    assert env["PYTHONDONTWRITEBYTECODE"] == "1" and env["PYTHONUNBUFFERED"] == "1"
    assert env["OMP_NUM_THREADS"] == "1" and "CUDA_VISIBLE_DEVICES" not in env


def test_argv_mounts_code_and_data_read_only_and_output_writable(tmp_path: Path):
    argv = _argv(tmp_path)
    read_only = dict((dest, src) for src, dest in _pairs(argv, "--ro-bind"))
    assert read_only["/submission"] == str(tmp_path / "code")
    assert read_only["/data"] == str(tmp_path / "data")
    assert read_only["/opt/runtime"] == "/rt/numpy"
    assert read_only["/usr"] == "/usr"
    assert _pairs(argv, "--bind") == [(str(tmp_path / "out"), "/output")]
    # Nothing else of the host: no /etc, /home, /root, /var, /run, no project.
    allowed = {
        "/usr",
        "/opt/runtime",
        "/submission",
        "/data",
        "/etc/ld.so.cache",
        "/bin",
        "/sbin",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
    }
    assert set(read_only) <= allowed
    assert [dest for _, dest in _pairs(argv, "--ro-bind-data")] == ["/etc/passwd"]


def test_argv_caps_tmp_and_shm_and_makes_the_root_read_only(tmp_path: Path):
    argv = _argv(tmp_path)
    sized = [(argv[i + 1], argv[i + 3]) for i, arg in enumerate(argv) if arg == "--size"]
    assert sized == [(str(32 * MiB), "/tmp"), (str(32 * MiB), "/dev/shm")]
    assert argv[argv.index("--remount-ro") + 1] == "/"
    assert argv[argv.index("--json-status-fd") + 1] == "7"


def test_argv_runs_the_entrypoint_with_the_runtime_python_in_submission(tmp_path: Path):
    argv = _argv(tmp_path, entrypoint="src/train.py")
    assert argv[argv.index("--") + 1 :] == [
        "/opt/runtime/bin/python",
        "-s",
        "/submission/src/train.py",
    ]
    assert argv[argv.index("--chdir") + 1] == "/submission"


def test_argv_binds_only_the_granted_gpu_after_dev(tmp_path: Path):
    gpu = GpuAccess(
        devices=["nvidiactl", "nvidia-uvm", "nvidia0"], libraries=["/opt/nvidia/lib/libcuda.so.1"]
    )
    argv = _argv(tmp_path, access=gpu, gpu=0)
    devices = [dest for _, dest in _pairs(argv, "--dev-bind")]
    assert devices == ["/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia0"]
    assert argv.index("--dev-bind") > argv.index("--dev")
    assert ("/opt/nvidia/lib/libcuda.so.1", "/opt/nvidia/lib/libcuda.so.1") in _pairs(
        argv, "--ro-bind"
    )
    assert dict(_pairs(argv, "--setenv"))["CUDA_VISIBLE_DEVICES"] == "0"


def test_gpu_access_picks_the_device_and_refuses_a_missing_one(tmp_path: Path, monkeypatch):
    for name in ("nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm"):
        (tmp_path / name).touch()
    monkeypatch.setattr("worker.sandbox.gpu._ldconfig", lambda: "")
    assert gpu_access(1, dev=tmp_path).devices == ["nvidiactl", "nvidia-uvm", "nvidia1"]
    with pytest.raises(SandboxUnavailable, match="nvidia3"):
        gpu_access(3, dev=tmp_path)


def test_driver_libraries_outside_usr_are_found_in_ldconfig_output():
    listing = (
        "2 libs found in cache `/etc/ld.so.cache'\n"
        "\tlibcuda.so.1 (libc6,x86-64) => /opt/nvidia/lib/libcuda.so.1\n"
        "\tlibnvidia-ml.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1\n"
        "\tlibz.so.1 (libc6,x86-64) => /opt/other/libz.so.1\n"
    )
    assert driver_libraries(listing) == ["/opt/nvidia/lib/libcuda.so.1"]


@pytest.mark.parametrize("bad", ["/etc/passwd", "../hidden/x.py", ""])
def test_an_entrypoint_outside_the_code_is_refused(tmp_path: Path, bad: str):
    with pytest.raises(ValueError):
        entrypoint(_spec(tmp_path, entrypoint=bad))


def test_a_missing_bwrap_is_a_platform_error(run_dirs: RunDirs, runtimes_dir: Path):
    backend = BubblewrapBackend(runtimes_dir=runtimes_dir, bwrap="no-such-bwrap")
    with pytest.raises(SandboxUnavailable, match="not installed"):
        backend.run(_dirs_spec(run_dirs))


def test_a_missing_runtime_is_a_platform_error(run_dirs: RunDirs, tmp_path: Path):
    backend = BubblewrapBackend(runtimes_dir=tmp_path)
    with pytest.raises(SandboxUnavailable, match=r"worker\.runtimes\.build"):
        backend.run(_dirs_spec(run_dirs))


@pytest.mark.skipif(os.geteuid() != 0, reason="only root drops to another uid")
def test_a_folder_the_sandbox_uid_cannot_reach_is_a_platform_error(
    run_dirs: RunDirs, runtimes_dir: Path
):
    run_dirs.code.chmod(0o700)
    (run_dirs.code / "main.py").write_text("print('hi')\n")
    backend = BubblewrapBackend(runtimes_dir=runtimes_dir, uid_base=UID_BASE)
    with pytest.raises(SandboxUnavailable, match="could not set up"):
        backend.run(_dirs_spec(run_dirs))


@pytest.mark.skipif(os.geteuid() != 0, reason="only root drops to another uid")
def test_the_program_runs_as_a_dedicated_unprivileged_host_uid(
    run_dirs: RunDirs, runtimes_dir: Path
):
    name = f"slow_{uuid.uuid4().hex[:8]}.py"
    (run_dirs.code / name).write_text("import time\ntime.sleep(1.5)\n")
    (run_dirs.code / name).chmod(0o644)
    backend = BubblewrapBackend(runtimes_dir=runtimes_dir, uid_base=UID_BASE)
    results = []
    worker = threading.Thread(
        target=lambda: results.append(backend.run(_dirs_spec(run_dirs, entrypoint=name)))
    )
    worker.start()
    seen: set[int] = set()
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        for pid in processes_running(name):
            seen |= host_uids(pid)
        time.sleep(0.05)
    worker.join()
    assert results[0].status is Status.OK, results[0].log_tail
    assert seen and all(UID_BASE <= uid < UID_BASE + 256 for uid in seen), seen
    assert processes_running(name) == []


FORKS = """
import os, time
children = []
for _ in range(8):
    pid = os.fork()
    if pid == 0:
        time.sleep(0.5)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print("forked 8")
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="only root drops to another uid")
def test_a_run_does_not_start_with_the_zombies_of_its_uid(
    run_dirs: RunDirs, runtimes_dir: Path, tmp_path: Path
):
    # A killed run's init lingers as a zombie until the host's pid 1 reaps it,
    # counted against its uid's RLIMIT_NPROC: the next run on that uid failed to
    # fork (EAGAIN) with most of its process budget unused.
    uid_base = UID_BASE + 200  # its slots (own lock folder) belong to this test alone
    zombies = [zombie_of(uid_base) for _ in range(10)]
    try:
        (run_dirs.code / "forks.py").write_text(FORKS)
        (run_dirs.code / "forks.py").chmod(0o644)
        backend = BubblewrapBackend(
            runtimes_dir=runtimes_dir, uid_base=uid_base, slots_dir=tmp_path
        )
        spec = _dirs_spec(run_dirs, entrypoint="forks.py", limits=limits(processes=16))
        result = backend.run(spec)
    finally:
        for pid in zombies:
            os.waitpid(pid, 0)
    assert result.status is Status.OK, result.log_tail
    assert "forked 8" in result.log_tail


def _dirs_spec(run_dirs: RunDirs, **changes: object) -> SandboxSpec:
    fields: dict[str, object] = {
        "code_dir": run_dirs.code,
        "data_dir": run_dirs.data,
        "output_dir": run_dirs.output,
        "runtime": "numpy",
        "limits": limits(wall_seconds=5),
    }
    return SandboxSpec(**{**fields, **changes})  # type: ignore[arg-type]

"""Fixtures for the sandbox tests: folders the sandbox uid can reach, and one
backend per name (docker skips without an engine) on the numpy runtime of
tests/conftest.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from worker.sandbox import Limits, SandboxBackend, SandboxResult, SandboxSpec
from worker.sandbox.base import Tick

REPO = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024
UID_BASE = 61000
# Small limits: every test ends in seconds, whatever the program does.
FAST = {
    "wall_seconds": 5.0,
    "cpu_seconds": 5.0,
    "memory_bytes": 256 * MiB,
    "processes": 32,
    "output_bytes": 1 * MiB,
    "log_bytes": 8 * 1024,
    "tmp_bytes": 16 * MiB,
}


@dataclass
class RunDirs:
    root: Path
    code: Path
    data: Path
    output: Path
    hidden: Path


@pytest.fixture
def run_dirs(shared_dir: Path) -> Iterator[RunDirs]:
    """code/, data/, output/ for one run, and a hidden/ beside them it must not see."""
    root = shared_dir / f"run-{uuid.uuid4().hex[:8]}"
    dirs = RunDirs(root, root / "code", root / "data", root / "output", root / "hidden")
    for path in (dirs.code, dirs.data, dirs.output, dirs.hidden):
        path.mkdir(parents=True)
    (dirs.data / "train.csv").write_text("x,y\n1,2\n")
    (dirs.hidden / "labels.csv").write_text("id,label\n1,secret\n")
    for path in (root, dirs.code, dirs.data, dirs.output, dirs.data / "train.csv"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    dirs.hidden.chmod(0o700)
    yield dirs
    shutil.rmtree(root, ignore_errors=True)


def docker_engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(["docker", "info"], capture_output=True, timeout=15)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _docker_backend() -> SandboxBackend:
    if not docker_engine_answers():
        pytest.skip("no Docker engine answers (`docker info` fails)")
    pytest.importorskip("docker", reason="the docker Python SDK is not installed")
    from worker.sandbox.docker import IMAGES, DockerBackend

    inspect = ["docker", "image", "inspect"]
    missing = [
        i for i in IMAGES.values() if subprocess.run([*inspect, i], capture_output=True).returncode
    ]
    if missing:
        pytest.skip(f"runtime images not built: {missing} (see worker/runtimes/Dockerfile.*)")
    return DockerBackend()


def backend_named(request: pytest.FixtureRequest, *, uid_base: int) -> SandboxBackend:
    """The backend ``request.param`` names: docker (skips without an engine), or
    bubblewrap on the numpy runtime with the run uids from ``uid_base`` on."""
    if request.param == "docker":
        return _docker_backend()
    from worker.sandbox.bubblewrap import BubblewrapBackend

    return BubblewrapBackend(runtimes_dir=request.getfixturevalue("runtimes_dir"),
                             uid_base=uid_base)  # fmt: skip


@pytest.fixture(params=["bubblewrap", "docker"])
def backend(request: pytest.FixtureRequest) -> SandboxBackend:
    return backend_named(request, uid_base=UID_BASE)


Runner = Callable[..., SandboxResult]


@pytest.fixture
def run_program(backend: SandboxBackend, run_dirs: RunDirs) -> Runner:
    """Write ``source`` as the entrypoint and run it under FAST limits (overridable)."""

    def run(
        source: str,
        *,
        runtime: str = "numpy",
        tick: Tick | None = None,
        entrypoint: str = "main.py",
        gpu: int | None = None,
        **limits: float,
    ) -> SandboxResult:
        main = run_dirs.code / entrypoint
        main.write_text(textwrap.dedent(source))
        main.chmod(0o644)
        spec = SandboxSpec(code_dir=run_dirs.code, data_dir=run_dirs.data,
                           output_dir=run_dirs.output, runtime=runtime, entrypoint=entrypoint,
                           limits=Limits(**{**FAST, **limits}), gpu=gpu)  # type: ignore[arg-type]  # fmt: skip
        return backend.run(spec, tick=tick)

    return run


def processes_running(marker: str) -> list[int]:
    """Host pids whose command line mentions ``marker`` (a unique entrypoint name)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                if marker.encode() in cmdline.read():
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def host_uids(pid: int) -> set[int]:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("Uid:"))
    return {int(value) for value in line.split()[1:]}

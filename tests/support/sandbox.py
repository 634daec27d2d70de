"""Helpers of the sandbox tests: small limits, the folders of one run, the backend
a test asks for by name (docker skips without an engine), and what is left on
the host afterwards."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from worker.sandbox import Limits, SandboxBackend, SandboxResult

MiB = 1024 * 1024
UID_BASE = 61000
# A challenge's limits when its challenge.toml sets none (server.bundles.bundle.LIMITS).
GENEROUS = {
    "wall_seconds": 60.0,
    "cpu_seconds": 60.0,
    "memory_bytes": 1024 * MiB,
    "processes": 64,
    "output_bytes": 16 * MiB,
    "tmp_bytes": 64 * MiB,
}
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


# Top-level folders a sandboxed program sees by design on each backend, though the
# host has folders of the same names: a container's root filesystem is its image's
# (/home, /run, /srv and /var hold the image's files, none of the host's) and the
# engine mounts a read-only sysfs at /sys, as in every container. Bubblewrap binds
# none of them. (worker/sandbox/README.md, "docker and bubblewrap".)
OWN_FOLDERS = {"bubblewrap": (), "docker": ("/home", "/run", "/srv", "/sys", "/var")}


@dataclass
class RunDirs:
    root: Path
    code: Path
    data: Path
    output: Path
    hidden: Path


def _docker_backend(request: pytest.FixtureRequest) -> SandboxBackend:
    """The docker backend on this run's own podman engine (tests/support/podman.py)."""
    from tests.support.podman import missing_images

    engine = request.getfixturevalue("docker_engine")
    from worker.sandbox.docker import IMAGES, DockerBackend

    missing = missing_images(engine.client(), [IMAGES["numpy"]])
    if missing:
        pytest.skip(f"runtime images not built: {missing} (bash scripts/setup-podman.sh)")
    return DockerBackend()


def backend_named(request: pytest.FixtureRequest, *, uid_base: int) -> SandboxBackend:
    """The backend ``request.param`` names: docker (skips without an engine), or
    bubblewrap on the numpy runtime with the run uids from ``uid_base`` on."""
    if request.param == "docker":
        return _docker_backend(request)
    from worker.sandbox.bubblewrap import BubblewrapBackend

    return BubblewrapBackend(
        runtimes_dir=request.getfixturevalue("runtimes_dir"), uid_base=uid_base
    )


def runtime_missing(backend: SandboxBackend, runtime: str, runtimes_dir: Path) -> str | None:
    """Why ``backend`` cannot run ``runtime`` here (not built), or None."""
    if backend.name == "docker":
        from tests.support.podman import missing_images
        from worker.sandbox import docker_engine
        from worker.sandbox.docker import IMAGES

        # the docker_engine fixture has set DOCKER_HOST to its socket
        if runtime not in IMAGES or missing_images(docker_engine.connect(), [IMAGES[runtime]]):
            return f"the {runtime} runtime image is not built (bash scripts/setup-podman.sh)"
        return None
    if not (runtimes_dir / runtime / "bin" / "python").exists():
        return f"the {runtime} runtime is not built (python -m worker.runtimes.build {runtime})"
    return None


Runner = Callable[..., SandboxResult]


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


def zombie_of(uid: int) -> int:
    """A child that drops to ``uid`` and exits, left unreaped: a zombie of that uid
    (counted against its RLIMIT_NPROC) until the caller waits for it."""
    from worker.sandbox.uids import zombies_of

    pid = os.fork()
    if pid == 0:
        os.setresuid(uid, uid, uid)
        os._exit(0)
    deadline = time.monotonic() + 30
    while pid not in zombies_of(uid) and time.monotonic() < deadline:
        time.sleep(0.01)
    return pid


def host_uids(pid: int) -> set[int]:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("Uid:"))
    return {int(value) for value in line.split()[1:]}


def limits(**changes: float) -> Limits:
    """The limits of a challenge that sets none, with ``changes``."""
    return Limits(**{**GENEROUS, **changes})  # type: ignore[arg-type]

"""A container engine of the test run's own: podman serving the Docker Engine API
on a socket under the run's folder, for the docker backend and the compose
deployment. Registered by tests/conftest.py.

The ``docker_engine`` fixture starts it once per session, the first time a test
asks for it, and stops it when the session ends (and, through the parent-death
signal, when the test process dies without ending it). Its storage is podman's
(images built by ``scripts/setup-podman.sh`` stay between runs); its socket is
this run's alone, so runs side by side never share an API service; its
configuration is worker/runtimes/podman.py's. While it runs, ``DOCKER_HOST`` is
set for this process and for the worker processes it starts. Where it
cannot run, the tests that need it skip, saying why.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from worker.runtimes import podman
from worker.sandbox import docker_engine as engines

SETUP_HINT = "run `bash scripts/setup-podman.sh` as root"
_PR_SET_PDEATHSIG = 1


@dataclass
class Engine:
    folder: Path
    process: subprocess.Popen[bytes]
    conf: Path
    api_version: str | None = None

    @property
    def socket(self) -> Path:
        return self.folder / "podman.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def env(self) -> dict[str, str]:
        """What a client of this engine (the SDK, the CLIs, a worker) needs."""
        return {"DOCKER_HOST": self.url, podman.CONF_ENV: str(self.conf)}

    def client(self):  # type: ignore[no-untyped-def]
        """A client on the API version the engine speaks, asked of it once (podman
        takes ~200 ms to answer /version)."""
        import docker

        if self.api_version is None:
            looker = docker.DockerClient(base_url=self.url, timeout=60, version="1.24")
            with contextlib.closing(looker):
                self.api_version = engines.look(looker).api_version
        return docker.DockerClient(base_url=self.url, timeout=60, version=self.api_version)


def why_no_engine() -> str | None:
    """Why no engine can be started here, in words; None when one can."""
    if os.geteuid() != 0:
        return "the docker tests need root: podman's rootful engine makes the run's cgroups"
    for tool in ("podman", "runc"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed ({SETUP_HINT})"
    try:
        import docker  # noqa: F401
    except ImportError:
        return "the docker Python SDK is not installed"
    return None


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def podman_engine(folder: Path) -> Iterator[Engine]:
    """``podman system service`` on ``folder/podman.sock`` until the block ends."""
    folder = folder.resolve()  # a unix:// address is absolute
    folder.mkdir(parents=True, exist_ok=True)
    conf = podman.write_containers_conf(folder / "containers.conf")
    socket_path = folder / "podman.sock"
    with open(folder / "service.log", "wb") as log:
        process = subprocess.Popen(
            ["podman", "system", "service", "--time=0", f"unix://{socket_path}"],
            env={**os.environ, podman.CONF_ENV: str(conf)},
            cwd=folder,  # whatever it or its conmons write where they stand stays here
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
    engine = Engine(folder=folder, process=process, conf=conf)
    try:
        _wait_answering(engine)
        yield engine
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        socket_path.unlink(missing_ok=True)


def _wait_answering(engine: Engine, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if engine.process.poll() is not None:
            break
        if engine.socket.exists():
            with contextlib.suppress(Exception):
                if engine.client().ping():
                    return
        time.sleep(0.1)
    log = (engine.folder / "service.log").read_text(errors="replace")[-2000:]
    raise RuntimeError(f"podman's API service did not answer on {engine.socket}:\n{log}")


@pytest.fixture(scope="session")
def docker_engine(shared_dir: Path) -> Iterator[Engine]:
    reason = why_no_engine()
    if reason is not None:
        pytest.skip(reason)
    with podman_engine(shared_dir / "podman") as engine, pytest.MonkeyPatch.context() as env:
        for name, value in engine.env().items():
            env.setenv(name, value)
        yield engine


def missing_images(client, images: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Those of ``images`` the engine behind ``client`` does not hold."""
    import docker

    missing = []
    for image in images:
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            missing.append(image)
    return missing

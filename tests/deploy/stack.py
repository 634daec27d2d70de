"""docker-compose.yml brought up for real on the test run's podman engine.

The compose file is used as it is, with a ``.env`` of this run's own: images built
without a registry by scripts/setup-podman.sh (the platform image is rebuilt here
from the working tree under a tag of its own, in seconds when nothing changed;
PostgreSQL and Redis are Debian's packages in local images), free ports on 127.0.0.1, a data root under the
run's folder, the engine's socket for the workers, and short leases so that a dead
worker's submission is taken over in seconds. What compose on podman 4.3 cannot do
by itself is done here, as the missing piece would: health checks are run every
two seconds (podman schedules them with systemd timers, and there is no systemd).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO
from tests.support.podman import Engine, missing_images

SECRETS = {
    "POSTGRES_PASSWORD": "pw-for-tests",
    "REDIS_PASSWORD": "rp-for-tests",
    "DJANGO_SECRET_KEY": "key-for-tests",
    "FLOWER_PASSWORD": "fl-for-tests",
}
PLATFORM_REPOSITORY = "milestones/platform"  # tagged per stack: checkouts side by side
LOCAL_IMAGES = {
    "POSTGRES_IMAGE": "milestones/postgres:local",
    "REDIS_IMAGE": "milestones/redis:local",
}
# What the end-to-end tests start; postgres, redis and migrate come up as their
# dependencies. Not worker-gpu (no GPU here) nor flower.
SERVICES = ("web", "worker-cpu", "beat")
PLATFORM_UID = 10001  # the platform image's user, who writes the data root
HEALTH_EVERY_SECONDS = 2.0


def compose_command() -> list[str]:
    """``docker compose`` where the plugin is installed, else ``docker-compose``."""
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.skip("neither `docker compose` nor `docker-compose` is installed")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stack:
    engine: Engine
    project: str
    folder: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def site(self) -> str:
        return f"http://127.0.0.1:{self.env['MILESTONES_HTTP_PORT']}"

    @property
    def database_url(self) -> str:
        password = SECRETS["POSTGRES_PASSWORD"]
        return (
            f"postgresql://milestones:{password}@127.0.0.1:{self.env['POSTGRES_PORT']}/milestones"
        )

    def compose(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*compose_command(), "-p", self.project, "-f", str(REPO / "docker-compose.yml"), *args],
            cwd=self.folder,
            env={**os.environ, **self.engine.env(), **self.env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"compose {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done

    def containers(self, **filters: str) -> list[Any]:
        labels = [f"com.docker.compose.project={self.project}"]
        labels += (
            [f"com.docker.compose.service={filters['service']}"] if "service" in filters else []
        )
        return list(
            self.engine.client().containers.list(
                all=True, filters={"label": labels}, ignore_removed=True
            )
        )

    def container(self, service: str) -> Any:
        (found,) = self.containers(service=service)
        return found

    def logs(self, service: str) -> str:
        return self.compose("logs", "--no-color", service).stdout

    def sandbox_containers(self) -> list[Any]:
        """Sandbox containers whose binds lie under this stack's data root."""
        from worker.sandbox.docker_owners import LABEL

        root = str(self.folder / "data")
        found = self.engine.client().containers.list(
            all=True, filters={"label": LABEL}, ignore_removed=True
        )
        return [
            container
            for container in found
            if any(str(m.get("Source", "")).startswith(root) for m in container.attrs["Mounts"])
        ]


def _environment(folder: Path, platform_image: str) -> dict[str, str]:
    data, datasets = folder / "data", folder / "datasets"
    for path in (data, datasets):
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o755)
    os.chown(data, PLATFORM_UID, PLATFORM_UID)  # README "First host", step 4
    return {
        **SECRETS,
        **LOCAL_IMAGES,
        "MILESTONES_IMAGE": platform_image,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE": "0",  # plain http from the test, no TLS proxy in front
        "MILESTONES_DATA_ROOT": str(data),
        # No raw datasets: the challenges that need them are loaded without data.
        "MILESTONES_DATASETS_ROOT": str(datasets),
        "MILESTONES_HTTP_BIND": "127.0.0.1",
        "MILESTONES_HTTP_PORT": str(_free_port()),
        "POSTGRES_PORT": str(_free_port()),
        "REDIS_PORT": str(_free_port()),
        "WEB_WORKERS": "2",
        "CPU_WORKER_CONCURRENCY": "1",
        "MILESTONES_LEASE_SECONDS": "5",
        "MILESTONES_REAPER_EVERY_SECONDS": "2",
    }


def _build_platform_image(tag: str) -> None:
    """The platform image from this working tree, under a tag of the stack's own
    (podman's layer cache: seconds when nothing changed)."""
    done = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "python"),
            "-m",
            "worker.runtimes.images",
            "image",
            "--tag",
            tag,
            "--file",
            "Dockerfile",
            "--requirements",
            "requirements-deploy.txt",
            ".",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise AssertionError(f"building {tag} failed:\n{done.stderr[-3000:]}")


class HealthChecks:
    """Runs the health check of every running container of the project, every two
    seconds, as podman's systemd timers would (``podman healthcheck run``)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HealthChecks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        env = {**os.environ, **self.stack.engine.env()}
        while not self._stop.wait(HEALTH_EVERY_SECONDS):
            with contextlib.suppress(Exception):  # a container going away meanwhile
                for container in self.stack.containers():
                    if container.status == "running" and container.attrs["Config"].get(
                        "Healthcheck"
                    ):
                        subprocess.run(
                            ["podman", "healthcheck", "run", container.id],
                            env=env,
                            capture_output=True,
                            timeout=60,
                        )


@contextlib.contextmanager
def compose_stack(engine: Engine, folder: Path) -> Iterator[Stack]:
    """The deployment up (``SERVICES`` and their dependencies), then down with its
    volumes, and no sandbox container of it left."""
    missing = missing_images(
        engine.client(), [*LOCAL_IMAGES.values(), "milestones/runtime-numpy:1"]
    )
    if missing:
        pytest.skip(f"images not built: {missing} (bash scripts/setup-podman.sh)")
    project = f"milestones-test-{uuid.uuid4().hex[:8]}"
    platform_image = f"{PLATFORM_REPOSITORY}:{project}"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    env = {**_environment(folder, platform_image), "DOCKER_SOCKET": str(engine.socket)}
    stack = Stack(engine, project, folder, env)
    try:
        _build_platform_image(platform_image)
        with HealthChecks(stack):
            stack.compose("up", "-d", "--no-build", *SERVICES)
            yield stack
    finally:
        stack.compose("down", "--volumes", "--remove-orphans", "--timeout", "5", check=False)
        for container in stack.sandbox_containers():
            with contextlib.suppress(Exception):
                container.remove(force=True, v=True)
        with contextlib.suppress(Exception):  # the tag only: its layers stay cached
            engine.client().images.remove(platform_image)
        shutil.rmtree(folder, ignore_errors=True)

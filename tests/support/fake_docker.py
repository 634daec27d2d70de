"""Just enough of the Docker SDK for the docker backend's run loop, without an engine."""

from __future__ import annotations

import time

MiB = 1024 * 1024


class FakeContainer:
    """Just enough of docker.models.containers.Container for DockerBackend.run."""

    def __init__(self, *, runs_for: float, state: dict, log: bytes = b"") -> None:
        self.runs_for, self.state, self.log = runs_for, state, log
        self.started_at: float | None = None
        self.calls: list[str] = []
        self.status = "created"

    def start(self) -> None:
        self.started_at = time.monotonic()
        self.status = "running"

    def reload(self) -> None:
        if self.status == "running" and time.monotonic() - self.started_at > self.runs_for:
            self.status = "exited"

    def kill(self) -> None:
        self.calls.append("kill")
        self.status = "exited"
        self.state = {"ExitCode": 137, "OOMKilled": False}

    def stats(self, **_: object) -> dict:
        return {
            "memory_stats": {"usage": 50 * MiB},
            "cpu_stats": {"cpu_usage": {"total_usage": 2e8}},
        }

    def wait(self, timeout: float | None = None, **_: object) -> dict:
        """Until the container ends, as the engine's wait call; a timeout raises, as
        the SDK's read timeout does."""
        deadline = time.monotonic() + (timeout if timeout is not None else 3600)
        self.reload()
        while self.status == "running":
            if time.monotonic() >= deadline:
                raise TimeoutError("still running")
            time.sleep(0.01)
            self.reload()
        return {"StatusCode": self.state.get("ExitCode")}

    @property
    def attrs(self) -> dict:
        return {"State": self.state}

    def logs(self, **_: object) -> bytes:
        return self.log

    def remove(self, **_: object) -> None:
        self.calls.append("remove")


class FakeClient:
    def __init__(self, container: FakeContainer) -> None:
        self.container = container
        self.created: dict = {}
        self.containers = self

    def create(self, **kwargs: object) -> FakeContainer:
        self.created = kwargs
        return self.container

"""Just enough of the Docker SDK for the docker backend's run loop, without an engine."""

from __future__ import annotations

import time

MiB = 1024 * 1024


class FakeContainer:
    """Just enough of docker.models.containers.Container for DockerBackend.run."""

    id = "fake-container"

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


class FakeExecApi:
    """The engine's exec calls (docker.APIClient), for the warning before a time limit:
    each exec ends after ``runs_for`` seconds with ``exit_code`` (never, when None)."""

    def __init__(self, *, exit_code: int | None, runs_for: float = 0.05) -> None:
        self.exit_code, self.runs_for = exit_code, runs_for
        self.started: dict[str, float] = {}
        self.commands: list[list[str]] = []

    def exec_create(self, container: str, cmd: list[str], **_: object) -> dict:
        self.commands.append(cmd)
        return {"Id": f"exec-{len(self.commands)}"}

    def exec_start(self, exec_id: str, detach: bool = False, **_: object) -> None:
        assert detach, "an exec the program could stop must never hold up the watch"
        self.started[exec_id] = time.monotonic()

    def exec_inspect(self, exec_id: str) -> dict:
        ended = time.monotonic() - self.started[exec_id] >= self.runs_for
        if self.exit_code is None or not ended:
            return {"Running": True, "ExitCode": None}
        return {"Running": False, "ExitCode": self.exit_code}


class FakeClient:
    def __init__(self, container: FakeContainer, api: FakeExecApi | None = None) -> None:
        self.container = container
        self.created: dict = {}
        self.containers = self
        if api is not None:
            self.api = api

    def create(self, **kwargs: object) -> FakeContainer:
        self.created = kwargs
        return self.container

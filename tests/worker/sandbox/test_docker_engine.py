"""What the docker backend asks its engine once per process
(worker/sandbox/docker_engine.py): podman answers /version in about 200 ms, which
each run used to pay twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.podman import Engine, podman_engine
from worker.sandbox import docker_engine as engines

pytestmark = pytest.mark.integration


def test_a_second_connection_asks_the_engine_nothing_but_a_ping(
    docker_engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    import docker

    spoken = docker_engine.client().version()["ApiVersion"]
    engines.forget()
    first = engines.connect()
    assert first.api.api_version == spoken
    assert engines.is_podman()  # the test run's engine is podman

    def asked_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("the engine was asked /version again")

    monkeypatch.setattr(docker.api.client.APIClient, "version", asked_again)
    again = engines.connect()
    assert again.api.api_version == spoken and again.ping()


def test_an_engine_that_stops_answering_is_looked_at_afresh(
    docker_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    with podman_engine(tmp_path / "engine") as other:
        monkeypatch.setenv("DOCKER_HOST", other.url)
        engines.connect()
        assert engines.is_podman()
    with pytest.raises(Exception):  # noqa: B017 - the SDK raises several unrelated types
        engines.connect()
    assert not engines.is_podman()  # forgotten: the next connection looks again

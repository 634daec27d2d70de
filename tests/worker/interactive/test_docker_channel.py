"""The docker backend's interactive channel, against a fake engine: the attach
socket carries queries in and the engine's framed stdout out, and a channel sees
exactly what it would see under bubblewrap. Real containers: tests/worker/sandbox."""

from __future__ import annotations

import json
import math
import socket
import struct
import threading
from pathlib import Path

import pytest

from tests.support.char_lm import STEPS, grading, hidden_text, write_evaluation
from tests.support.fake_docker import FakeClient, FakeContainer
from tests.support.sandbox import limits
from worker.interactive import run_interactive
from worker.sandbox import SandboxSpec
from worker.sandbox.docker import DockerBackend, container_spec


def _frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


class AttachableContainer(FakeContainer):
    """A container whose program (a thread) speaks through the attach socket."""

    def __init__(self, program) -> None:  # type: ignore[no-untyped-def]
        super().__init__(runs_for=30, state={"ExitCode": 0, "OOMKilled": False})
        self.engine_side, self.worker_side = socket.socketpair()
        self.program = program
        self.attached_with: dict = {}

    def attach_socket(self, *, params: dict) -> socket.socket:
        self.attached_with = params
        return self.worker_side

    def start(self) -> None:
        super().start()
        threading.Thread(target=self._play, daemon=True).start()

    def _play(self) -> None:
        with self.engine_side.makefile("rb") as stdin:
            self.program(
                stdin,
                lambda line: self.engine_side.sendall(_frame(1, line)),
                lambda line: self.engine_side.sendall(_frame(2, line)),
            )
        self.status = "exited"


def _uniform(stdin, send, send_err) -> None:  # type: ignore[no-untyped-def]
    send_err(b"stderr is the log, not an answer\n")
    send(b'{"ready": ')  # a line may come in several frames
    send(b"true}\n")
    for line in stdin:
        query = json.loads(line)
        row = [-math.log(65)] * 65
        send(json.dumps({"query": query["query"], "logprobs": [row] * 6}).encode() + b"\n")


def _run(tmp_path: Path, container: FakeContainer):  # type: ignore[no-untyped-def]
    for name in ("code", "data", "out"):
        (tmp_path / name).mkdir()
    write_evaluation(tmp_path / "hidden", hidden_text())
    spec = SandboxSpec(
        code_dir=tmp_path / "code",
        data_dir=tmp_path / "data",
        output_dir=tmp_path / "out",
        runtime="numpy",
        limits=limits(wall_seconds=10),
    )
    client = FakeClient(container)
    outcome = run_interactive(
        backend=DockerBackend(client=client),
        spec=spec,
        grading=grading(),
        hidden_dir=tmp_path / "hidden",
    )
    return outcome, client


def test_an_interactive_container_is_scored_through_its_attach_socket(tmp_path: Path):
    container = AttachableContainer(_uniform)
    outcome, client = _run(tmp_path, container)
    assert outcome.scores is not None, outcome.reason
    assert outcome.scores.public == pytest.approx(math.log2(65), abs=1e-12)
    assert outcome.record.answered == STEPS
    assert client.created["stdin_open"] is True
    assert container.attached_with == {"stdin": 1, "stdout": 1, "stream": 1}
    assert container.calls == ["kill", "remove"]  # stopped once every query was answered


def test_a_container_that_breaks_the_protocol_fails_and_is_removed(tmp_path: Path):
    def chatty(stdin, send, send_err) -> None:  # type: ignore[no-untyped-def]
        send(b"hello\n")

    container = AttachableContainer(chatty)
    outcome, _ = _run(tmp_path, container)
    assert outcome.scores is None
    assert "the first line on stdout must be" in outcome.reason
    assert container.calls[-1] == "remove"


def test_a_batch_container_keeps_its_stdin_closed():
    spec = SandboxSpec(
        code_dir=Path("/c"),
        data_dir=Path("/d"),
        output_dir=Path("/o"),
        runtime="numpy",
        limits=limits(),
    )
    assert container_spec(spec, image="i")["stdin_open"] is False
    assert container_spec(spec, image="i", interactive=True)["stdin_open"] is True

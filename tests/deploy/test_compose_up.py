"""The production deployment brought up for real (docker-compose.yml on the test
run's podman engine, tests/deploy/stack.py): a student's XOR submitted through
the web container is run by the worker container in a sibling container, started
through the engine's socket, and scored; a worker container killed mid-run comes
back and the submission is still scored, exactly once."""

from __future__ import annotations

import os
import re
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.stack import Stack, compose_stack
from tests.support.paths import REPO
from tests.support.programs import trivial_code
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration
XOR = "1986-xor-backprop"
FINAL = ("scored", "held", "failed", "error")


@pytest.fixture(scope="module")
def stack(docker_engine, shared_dir: Path) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    with compose_stack(docker_engine, shared_dir / f"compose-{uuid.uuid4().hex[:6]}") as up:
        wait_for(lambda: _answers(up), timeout=120, what="the web container's /healthz")
        yield up


def _answers(stack: Stack) -> bool:
    import requests

    try:
        return requests.get(f"{stack.site}/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


class Student:
    """A participant using the site through the web container, as a browser would."""

    def __init__(self, stack: Stack, username: str) -> None:
        import requests

        self.site = stack.site
        self.http = requests.Session()
        self.http.get(f"{self.site}/accounts/signup/", timeout=30)
        password = "pw-for-tests-1"
        signed_up = self._post(
            "/accounts/signup/",
            {"username": username, "email": "", "password1": password, "password2": password},
        )
        assert signed_up.status_code == 302, signed_up.text[:500]

    def _post(self, path: str, data: dict[str, str], **kwargs: Any) -> Any:
        data = {**data, "csrfmiddlewaretoken": self.http.cookies["csrftoken"]}
        return self.http.post(
            f"{self.site}{path}",
            data=data,
            headers={"Referer": f"{self.site}/"},
            allow_redirects=False,
            timeout=60,
            **kwargs,
        )

    def submit(self, slug: str, main_py: bytes) -> int:
        response = self._post(
            f"/challenges/{slug}/submit/", {}, files={"code": ("main.py", main_py)}
        )
        assert response.status_code == 302, response.text[:500]
        match = re.fullmatch(r"/submissions/(\d+)/", response.headers["Location"])
        assert match, response.headers["Location"]
        return int(match[1])


def _row(stack: Stack, submission_id: int) -> dict[str, Any]:
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(stack.database_url, row_factory=dict_row) as db:
        found = db.execute(
            "SELECT state, attempt, platform_failures, public_score, failure_reason, log_tail"
            " FROM submissions_submission WHERE id = %s",
            (submission_id,),
        ).fetchone()
    assert found is not None
    return found


def _final(stack: Stack, submission_id: int) -> dict[str, Any]:
    return wait_for(
        lambda: (row := _row(stack, submission_id))["state"] in FINAL and row,
        timeout=240,
        interval=1.0,
        what=f"submission {submission_id} to end",
    )


def _outcomes(stack: Stack, submission_id: int) -> list[str]:
    pattern = re.compile(rf"submission {submission_id} attempt (\d+) ended (\w+)")
    return [f"attempt {a} {state}" for a, state in pattern.findall(stack.logs("worker-cpu"))]


def _owned_by(stack: Stack, worker: Any) -> list[Any]:
    """The sandbox containers the worker container's processes started."""
    from worker.sandbox.docker_owners import OWNER_LABEL

    host = worker.attrs["Config"]["Hostname"]
    return [
        container
        for container in stack.sandbox_containers()
        if container.labels.get(OWNER_LABEL, "").startswith(f"{host}:")
    ]


def _sandbox_of(stack: Stack, worker: Any) -> list[Any]:
    """The run's sandbox container, once it starts; the services' logs when it does not."""
    try:
        return wait_for(lambda: _owned_by(stack, worker), timeout=120, what="the sandbox container")
    except AssertionError as waited:
        logs = "\n".join(
            f"--- {name} ---\n{stack.logs(name)[-3000:]}" for name in ("worker-cpu", "beat", "web")
        )
        raise AssertionError(f"{waited}\n{logs}") from None


def test_xor_submitted_through_the_web_is_run_in_a_sibling_container_and_scored(stack: Stack):
    reference = (REPO / "challenges" / XOR / "reference" / "main.py").read_bytes()
    submission_id = Student(stack, "ada").submit(XOR, reference + b"\nimport time; time.sleep(3)\n")
    worker = stack.container("worker-cpu")
    siblings = _sandbox_of(stack, worker)
    assert siblings[0].attrs["HostConfig"]["NetworkMode"] == "none"

    final = _final(stack, submission_id)
    assert final["state"] == "scored", (final["failure_reason"], final["log_tail"][-500:])
    assert final["public_score"] >= 0.9
    assert _outcomes(stack, submission_id) == ["attempt 1 scored"], stack.logs("worker-cpu")[-3000:]
    wait_for(lambda: not _owned_by(stack, worker), timeout=30, what="the sandbox's removal")


def test_a_worker_container_killed_mid_run_comes_back_and_scores_exactly_once(stack: Stack):
    submission_id = Student(stack, "grace").submit(XOR, trivial_code(sleep=12))
    worker = stack.container("worker-cpu")
    _sandbox_of(stack, worker)
    assert _row(stack, submission_id)["state"] == "running"
    restarts = worker.attrs["RestartCount"]

    # A crash, as the kernel's OOM killer would make one: the worker's main process
    # (its container's pid 1) dies. Its restart policy brings the container back.
    os.kill(worker.attrs["State"]["Pid"], signal.SIGKILL)
    wait_for(
        lambda: (
            (w := stack.container("worker-cpu")).attrs["RestartCount"] > restarts
            and w.status == "running"
        ),
        timeout=120,
        what="the worker container's restart",
    )

    final = _final(stack, submission_id)
    assert final["state"] == "scored", (final["failure_reason"], final["log_tail"][-500:])
    assert (final["attempt"], final["platform_failures"]) == (2, 1)
    assert _outcomes(stack, submission_id) == ["attempt 2 scored"]
    # The first attempt's container, left by the killed worker, was removed by the
    # restarted one; the second attempt's by its own worker.
    wait_for(lambda: not stack.sandbox_containers(), timeout=60, what="no sandbox container")

"""The hostile corpus through the real stack: every attack whose file names a
``pipeline`` state is uploaded by a student to the XOR challenge, run by a real
Celery worker process in the bubblewrap sandbox and graded; then an honest
student's reference solution must be scored by the same, still-running worker.

The worker's environment holds the arena's fake secret (set before it starts).
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from server.accounts.models import User
from tests.support.pipeline import reference_files, submit, wait_final
from tests.support.sandbox import processes_running
from tests.worker.sandbox.hostile.arena import SECRET_ENV, Arena
from tests.worker.sandbox.hostile.corpus import Attack, attacks

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
MiB = 1024 * 1024
# The challenge's limits while attacks run (the corpus's FAST limits, in its units).
BASE_LIMITS = {
    "wall_seconds": 5,
    "cpu_seconds": 5,
    "memory_mb": 256,
    "processes": 32,
    "output_mb": 1,
    "tmp_mb": 16,
}
PIPELINE = [attack for attack in attacks() if attack.pipeline]


def test_hostile_submissions_fail_cleanly_and_the_next_honest_one_is_scored(
    client, xor_challenge, start_worker, hostile_arena: Arena
):  # type: ignore[no-untyped-def]
    worker = start_worker()
    assert (
        hostile_arena.tokens["worker_environment"].encode()
        in Path(f"/proc/{worker.process.pid}/environ").read_bytes()
    ), f"the worker must hold {SECRET_ENV}, to prove it does not leak"
    mallory = User.objects.create_user(username="mallory", password="pw-for-tests-1")
    ada = User.objects.create_user(username="ada", password="pw-for-tests-1")
    linear = xor_challenge.baselines.get(position=0).score
    problems: list[str] = []
    for attack in PIPELINE:
        _set_limits(xor_challenge, attack.limits)
        client.force_login(mallory)
        problems += _hostile_problems(client, xor_challenge, attack, hostile_arena)
        if worker.process.poll() is not None:
            problems.append(f"{attack}: the worker died ({worker.process.returncode})")
            break
        _set_limits(xor_challenge, {})
        client.force_login(ada)
        honest = wait_final(
            submit(client, xor_challenge.slug, reference_files(xor_challenge.slug)), timeout=120
        )
        if honest.state != "scored" or (honest.public_score or 0) <= linear + 0.3:
            problems.append(
                f"after {attack}: the honest submission ended {honest.state}: "
                f"{honest.failure_reason} {honest.log_tail[-300:]!r}"
            )
    problems += hostile_arena.problems()
    assert not problems, "\n".join(problems)


def _hostile_problems(client, challenge, attack: Attack, arena: Arena) -> list[str]:  # type: ignore[no-untyped-def]
    marker = f"{attack.name}_{uuid.uuid4().hex[:8]}.py"
    # main.py hands over to the attack under a unique name, so that its processes
    # (and its forks) can be found on the machine by their command line.
    launcher = f"import os, sys\nos.execv(sys.executable, [sys.executable, '-s', '/submission/{marker}'])\n"
    targets = {
        **arena.targets,
        "hidden_labels": str(challenge.hidden_dir / "labels.csv"),
        "hidden_dir": str(challenge.hidden_dir),
    }
    files = {
        "main.py": launcher.encode(),
        marker: attack.source.encode(),
        "targets.json": json.dumps(targets).encode(),
    }
    wall = float(attack.limits.get("wall_seconds", BASE_LIMITS["wall_seconds"]))
    began = time.monotonic()
    submission = wait_final(submit(client, challenge.slug, files), timeout=wall + 90)
    found = []
    if submission.state != attack.pipeline:
        found.append(
            f"ended {submission.state}, expected {attack.pipeline}: {submission.failure_reason}"
        )
    found += [
        f"never printed {line!r}" for line in attack.prints if line not in submission.log_tail
    ]
    found += [f"its log shows {name}" for name in arena.leaks_in(submission.log_tail)]
    found += ["its log says ESCAPED"] if "ESCAPED" in submission.log_tail else []
    found += [f"process {pid} is left" for pid in processes_running(marker)]
    if time.monotonic() - began > wall + 60:
        found.append(f"took {time.monotonic() - began:.0f} s")
    return [f"{attack}: {problem}" for problem in found]


def _set_limits(challenge, overrides: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    limits = dict(BASE_LIMITS)
    for name, value in overrides.items():
        if name.endswith("_bytes"):
            limits[name.replace("_bytes", "_mb")] = int(value) // MiB
        else:
            limits[name] = int(value)
    limits.pop("log_mb", None)  # the log's size is the platform's, not the challenge's
    challenge.limits = {**challenge.limits, **limits}
    challenge.save()

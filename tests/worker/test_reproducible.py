"""The same run twice gives the same bytes and the same score: the sandbox hands a
program the same data, the same environment and the same MILESTONES_SEED, and
the grader scores the same output the same way."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from graders import grade, load_spec
from tests.support.programs import reference_code
from worker.execution import limits_for
from worker.sandbox import SandboxSpec, Status
from worker.sandbox.bubblewrap import BubblewrapBackend

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
SEEDED = b"""import os
import numpy as np
rng = np.random.default_rng(int(os.environ["MILESTONES_SEED"]))
ids = [line.split(",")[0] for line in open("/data/test.csv").read().splitlines()[1:]]
with open("/output/predictions.csv", "w") as out:
    out.write("id,label\\n" + "".join(f"{i},{rng.integers(0, 2)}\\n" for i in ids))
"""


def _run(challenge, runtimes_dir: Path, shared_dir: Path, code: bytes, seed: int) -> Path:  # type: ignore[no-untyped-def]
    root = shared_dir / f"repro-{uuid.uuid4().hex[:8]}"
    (root / "code").mkdir(parents=True)
    (root / "output").mkdir()
    (root / "code" / "main.py").write_bytes(code)
    for path in (root, root / "code", root / "output", root / "code" / "main.py"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    spec = SandboxSpec(
        code_dir=root / "code",
        data_dir=challenge.public_dir,
        output_dir=root / "output",
        runtime="numpy",
        limits=limits_for(challenge.limits),
        seed=seed,
    )
    result = BubblewrapBackend(runtimes_dir=runtimes_dir).run(spec)
    assert result.status is Status.OK, result.log_tail
    return root / "output" / "predictions.csv"


def test_a_deterministic_submission_twice_gives_the_same_bytes_and_score(
    xor_challenge, runtimes_dir, shared_dir
):  # type: ignore[no-untyped-def]
    first = _run(xor_challenge, runtimes_dir, shared_dir, reference_code(), seed=7)
    second = _run(xor_challenge, runtimes_dir, shared_dir, reference_code(), seed=7)
    assert first.read_bytes() == second.read_bytes()
    spec = load_spec(xor_challenge.grading)
    scores = [
        grade(spec=spec, output_dir=out.parent, hidden_dir=xor_challenge.hidden_dir)
        for out in (first, second)
    ]
    assert scores[0] == scores[1]
    shutil.rmtree(first.parents[1], ignore_errors=True)
    shutil.rmtree(second.parents[1], ignore_errors=True)


def test_the_seed_reaches_the_program_and_repeats_its_randomness(
    xor_challenge, runtimes_dir, shared_dir
):  # type: ignore[no-untyped-def]
    same = [
        _run(xor_challenge, runtimes_dir, shared_dir, SEEDED, seed=41).read_bytes() for _ in "ab"
    ]
    other = _run(xor_challenge, runtimes_dir, shared_dir, SEEDED, seed=42).read_bytes()
    assert same[0] == same[1] != other

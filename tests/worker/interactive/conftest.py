"""Fixtures for the interactive tests: a small character-LM evaluation (hidden text,
vocabulary, streams) in folders the sandbox uid can reach, and a runner that
evaluates a program through each real sandbox backend (on the numpy runtime)."""

from __future__ import annotations

import json
import shutil
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.char_lm import (
    FAST,
    VOCAB,
    Evaluation,
    Interact,
    grading,
    hidden_text,
    write_evaluation,
)
from tests.support.sandbox import UID_BASE, backend_named
from worker.interactive import Outcome, run_interactive
from worker.sandbox import Limits, SandboxSpec
from worker.sandbox.base import Tick


@pytest.fixture
def evaluation(shared_dir: Path) -> Iterator[Evaluation]:
    root = shared_dir / f"interactive-{uuid.uuid4().hex[:8]}"
    code, data, output, hidden = (root / name for name in ("code", "data", "output", "hidden"))
    for path in (code, data, output):
        path.mkdir(parents=True)
    text = hidden_text()
    starts, public = write_evaluation(hidden, text)
    (data / "vocab.json").write_text(json.dumps(VOCAB), encoding="utf-8")
    (data / "train.txt").write_text(hidden_text(seed=7), encoding="utf-8")
    for path in (root, code, data, output, *data.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)
    hidden.chmod(0o700)
    yield Evaluation(root, code, data, output, hidden, text, starts, public)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["bubblewrap", "docker"])
def interact(request: pytest.FixtureRequest, evaluation: Evaluation) -> Interact:
    """Evaluate ``source`` (the program's main.py) through each sandbox backend (docker
    on the test run's podman engine, skipped without one)."""
    backend = backend_named(request, uid_base=UID_BASE)

    def run(
        source: str,
        *,
        tick: Tick | None = None,
        grading_changes: dict | None = None,
        **limits: float,
    ) -> Outcome:
        main = evaluation.code / "main.py"
        main.write_text(textwrap.dedent(source))
        main.chmod(0o644)
        spec = SandboxSpec(
            code_dir=evaluation.code,
            data_dir=evaluation.data,
            output_dir=evaluation.output,
            runtime="numpy",
            limits=Limits(**{**FAST, **limits}),
        )  # type: ignore[arg-type]
        return run_interactive(
            backend=backend,
            spec=spec,
            grading=grading(**(grading_changes or {})),
            hidden_dir=evaluation.hidden,
            tick=tick,
        )

    return run

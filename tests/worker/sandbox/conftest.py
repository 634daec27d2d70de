"""Fixtures for the sandbox tests: folders the sandbox uid can reach, and one
backend per name (docker skips without an engine) on the numpy runtime of
tests/conftest.py."""

from __future__ import annotations

import shutil
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.sandbox import FAST, UID_BASE, RunDirs, Runner, backend_named
from worker.sandbox import Limits, SandboxBackend, SandboxResult, SandboxSpec
from worker.sandbox.base import Tick


@pytest.fixture
def run_dirs(shared_dir: Path) -> Iterator[RunDirs]:
    """code/, data/, output/ for one run, and a hidden/ beside them it must not see."""
    root = shared_dir / f"run-{uuid.uuid4().hex[:8]}"
    dirs = RunDirs(root, root / "code", root / "data", root / "output", root / "hidden")
    for path in (dirs.code, dirs.data, dirs.output, dirs.hidden):
        path.mkdir(parents=True)
    (dirs.data / "train.csv").write_text("x,y\n1,2\n")
    (dirs.hidden / "labels.csv").write_text("id,label\n1,secret\n")
    for path in (root, dirs.code, dirs.data, dirs.output, dirs.data / "train.csv"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    dirs.hidden.chmod(0o700)
    yield dirs
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["bubblewrap", "docker"])
def backend(request: pytest.FixtureRequest) -> SandboxBackend:
    return backend_named(request, uid_base=UID_BASE)


@pytest.fixture
def run_program(backend: SandboxBackend, run_dirs: RunDirs) -> Runner:
    """Write ``source`` as the entrypoint and run it under FAST limits (overridable)."""

    def run(
        source: str,
        *,
        runtime: str = "numpy",
        tick: Tick | None = None,
        entrypoint: str = "main.py",
        gpu: int | None = None,
        **limits: float,
    ) -> SandboxResult:
        main = run_dirs.code / entrypoint
        main.write_text(textwrap.dedent(source))
        main.chmod(0o644)
        spec = SandboxSpec(
            code_dir=run_dirs.code,
            data_dir=run_dirs.data,
            output_dir=run_dirs.output,
            runtime=runtime,
            entrypoint=entrypoint,
            limits=Limits(**{**FAST, **limits}),
            gpu=gpu,
        )  # type: ignore[arg-type]
        return backend.run(spec, tick=tick)

    return run

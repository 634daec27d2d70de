"""The docker backend's runtime images hold what the bubblewrap runtimes hold: the
same Python and the same distributions at the same versions (numpy, torch and
every dependency), as the sandboxed program itself sees them."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.support.sandbox import RunDirs, runtime_missing
from worker.sandbox import SandboxSpec, Status

pytestmark = pytest.mark.integration

INVENTORY = textwrap.dedent("""
    import importlib.metadata, json, pathlib, sys
    names = sorted((d.metadata["Name"].lower(), d.version) for d in importlib.metadata.distributions())
    print(json.dumps({"python": sys.version.split()[0], "distributions": names}))
""")


def _in_bubblewrap_runtime(runtimes_dir: Path, name: str) -> dict[str, object]:
    python = runtimes_dir / name / "bin" / "python"
    done = subprocess.run(
        [str(python), "-s", "-c", INVENTORY], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def _in_docker_image(run_dirs: RunDirs, name: str) -> dict[str, object]:
    from tests.support.sandbox import limits
    from worker.sandbox.docker import DockerBackend

    (run_dirs.code / "main.py").write_text(INVENTORY)
    (run_dirs.code / "main.py").chmod(0o644)
    spec = SandboxSpec(
        code_dir=run_dirs.code,
        data_dir=run_dirs.data,
        output_dir=run_dirs.output,
        runtime=name,
        limits=limits(log_bytes=1024 * 1024),
    )
    result = DockerBackend().run(spec)
    assert result.status is Status.OK, result.log_tail
    return json.loads(result.log_tail.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ["numpy", "torch"])
def test_a_runtime_image_holds_the_bubblewrap_runtimes_python_and_packages(
    name: str, docker_engine, runtimes_dir: Path, run_dirs: RunDirs
):  # type: ignore[no-untyped-def]
    from worker.sandbox.bubblewrap import BubblewrapBackend
    from worker.sandbox.docker import DockerBackend

    for backend in (BubblewrapBackend(runtimes_dir=runtimes_dir), DockerBackend()):
        if reason := runtime_missing(backend, name, runtimes_dir):
            pytest.skip(reason)
    in_image = _in_docker_image(run_dirs, name)
    assert in_image == _in_bubblewrap_runtime(runtimes_dir, name)
    wanted = {"numpy": {"numpy"}, "torch": {"numpy", "torch"}}[name]
    assert wanted <= {package for package, _ in in_image["distributions"]}  # type: ignore[attr-defined]

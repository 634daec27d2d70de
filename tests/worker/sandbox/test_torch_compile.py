"""torch.compile in the sandbox, on both backends: inductor writes C++ kernels to
/tmp and builds them with g++ against Python.h, under a challenge's usual limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.sandbox import GENEROUS, Runner, runtime_missing
from worker.sandbox import SandboxBackend, Status

COMPILED = """
    import torch
    from torch._inductor import metrics

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    compiled = torch.compile(model)
    x = torch.randn(32, 8)
    with torch.no_grad():
        same = torch.allclose(compiled(x), model(x), atol=1e-5)
    print("compiled:", same, "C++ kernels:", metrics.generated_kernel_count > 0)
"""
COMPILER_LABEL = "milestones.runtime.compiler"

pytestmark = pytest.mark.integration


def test_a_torch_compiled_model_runs_under_a_challenges_usual_limits(
    run_program: Runner, backend: SandboxBackend, runtimes_dir: Path
):
    if reason := runtime_missing(backend, "torch", runtimes_dir) or _no_compiler(backend):
        pytest.skip(reason)
    # The limits of a challenge that sets none (a 64 MiB /tmp, 1 GiB of memory),
    # with time for compiling on a loaded machine.
    limits = {**GENEROUS, "wall_seconds": 90.0, "cpu_seconds": 90.0}
    result = run_program(COMPILED, runtime="torch", **limits)
    assert result.status is Status.OK, result.log_tail[-3000:]
    assert "compiled: True C++ kernels: True" in result.log_tail


def _no_compiler(backend: SandboxBackend) -> str | None:
    """Why the docker torch image cannot compile (built before it had g++), or None."""
    if backend.name != "docker":
        return None
    from worker.sandbox import docker_engine
    from worker.sandbox.docker import IMAGES

    labels = docker_engine.connect().images.get(IMAGES["torch"]).labels or {}
    if COMPILER_LABEL not in labels:
        return (
            "the torch image predates its compiler: python -m worker.runtimes.images runtime torch"
        )
    return None

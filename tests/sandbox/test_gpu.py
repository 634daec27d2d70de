"""A granted GPU: visible alone inside the sandbox (skipped on machines without one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sandbox.conftest import Runner
from worker.sandbox import Status

pytestmark = pytest.mark.gpu


@pytest.fixture(autouse=True)
def _needs_a_gpu() -> None:
    if not Path("/dev/nvidia0").exists():
        pytest.skip("no NVIDIA GPU here (/dev/nvidia0 is missing)")


def test_the_granted_gpu_and_only_it_is_visible(run_program: Runner):
    result = run_program("""
        import glob, os
        print("devices", sorted(glob.glob("/dev/nvidia*")))
        print("visible", os.environ.get("CUDA_VISIBLE_DEVICES"))
        os.close(os.open("/dev/nvidiactl", os.O_RDWR))
        os.close(os.open("/dev/nvidia0", os.O_RDWR))
        print("opened")
    """, gpu=0)  # fmt: skip
    assert result.status is Status.OK, result.log_tail
    assert "opened" in result.log_tail and "visible 0" in result.log_tail
    assert "/dev/nvidia1'" not in result.log_tail


def test_torch_sees_exactly_one_cuda_device(run_program: Runner, runtimes_dir: Path):
    if not (runtimes_dir / "torch" / "bin" / "python").exists():
        pytest.skip("the torch runtime is not built (python -m worker.runtimes.build torch)")
    result = run_program("""
        import torch
        print("version", torch.__version__)
        print("cuda", torch.cuda.is_available(), torch.cuda.device_count())
        print((torch.ones(4, device="cuda") * 2).sum().item())
    """, runtime="torch", gpu=0, memory_bytes=8 << 30, wall_seconds=60, cpu_seconds=60)  # fmt: skip
    if "cuda False" in result.log_tail and "+cpu" in result.log_tail:
        pytest.skip("the torch runtime here is a CPU build")
    assert result.status is Status.OK, result.log_tail
    assert "cuda True 1" in result.log_tail and "8.0" in result.log_tail

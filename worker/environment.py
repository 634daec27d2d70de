"""What a run ran on, recorded with its result so that it can be made again and
its score read for what it is: the runtime and its versions, the sandbox, the
CPU, the GPU (and its driver), the bundle and the grader artifacts."""

from __future__ import annotations

import functools
import json
import platform
import shutil
import subprocess
from pathlib import Path

from worker.runtimes.build import MARKER, RUNTIMES

_NVIDIA_QUERY = ["--query-gpu=name,driver_version", "--format=csv,noheader"]


def ran_on(
    *,
    runtime: str,
    runtimes_dir: Path,
    backend: str,
    gpu: int | None,
    bundle_hash: str,
    grader_checksum: str,
) -> dict[str, object]:
    return {
        "runtime": runtime,
        "python": _runtime_python(runtimes_dir, runtime),
        "packages": list(RUNTIMES.get(runtime, ())),
        "sandbox": backend,
        "cpu": cpu_model(),
        "gpu": gpu_description(gpu) if gpu is not None else None,
        "bundle_hash": bundle_hash,
        "grader_checksum": grader_checksum,
    }


def _runtime_python(runtimes_dir: Path, runtime: str) -> str | None:
    try:
        marker = json.loads((runtimes_dir / runtime / MARKER).read_text())
    except (OSError, ValueError):
        return None  # e.g. the docker backend's images: their versions are the same
    version = marker.get("python_version") if isinstance(marker, dict) else None
    return str(version) if version else None


@functools.cache
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@functools.cache
def gpu_description(index: int) -> str | None:
    """ "NVIDIA H100 80GB HBM3 (driver 550.54.15)", from nvidia-smi; None without it."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        done = subprocess.run(
            [smi, f"--id={index}", *_NVIDIA_QUERY], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    name, _, driver = done.stdout.strip().partition(",")
    return f"{name.strip()} (driver {driver.strip()})" if done.returncode == 0 and name else None

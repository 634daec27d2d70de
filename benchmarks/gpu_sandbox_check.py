"""Check the bubblewrap sandbox's GPU path on a machine with an NVIDIA GPU.

    apt-get download bubblewrap && dpkg -x bubblewrap_*.deb /opt/bwrap-deb
    python3 benchmarks/gpu_sandbox_check.py --bwrap /opt/bwrap-deb/usr/bin/bwrap \\
        --runtime /opt/milestones-gpu/torch --make-runtime --gpu 0

Needs only this machine's python3 with torch (CUDA) and the standard library:
``--make-runtime`` makes the runtime, a venv over that python3
(``--system-site-packages``, so torch is the system's), at ``--runtime`` unless
one is there. The sandbox's uid must reach the runtime and bwrap (every parent
folder o+x): /opt is fine, /root is not. Run it as root, like the worker (a uid
of its own for the sandbox, cgroups).

It runs one CUDA job (matmuls, synchronised, checked against the CPU) directly
with the runtime's python, then inside the sandbox with GPU --gpu granted, then
inside without a GPU, and prints what each saw (torch.cuda.is_available(), the
device count and name, /dev/nvidia* nodes) and the timings: the whole process
and the job alone, inside vs outside. Exit status 0 only if the granted run saw
CUDA and exactly one device and computed right, and the run without saw none.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
if not hasattr(enum, "StrEnum"):  # a GPU host's python3 may predate 3.11

    class _StrEnum(str, enum.Enum):  # noqa: UP042 (the backport of enum.StrEnum)
        def __str__(self) -> str:
            return str(self.value)

    enum.StrEnum = _StrEnum  # type: ignore[misc,assignment]

from worker.sandbox import Limits, SandboxSpec, SandboxUnavailable  # noqa: E402
from worker.sandbox.bubblewrap import BubblewrapBackend  # noqa: E402
from worker.sandbox.gpu import gpu_access  # noqa: E402
from worker.sandbox.layout import base_interpreter_prefix  # noqa: E402

MiB = 1 << 20
GiB = 1024**3
PROBE = """\
import glob, json, os, time
started = time.perf_counter()
import torch
seen = {{"torch": torch.__version__, "cuda_build": torch.version.cuda,
        "available": torch.cuda.is_available(), "count": torch.cuda.device_count(),
        "visible": os.environ.get("CUDA_VISIBLE_DEVICES"), "nodes": sorted(glob.glob("/dev/nvidia*"))}}
if seen["available"]:
    size, rounds = {size}, {rounds}
    seen["name"] = torch.cuda.get_device_name(0)
    torch.manual_seed(0)
    torch.backends.cuda.matmul.allow_tf32 = False  # full fp32, checked against float64
    a = torch.randn(size, size, device="cuda")
    b = torch.randn(size, size, device="cuda")
    (a @ b).sum().item()  # warm up: context, kernels
    torch.cuda.synchronize()
    began = time.perf_counter()
    for _ in range(rounds):
        c = a @ b
    torch.cuda.synchronize()
    seen["job_seconds"] = time.perf_counter() - began
    expected = a[:64].cpu().double() @ b[:, :64].cpu().double()
    seen["correct"] = bool(torch.allclose(c[:64, :64].cpu().double(), expected, rtol=1e-3, atol=1e-2))
seen["process_seconds"] = time.perf_counter() - started
print("RESULT " + json.dumps(seen), flush=True)
"""


def reachable(path: Path) -> list[str]:
    """Folders on the way to ``path`` that a uid other than the owner cannot traverse."""
    return [
        str(parent)
        for parent in [*reversed(path.parents), path]
        if parent.exists() and not parent.stat().st_mode & stat.S_IXOTH
    ]


def make_runtime(runtime: Path) -> None:
    if (runtime / "bin" / "python").exists():
        return
    print(f"making the runtime: {sys.executable} -m venv --system-site-packages {runtime}")
    runtime.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(runtime)],
        check=True,
    )


def parse(log: str) -> dict[str, object] | None:
    for line in reversed(log.splitlines()):
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    return None


def outside(python: Path, code: Path) -> tuple[float, dict | None, str]:  # type: ignore[type-arg]
    began = time.perf_counter()
    done = subprocess.run(
        [str(python), "-s", str(code / "main.py")], capture_output=True, text=True, cwd=code
    )
    return time.perf_counter() - began, parse(done.stdout), done.stdout + done.stderr


def inside(backend: BubblewrapBackend, spec: SandboxSpec) -> tuple[float, dict | None, str]:  # type: ignore[type-arg]
    began = time.perf_counter()
    result = backend.run(spec)
    return (
        time.perf_counter() - began,
        parse(result.log_tail),
        f"[{result.status}] {result.log_tail}",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bwrap", required=True, help="the bwrap binary (e.g. from dpkg -x)")
    parser.add_argument("--runtime", type=Path, required=True, help="a venv whose python has torch")
    parser.add_argument("--make-runtime", action="store_true", help="make it if it is missing")
    parser.add_argument("--gpu", type=int, default=0, help="the host GPU index to grant")
    parser.add_argument("--size", type=int, default=8192, help="matrix size")
    parser.add_argument("--rounds", type=int, default=200, help="matmuls in the timed job")
    parser.add_argument("--repeat", type=int, default=2, help="outside/inside pairs to time")
    args = parser.parse_args()
    runtime = args.runtime.absolute()
    if args.make_runtime:
        make_runtime(runtime)
    python = runtime / "bin" / "python"
    _describe(args, runtime)
    blocked = reachable(runtime) + reachable(Path(args.bwrap).absolute())
    if blocked:
        print(f"FAIL: the sandbox uid cannot traverse {blocked}: put them under /opt")
        return 2

    scratch = Path(tempfile.mkdtemp(prefix="milestones-gpu-check-", dir="/var/tmp"))
    scratch.chmod(0o755)
    try:
        return _check(args, runtime, python, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _describe(args: argparse.Namespace, runtime: Path) -> None:
    print(f"uid {os.geteuid()}, python3 {sys.version.split()[0]} at {sys.executable}")
    version = subprocess.run([args.bwrap, "--version"], capture_output=True, text=True)
    print(f"bwrap: {args.bwrap}: {(version.stdout or version.stderr).strip()}")
    print(f"runtime: {runtime} (base python outside /usr: {base_interpreter_prefix(runtime)})")
    nodes = sorted(str(p) for p in Path("/dev").glob("nvidia*"))
    print(f"host nodes: {nodes}")
    if shutil.which("nvidia-smi"):
        print(subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True).stdout.strip())


def _check(args: argparse.Namespace, runtime: Path, python: Path, scratch: Path) -> int:
    code, data, output = scratch / "code", scratch / "data", scratch / "output"
    for folder in (code, data, output):
        folder.mkdir(mode=0o755)
    (code / "main.py").write_text(PROBE.format(size=args.size, rounds=args.rounds))
    (code / "main.py").chmod(0o644)
    backend = BubblewrapBackend(runtimes_dir=runtime.parent, bwrap=args.bwrap)
    limits = Limits(
        wall_seconds=600,
        cpu_seconds=600,
        memory_bytes=32 * GiB,
        processes=256,
        output_bytes=16 * MiB,
        tmp_bytes=1 * GiB,
    )
    spec = SandboxSpec(
        code_dir=code, data_dir=data, output_dir=output, runtime=runtime.name, limits=limits
    )
    granted = dataclasses.replace(spec, gpu=args.gpu)
    try:
        print("granted:", gpu_access(args.gpu))
    except SandboxUnavailable as exc:
        print(f"FAIL: {exc}")
        granted = None
    rows = []
    try:
        for _ in range(args.repeat):
            # Outside first: its CUDA start loads nvidia-uvm (and makes its node).
            rows.append(("outside", *outside(python, code)))
            if granted is not None:
                rows.append(("inside, GPU granted", *inside(backend, granted)))
        rows.append(("inside, no GPU", *inside(backend, spec)))
    except SandboxUnavailable as exc:
        print(f"FAIL: the sandbox is unavailable: {exc}")
        return 1
    last = {}
    print(f"\n{'run':<22}{'process s':>10}{'job s':>9}  what it saw")
    for name, wall, seen, log in rows:
        last[name] = seen
        job = f"{seen['job_seconds']:.3f}" if seen and "job_seconds" in seen else "-"
        shown = {
            k: v for k, v in (seen or {}).items() if k not in ("job_seconds", "process_seconds")
        }
        print(f"{name:<22}{wall:>10.3f}{job:>9}  {shown or log[-2000:]}")
    return _verdict(last)


def _verdict(last: dict[str, dict | None]) -> int:  # type: ignore[type-arg]
    granted, denied = last.get("inside, GPU granted") or {}, last.get("inside, no GPU") or {}
    checks = {
        "granted: torch.cuda.is_available()": granted.get("available") is True,
        "granted: exactly one device": granted.get("count") == 1,
        "granted: the CUDA matmul is right": granted.get("correct") is True,
        "not granted: no CUDA": denied.get("available") is False and denied.get("count") == 0,
        "not granted: no /dev/nvidia* node": denied.get("nodes") == [],
    }
    print()
    for label, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}: {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

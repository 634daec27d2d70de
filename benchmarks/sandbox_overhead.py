"""What the bubblewrap sandbox costs: the same programs run directly and inside it.

    .venv/bin/python benchmarks/sandbox_overhead.py             # 20 / 5 / 10 runs
    .venv/bin/python benchmarks/sandbox_overhead.py -n 40 --cpu-runs 10

Three programs, each run with the runtime's own python, alternately directly
(``python -s prog.py``, the baseline, measured in this same run) and through
``BubblewrapBackend.run`` (uid, cgroups, bwrap, the monitor, the cleanup: all of
it): a trivial one, one that burns 2 s of CPU, and ``import torch`` (torch
runtime, skipped if not built). Wall time is measured from outside in both
cases. Prints median and p95 of each, their ratio and the added milliseconds,
and the load average before and after (other work on the machine inflates both
columns alike, since the runs alternate).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from worker.sandbox import Limits, SandboxSpec, Status  # noqa: E402
from worker.sandbox.bubblewrap import BubblewrapBackend  # noqa: E402

MiB = 1024 * 1024
CPU_2S = (
    "import time\nend = time.process_time() + 2.0\nwhile time.process_time() < end:\n    pass\n"
)
PROGRAMS = {
    "trivial": ("numpy", "pass\n"),
    "cpu 2 s": ("numpy", CPU_2S),
    "import torch": ("torch", "import torch\n"),
}
LIMITS = Limits(wall_seconds=120, cpu_seconds=120, memory_bytes=4096 * MiB, processes=64)


@dataclass(frozen=True)
class Row:
    name: str
    runs: int
    direct: list[float]
    sandbox: list[float]


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(name: str, runs: int, *, backend: BubblewrapBackend, scratch: Path) -> Row | None:
    runtime, source = PROGRAMS[name]
    python = backend.runtimes_dir / runtime / "bin" / "python"
    if not python.exists():
        print(f"skipping {name!r}: the {runtime} runtime is not built", file=sys.stderr)
        return None
    code, data, output = (
        scratch / name.replace(" ", "-") / part for part in ("code", "data", "out")
    )
    for folder in (code, data, output):
        folder.mkdir(parents=True, mode=0o755)
    (code / "main.py").write_text(source)
    (code / "main.py").chmod(0o644)
    spec = SandboxSpec(code_dir=code, data_dir=data, output_dir=output, runtime=runtime,
                       limits=LIMITS)  # fmt: skip
    direct, sandbox = [], []
    for _ in range(runs + 1):  # the first round warms caches and is dropped
        began = time.perf_counter()
        subprocess.run([str(python), "-s", str(code / "main.py")], cwd=code, check=True)
        direct.append(time.perf_counter() - began)
        began = time.perf_counter()
        result = backend.run(spec)
        sandbox.append(time.perf_counter() - began)
        if result.status is not Status.OK:
            raise SystemExit(f"{name}: the sandboxed run ended {result.status}: {result.log_tail}")
    return Row(name, runs, direct[1:], sandbox[1:])


def table(rows: list[Row]) -> str:
    header = (f"{'program':<14}{'runs':>5}{'direct med':>12}{'p95':>9}{'sandbox med':>13}"
              f"{'p95':>9}{'ratio med':>11}{'ratio p95':>11}{'added ms':>10}")  # fmt: skip
    lines = [header, "-" * len(header)]
    for row in rows:
        dm, dp = statistics.median(row.direct), p95(row.direct)
        sm, sp = statistics.median(row.sandbox), p95(row.sandbox)
        lines.append(f"{row.name:<14}{row.runs:>5}{dm:>11.3f}s{dp:>8.3f}s{sm:>12.3f}s{sp:>8.3f}s"
                     f"{sm / dm:>11.2f}{sp / dp:>11.2f}{(sm - dm) * 1000:>10.0f}")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20, help="runs of the trivial program")
    parser.add_argument("--cpu-runs", type=int, default=5, help="runs of the 2 s CPU program")
    parser.add_argument("--torch-runs", type=int, default=10, help="runs of import torch")
    parser.add_argument("--runtimes-dir", type=Path, default=REPO / "var" / "runtimes")
    parser.add_argument("--bwrap", default="bwrap")
    args = parser.parse_args()
    backend = BubblewrapBackend(runtimes_dir=args.runtimes_dir, bwrap=args.bwrap, uid_base=64000)
    # Under var/, not /tmp/...: the sandbox uid must be able to reach the code.
    scratch = Path(tempfile.mkdtemp(prefix="bench-overhead-", dir=REPO / "var"))
    scratch.chmod(0o755)
    load_before = os.getloadavg()
    try:
        runs = {"trivial": args.n, "cpu 2 s": args.cpu_runs, "import torch": args.torch_runs}
        rows = [row for name, count in runs.items()
                if (row := measure(name, count, backend=backend, scratch=scratch))]  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load_after = os.getloadavg()
    print(table(rows))
    print(
        f"\n{os.cpu_count()} CPUs; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after (runs alternate direct/sandbox, so load hits both)"
    )


if __name__ == "__main__":
    main()

"""What the sandboxes cost: the same programs run directly, in bubblewrap, and in a
container (the docker backend).

    .venv/bin/python benchmarks/sandbox_overhead.py             # 20 / 5 / 10 runs
    .venv/bin/python benchmarks/sandbox_overhead.py -n 40 --cpu-runs 10 --no-docker

Three programs, each run with the runtime's python, in turns: directly
(``python -s prog.py``, the baseline, measured in this same run), in a bare
``bwrap --unshare-all`` (the floor any namespace sandbox pays), through
``BubblewrapBackend.run`` (uid, cgroups, bwrap, the monitor, the cleanup: all of
it) and through ``DockerBackend.run`` (create, start, watch, read the state and
the log, remove: a container's start-to-exit as a run sees it). The programs: a
trivial one, one that burns 2 s of CPU, and ``import torch`` (torch runtime,
skipped if not built). Wall time is measured from outside in every case. Prints
median and p95 of each, the ratio to the direct run, the added milliseconds over
it and over the bare bwrap (the sandbox's own cost: the goal is <= 10 ms),
and the load average before and after (other work on the machine inflates every
column alike, since the runs take turns).

The docker backend talks to the engine ``DOCKER_HOST`` names; without one, as root
with podman installed (``scripts/setup-podman.sh``), the benchmark starts podman's
Docker-API service on a socket of its own, as the tests do, and stops it after.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from worker.sandbox import Limits, SandboxBackend, SandboxSpec, Status  # noqa: E402
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
LIMITS = Limits(
    wall_seconds=120,
    cpu_seconds=120,
    memory_bytes=4096 * MiB,
    processes=64,
    output_bytes=16 * MiB,
    tmp_bytes=64 * MiB,
)


@dataclass(frozen=True)
class Row:
    program: str
    runner: str
    times: list[float]


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def bare_bwrap(bwrap: str) -> list[str]:
    """The floor a namespace sandbox costs: bwrap with every namespace and nothing else
    (no uid of its own, no cgroups, no limits, no monitor, no disk of its own)."""
    # /dev and /proc as the sandbox mounts them too (import torch needs both).
    namespaces = ["--unshare-all", "--die-with-parent"]
    return [bwrap, *namespaces, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]


def measure(
    name: str,
    runs: int,
    *,
    backends: dict[str, SandboxBackend],
    runtimes: Path,
    scratch: Path,
    bwrap: str = "bwrap",
) -> list[Row]:
    runtime, source = PROGRAMS[name]
    python = runtimes / runtime / "bin" / "python"
    if not python.exists():
        print(f"skipping {name!r}: the {runtime} runtime is not built", file=sys.stderr)
        return []
    code, data, output = (
        scratch / name.replace(" ", "-") / part for part in ("code", "data", "out")
    )
    for folder in (code, data, output):
        folder.mkdir(parents=True, mode=0o755)
    (code / "main.py").write_text(source)
    (code / "main.py").chmod(0o644)
    spec = SandboxSpec(
        code_dir=code, data_dir=data, output_dir=output, runtime=runtime, limits=LIMITS
    )

    def sandboxed(backend: SandboxBackend) -> None:
        result = backend.run(spec)
        if result.status is not Status.OK:
            raise SystemExit(f"{name} in {backend.name}: {result.status}: {result.log_tail}")

    runners: dict[str, Callable[[], object]] = {
        "direct": lambda: subprocess.run(
            [str(python), "-s", str(code / "main.py")], cwd=code, check=True
        ),
        "bare bwrap": lambda: subprocess.run(
            [*bare_bwrap(bwrap), str(python), "-s", str(code / "main.py")], cwd=code, check=True
        ),
        **{label: (lambda b=backend: sandboxed(b)) for label, backend in backends.items()},
    }
    times: dict[str, list[float]] = {label: [] for label in runners}
    for _ in range(runs + 1):  # the first round warms caches and is dropped
        for label, runner in runners.items():
            times[label].append(_timed(runner))
    return [Row(name, label, values[1:]) for label, values in times.items()]


def table(rows: list[Row]) -> str:
    header = (
        f"{'program':<14}{'runner':<12}{'runs':>5}{'median':>10}{'p95':>10}"
        f"{'ratio med':>11}{'added ms':>10}{'over bare bwrap ms':>20}"
    )
    lines = [header, "-" * len(header)]
    medians = {(row.program, row.runner): statistics.median(row.times) for row in rows}
    for row in rows:
        median = medians[row.program, row.runner]
        base = medians[row.program, "direct"]
        bare = medians.get((row.program, "bare bwrap"), base)
        lines.append(
            f"{row.program:<14}{row.runner:<12}{len(row.times):>5}{median:>9.3f}s"
            f"{p95(row.times):>9.3f}s{median / base:>11.2f}{(median - base) * 1000:>10.1f}"
            f"{(median - bare) * 1000:>20.1f}"
        )
    return "\n".join(lines)


@contextlib.contextmanager
def docker_backend(wanted: bool, scratch: Path) -> Iterator[SandboxBackend | None]:
    """The docker backend on ``DOCKER_HOST``'s engine, else on a podman service of
    this run's own; None (and why) where neither can be had."""
    if not wanted:
        yield None
        return
    from worker.sandbox.docker import IMAGES, DockerBackend

    with contextlib.ExitStack() as stack:
        if "DOCKER_HOST" not in os.environ:
            from tests.support.podman import podman_engine, why_no_engine

            if reason := why_no_engine():
                print(f"no docker column: {reason}", file=sys.stderr)
                yield None
                return
            engine = stack.enter_context(podman_engine(scratch / "podman"))
            os.environ.update(engine.env())
        import docker

        client = docker.from_env()
        missing = [image for image in IMAGES.values() if not client.images.list(name=image)]
        if missing:
            print(f"no docker column: images not built {missing}", file=sys.stderr)
            yield None
            return
        yield DockerBackend(client=client)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20, help="runs of the trivial program")
    parser.add_argument("--cpu-runs", type=int, default=5, help="runs of the 2 s CPU program")
    parser.add_argument("--torch-runs", type=int, default=10, help="runs of import torch")
    parser.add_argument("--runtimes-dir", type=Path, default=REPO / "var" / "runtimes")
    parser.add_argument("--bwrap", default="bwrap")
    parser.add_argument("--no-docker", action="store_true", help="bubblewrap only")
    args = parser.parse_args()
    bubblewrap = BubblewrapBackend(runtimes_dir=args.runtimes_dir, bwrap=args.bwrap, uid_base=64000)
    # Under var/, not /tmp/...: the sandbox uid must be able to reach the code.
    scratch = Path(tempfile.mkdtemp(prefix="bench-overhead-", dir=REPO / "var"))
    scratch.chmod(0o755)
    load_before = os.getloadavg()
    try:
        with docker_backend(not args.no_docker, scratch) as docker:
            backends = {"bubblewrap": bubblewrap, **({"docker": docker} if docker else {})}
            runs = {"trivial": args.n, "cpu 2 s": args.cpu_runs, "import torch": args.torch_runs}
            rows = [
                row
                for name, count in runs.items()
                for row in measure(
                    name,
                    count,
                    backends=backends,
                    runtimes=args.runtimes_dir,
                    scratch=scratch,
                    bwrap=args.bwrap,
                )
            ]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load_after = os.getloadavg()
    print(table(rows))
    print(
        f"\n{os.cpu_count()} CPUs; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after (runs take turns, so load hits every runner)"
    )


if __name__ == "__main__":
    main()

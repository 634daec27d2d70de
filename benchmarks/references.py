"""Every challenge's reference solution at full size: its score beside the
historical baseline, and its time inside the sandbox beside the same program
run directly (the sandbox's cost, measured in the same run).

    .venv/bin/python benchmarks/references.py                 # every bundle
    .venv/bin/python benchmarks/references.py 1998-lenet-mnist --gpu 0

For each bundle: prepare its data into a scratch folder, run reference/main.py
(1) directly with the runtime's python (`main.py DATA_DIR OUTPUT_DIR`) and
(2) inside the configured sandbox backend with the challenge's own limits
(and the GPU granted with --gpu), grade both outputs, and print a table.
Interactive challenges are driven by their grader in both runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.milestones.settings")


@dataclass(frozen=True)
class Measured:
    slug: str
    metric: str
    baseline: str
    inside_score: float | None
    outside_score: float | None
    inside_seconds: float
    outside_seconds: float
    cpu_seconds: float
    status: str


def measure(bundle_dir: Path, *, scratch: Path, gpu: int | None) -> Measured:
    from django.conf import settings

    from server.bundles.bundle import read_bundle
    from server.bundles.preparation import prepare_data
    from worker.execution import limits_for

    bundle = read_bundle(bundle_dir)
    data_dir = scratch / bundle.slug
    prepare_data(bundle_dir=bundle_dir, data_dir=data_dir, datasets_dir=settings.DATASETS_DIR)
    runtime_python = Path(settings.RUNTIMES_DIR) / bundle.runtime / "bin" / "python"
    code_dir = scratch / f"{bundle.slug}-code"
    shutil.copytree(bundle_dir / "reference", code_dir)
    code_dir.chmod(0o755)
    limits = limits_for(bundle.limits)
    outside = _run_outside(bundle, runtime_python, code_dir, data_dir, scratch, gpu)
    inside = _run_inside(bundle, code_dir, data_dir, scratch, limits, gpu)
    # The result the reference promises: the last listed one that is not a bound
    # (as Challenge.reference_result takes it), never a bound such as a Bayes rate.
    top = next((b for b in reversed(bundle.baselines) if not b["bound"]), None)
    return Measured(
        slug=bundle.slug,
        metric=bundle.grading.metric,
        baseline=f"{top['score']:.4g} ({top['name']})" if top else "-",
        inside_score=inside[0],
        outside_score=outside[0],
        inside_seconds=inside[1],
        outside_seconds=outside[1],
        cpu_seconds=inside[2],
        status=inside[3],
    )


def _run_outside(bundle, python: Path, code: Path, data: Path, scratch: Path, gpu: int | None):  # type: ignore[no-untyped-def]
    from graders import LiveGraded, grade

    output = scratch / f"{bundle.slug}-outside"
    output.mkdir()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(scratch), "PYTHONUNBUFFERED": "1"}
    env["CUDA_VISIBLE_DEVICES"] = "" if gpu is None else str(gpu)
    argv = [str(python), "-s", str(code / bundle.entrypoint), str(data / "public"), str(output)]
    if isinstance(bundle.grading, LiveGraded):
        from worker.interactive.direct import run_direct  # the harness, without a sandbox

        started = time.perf_counter()
        scores = run_direct(spec=bundle.grading, argv=argv, env=env, hidden_dir=data / "hidden")
        return scores.public, time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, cwd=code, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    scores = grade(spec=bundle.grading, output_dir=output, hidden_dir=data / "hidden")
    return scores.public, seconds


def _run_inside(bundle, code: Path, data: Path, scratch: Path, limits, gpu: int | None):  # type: ignore[no-untyped-def]
    from django.conf import settings

    from graders import InvalidOutput, LiveGraded, grade
    from worker.sandbox import SandboxSpec, get_backend

    output = scratch / f"{bundle.slug}-inside"
    output.mkdir()
    spec = SandboxSpec(
        code_dir=code,
        data_dir=data / "public",
        output_dir=output,
        runtime=bundle.runtime,
        entrypoint=bundle.entrypoint,
        limits=limits,
        gpu=gpu,
    )
    backend = get_backend(settings.SANDBOX_BACKEND, runtimes_dir=Path(settings.RUNTIMES_DIR))
    if isinstance(bundle.grading, LiveGraded):
        from worker.interactive.harness import run_interactive

        outcome = run_interactive(
            backend=backend, spec=spec, grading=bundle.grading, hidden_dir=data / "hidden"
        )
        result, scores = outcome.result, outcome.scores
        return (
            scores.public if scores else None,
            result.wall_seconds,
            result.cpu_seconds,
            str(result.status),
        )
    result = backend.run(spec)
    score = None
    if result.ok:
        try:
            score = grade(spec=bundle.grading, output_dir=output, hidden_dir=data / "hidden").public
        except InvalidOutput as exc:
            return None, result.wall_seconds, result.cpu_seconds, f"invalid output: {exc}"
    return score, result.wall_seconds, result.cpu_seconds, str(result.status)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def print_table(rows: list[Measured]) -> None:
    header = (
        f"{'challenge':<26} {'metric':<10} {'sandbox':>9} {'direct':>9} "
        f"{'in (s)':>8} {'out (s)':>8} {'ratio':>6} {'cpu (s)':>8}  status   historical baseline"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = row.inside_seconds / row.outside_seconds if row.outside_seconds else float("nan")
        print(
            f"{row.slug:<26} {row.metric:<10} {_fmt(row.inside_score):>9} "
            f"{_fmt(row.outside_score):>9} {row.inside_seconds:>8.1f} {row.outside_seconds:>8.1f} "
            f"{ratio:>6.2f} {row.cpu_seconds:>8.1f}  {row.status:<8} {row.baseline}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*", help="bundle folders under challenges/ (default: all)")
    parser.add_argument("--gpu", type=int, default=None, help="grant this GPU index to each run")
    args = parser.parse_args()
    import django

    django.setup()
    root = REPO / "challenges"
    folders = [root / slug for slug in args.slugs] or sorted(
        path.parent for path in root.glob("*/challenge.toml")
    )
    rows = []
    with tempfile.TemporaryDirectory(dir=REPO / "var", prefix="bench-references-") as scratch:
        Path(scratch).chmod(0o755)  # the sandbox uid reaches the data and code through it
        for folder in folders:
            print(f"running {folder.name} ...", file=sys.stderr, flush=True)
            rows.append(measure(folder, scratch=Path(scratch), gpu=args.gpu))
    print_table(rows)


if __name__ == "__main__":
    main()

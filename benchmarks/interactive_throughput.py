"""Throughput of the interactive protocol: queries per second, and the share of the
query phase spent in the protocol rather than in the model.

    .venv/bin/python benchmarks/interactive_throughput.py [--budget '{"width": 64}'] [--gpu 0]

On the 2017 challenge's real evaluation (256 streams x 16 queries), measured in
the same run:
1. model alone (the baseline): the reference transformer's forward passes on the
   very contexts the grader sends, in one process, no JSON, no pipes;
2. a null program: a constant answer, no model: the protocol's cost by itself;
3. the reference, untrained, answering through the harness: directly (a child
   process) and inside the bubblewrap sandbox.
The protocol's share is 1 - (model alone) / (query phase in the sandbox). The
reference is untrained (budget ``steps`` 0: its time does not depend on its
weights); ``--budget`` shrinks it further on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.milestones.settings")
BUNDLE = REPO / "challenges" / "2017-tiny-transformer"
# Outside the sandbox as inside it (one CPU granted): one thread for the model.
ONE_THREAD = {"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

NULL_PROGRAM = """
import json, math, sys
row = ",".join(["%.4f" % -math.log(65)] * 65)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    query = json.loads(line)
    rows = ",".join(["[" + row + "]"] * len(query["contexts"]))
    sys.stdout.write('{"query":%d,"logprobs":[%s]}\\n' % (query["query"], rows))
    sys.stdout.flush()
"""

# Runs in the torch runtime: the reference's own model and answer function, timed
# on the grader's batches, with nothing of the protocol around them.
MODEL_ALONE = """
import importlib.util, json, sys, time
import torch
spec = importlib.util.spec_from_file_location("reference", sys.argv[1])
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
config = {**ref.CONFIG, **json.loads(sys.argv[2])}
torch.manual_seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
model = ref.TinyTransformer(65, config).to(device).eval()
batches = json.load(open(sys.argv[3]))
ref.next_logprobs(model, batches[0][:8], device, config["answer_batch"])  # warm-up
started = time.perf_counter()
for contexts in batches:
    ref.next_logprobs(model, contexts, device, config["answer_batch"])
print(time.perf_counter() - started)
"""


@dataclass
class Row:
    name: str
    queries: int
    seconds: float
    grader_seconds: float

    def line(self, model_seconds: float) -> str:
        share = 1 - model_seconds / self.seconds if self.seconds else float("nan")
        return (
            f"{self.name:<34} {self.queries:>7} {self.seconds:>9.2f} "
            f"{self.queries / self.seconds:>9.1f} {self.grader_seconds:>9.2f} "
            f"{share:>9.1%}"
        )


def prepare(scratch: Path, datasets: Path) -> Path:
    from server.bundles.preparation import prepare_data

    data = scratch / "data"
    prepare_data(bundle_dir=BUNDLE, data_dir=data, datasets_dir=datasets)
    return data


def grading():  # type: ignore[no-untyped-def]
    from server.bundles.bundle import read_bundle

    return read_bundle(BUNDLE).grading


def all_batches(hidden: Path) -> list[list[list[int]]]:
    """Every query's contexts, exactly as the grader sends them."""
    environment, batches = grading().open(hidden_dir=hidden), []
    while (query := environment.next_query()) is not None:
        batches.append(query["contexts"])
        environment.take_answer({"logprobs": [[-4.174387269895637] * 65] * len(batches[-1])})
    return batches


def model_alone(scratch: Path, data: Path, budget: dict, runtime_python: Path) -> float:
    batches = scratch / "batches.json"
    batches.write_text(json.dumps(all_batches(data / "hidden")))
    reference = BUNDLE / "reference" / "main.py"
    argv = [
        str(runtime_python),
        "-c",
        MODEL_ALONE,
        str(reference),
        json.dumps(budget),
        str(batches),
    ]
    done = subprocess.run(argv, check=True, capture_output=True, text=True, env=ONE_THREAD)
    return float(done.stdout.strip().splitlines()[-1])


def code_folder(scratch: Path, name: str, source: str, budget: dict | None = None) -> Path:
    folder = scratch / name
    folder.mkdir(mode=0o755)
    (folder / "main.py").write_text(source)
    if budget is not None:
        (folder / "budget.json").write_text(json.dumps(budget))
    for path in folder.iterdir():
        path.chmod(0o644)
    return folder


def direct(code: Path, data: Path, runtime_python: Path) -> Row:
    from worker.interactive.direct import converse_direct

    record = converse_direct(
        spec=grading(),
        hidden_dir=data / "hidden",
        env=ONE_THREAD,
        argv=[str(runtime_python), "-s", str(code / "main.py"), str(data / "public")],
    )
    assert record.query_phase_seconds is not None, record.violation
    return Row("", record.answered, record.query_phase_seconds, record.grader_seconds)


def sandboxed(code: Path, data: Path, gpu: int | None) -> Row:
    from django.conf import settings

    from worker.execution import limits_for
    from worker.interactive import run_interactive
    from worker.sandbox import SandboxSpec, get_backend

    tomlish = {"wall_seconds": 1800, "cpu_seconds": 1800, "memory_mb": 4096, "tmp_mb": 256}
    output = code.with_name(code.name + "-output")
    output.mkdir(mode=0o755)
    spec = SandboxSpec(
        code_dir=code,
        data_dir=data / "public",
        output_dir=output,
        runtime="torch",
        limits=limits_for(tomlish),
        gpu=gpu,
    )
    backend = get_backend(settings.SANDBOX_BACKEND, runtimes_dir=Path(settings.RUNTIMES_DIR))
    outcome = run_interactive(
        backend=backend, spec=spec, grading=grading(), hidden_dir=data / "hidden"
    )
    record = outcome.record
    assert record.query_phase_seconds is not None, (outcome.reason, outcome.log_tail)
    return Row("", record.answered, record.query_phase_seconds, record.grader_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="{}", help="budget.json for the reference (JSON)")
    parser.add_argument("--gpu", type=int, default=None, help="grant this GPU to the sandbox")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    budget = {"steps": 0, "sample_chars": 0, **json.loads(args.budget)}
    python = Path(settings.RUNTIMES_DIR) / "torch" / "bin" / "python"
    reference = (BUNDLE / "reference" / "main.py").read_text()
    with tempfile.TemporaryDirectory(dir=REPO / "var", prefix="bench-interactive-") as folder:
        scratch = Path(folder)
        scratch.chmod(0o755)
        data = prepare(scratch, Path(settings.DATASETS_DIR))
        print("measuring ...", file=sys.stderr, flush=True)
        model_seconds = model_alone(scratch, data, budget, python)
        null = code_folder(scratch, "null", textwrap.dedent(NULL_PROGRAM))
        ref = code_folder(scratch, "reference", reference, budget)
        rows = [
            _named("null program, direct", direct(null, data, python)),
            _named("null program, sandbox", sandboxed(null, data, args.gpu)),
            _named("reference, direct", direct(ref, data, python)),
            _named("reference, sandbox", sandboxed(ref, data, args.gpu)),
        ]
        shutil.rmtree(scratch / "null-output", ignore_errors=True)
    _print(rows, model_seconds, budget)


def _named(name: str, row: Row) -> Row:
    row.name = name
    return row


def _print(rows: list[Row], model_seconds: float, budget: dict) -> None:
    print(f"reference budget: {json.dumps(budget)}; 256 streams x 16 queries = 4096 positions")
    header = (
        f"{'query phase':<34} {'queries':>7} {'seconds':>9} {'queries/s':>9} "
        f"{'grader s':>9} {'protocol':>9}"
    )
    print(header)
    print("-" * len(header))
    queries = rows[0].queries
    print(
        f"{'model alone (baseline)':<34} {queries:>7} {model_seconds:>9.2f} "
        f"{queries / model_seconds:>9.1f} {0.0:>9.2f} {0.0:>9.1%}"
    )
    for row in rows:
        print(row.line(model_seconds if row.name.startswith("reference") else 0.0))
    null, sandbox = rows[1], rows[-1]
    print(
        f"\nreference in the sandbox: {sandbox.seconds / model_seconds:.2f} x the model alone; "
        f"protocol share {1 - model_seconds / sandbox.seconds:.1%} of the query phase "
        f"(grader side {sandbox.grader_seconds / sandbox.seconds:.1%})"
    )
    # The same share measured the other way: the protocol alone, with no model at all.
    print(
        f"protocol alone (null program, sandbox): {null.seconds:.2f} s, "
        f"{null.seconds / sandbox.seconds:.1%} of the reference's query phase"
    )
    if model_seconds > sandbox.seconds:
        print(
            "(the model alone took longer than the model behind the protocol: other work on "
            "this machine skews the wall clocks; trust the protocol-alone line)"
        )


if __name__ == "__main__":
    main()

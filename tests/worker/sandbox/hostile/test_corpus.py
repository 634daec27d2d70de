"""Every program of the hostile corpus (attacks/), against every backend.

Each run must end in the status its file names, within its time limit, having
printed what proves the attack really ran, and then: nothing of it left on the
machine (by uid, cgroup and name), no secret of the arena in its log or /output,
no "ESCAPED" line, the host untouched (files, the victim process, listeners that
never accepted a connection), the file's own checks passed, the worker's free
disk space never lower (sampled during the run and after) than the run's
declared limits allow, and the next honest run on the same backend scored as usual.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.support.sandbox import FAST, OWN_FOLDERS, RunDirs, runtime_missing
from tests.worker.sandbox.hostile.arena import Arena
from tests.worker.sandbox.hostile.checks import NAMED_CHECKS, Footprint, leftovers, output_texts
from tests.worker.sandbox.hostile.corpus import Attack, attacks
from tests.worker.sandbox.hostile.disk_watch import FreeSpaceSampler
from worker.sandbox import Limits, SandboxBackend, SandboxResult, SandboxSpec, Status

# Beyond an attack's own wall limit: starting, killing and cleaning up on a
# machine shared with other test runs.
SLACK_SECONDS = 30.0
HONEST = """\
import pathlib
rows = pathlib.Path("/data/train.csv").read_text().splitlines()
pathlib.Path("/output/predictions.csv").write_text(f"rows,{len(rows)}\\n")
print("honest run done")
"""

# serial: the free-disk sampler watches the whole filesystem, which no other test may
# write to meanwhile (scripts/test.sh runs these alone, after the others).
pytestmark = [pytest.mark.integration, pytest.mark.serial]


@pytest.mark.parametrize("attack", attacks(), ids=str)
def test_a_hostile_program_is_contained(
    attack: Attack,
    hostile_backend: SandboxBackend,
    hostile_arena: Arena,
    footprint: Footprint | None,
    run_dirs: RunDirs,
    runtimes_dir: Path,
):
    if reason := runtime_missing(hostile_backend, attack.runtime, runtimes_dir):
        pytest.skip(reason)
    marker = f"{attack.name}_{uuid.uuid4().hex[:8]}.py"
    limits = Limits(**{**FAST, **attack.limits})  # type: ignore[arg-type]
    cores = _granted_cores(attack)
    targets = {
        **hostile_arena.targets,
        "own_folders": OWN_FOLDERS[hostile_backend.name],
        "cores": list(cores),
    }
    spec = _spec(run_dirs, attack, marker, targets, limits, cores)
    disk = FreeSpaceSampler([run_dirs.root, Path(tempfile.gettempdir())])
    with disk.running():
        began = time.monotonic()
        result = hostile_backend.run(spec)
        took = time.monotonic() - began

    problems = _verdict_problems(attack, result, limits, took, backend=hostile_backend.name)
    problems += disk.problems(limits)
    problems += _leaks(hostile_arena, result.log_tail, run_dirs.output)
    problems += leftovers(footprint, marker)
    problems += hostile_arena.problems()
    for name, check in NAMED_CHECKS.items():
        if name in attack.checks:
            problems += check(run_dirs.output)
    problems += _honest_run_problems(hostile_backend, run_dirs)
    assert not problems, "\n".join([*problems, "--- log tail ---", result.log_tail[-1500:]])


def _granted_cores(attack: Attack) -> tuple[int, ...]:
    """The last ``attack.cores`` of our cores: the run is pinned there, the rest are
    where it must not get to (there must be some)."""
    if not attack.cores:
        return ()
    ours = sorted(os.sched_getaffinity(0))
    if len(ours) <= attack.cores:
        pytest.skip(f"{attack.name} needs more than {attack.cores} core(s) to try escaping to")
    return tuple(ours[-attack.cores :])


def _spec(
    run_dirs: RunDirs,
    attack: Attack,
    entrypoint: str,
    targets: dict[str, object],
    limits: Limits,
    cores: tuple[int, ...],
) -> SandboxSpec:
    for name, content in {
        entrypoint: attack.source,
        "targets.json": json.dumps(targets),
    }.items():
        (run_dirs.code / name).write_text(content)
        (run_dirs.code / name).chmod(0o644)
    return SandboxSpec(
        code_dir=run_dirs.code,
        data_dir=run_dirs.data,
        output_dir=run_dirs.output,
        runtime=attack.runtime,
        entrypoint=entrypoint,
        limits=limits,
        cpus=cores,
    )


def _verdict_problems(
    attack: Attack, result: SandboxResult, limits: Limits, took: float, *, backend: str
) -> list[str]:
    found = []
    statuses = attack.statuses_on(backend)
    if result.status not in statuses:
        wanted = sorted(str(status) for status in statuses)
        found.append(
            f"status {result.status} (exit {result.exit_code}, signal "
            f"{result.signal}), expected {wanted}"
        )
    if took > limits.wall_seconds + SLACK_SECONDS:
        found.append(f"took {took:.1f} s with a {limits.wall_seconds:g} s wall limit")
    found += [f"never printed {line!r}" for line in attack.prints if line not in result.log_tail]
    if len(result.log_tail) > limits.log_bytes:
        found.append(f"log tail of {len(result.log_tail)} characters > {limits.log_bytes}")
    if "\x00" in result.log_tail:
        found.append("the log tail holds NUL characters (no database stores them)")
    return found


def _leaks(arena: Arena, log_tail: str, output: Path) -> list[str]:
    found = [f"the log shows {name}" for name in arena.leaks_in(log_tail)]
    found += ["the log says ESCAPED"] if "ESCAPED" in log_tail else []
    for file_name, text in output_texts(output):
        found += [f"{file_name} in /output holds {name}" for name in arena.leaks_in(text)]
        found += [f"{file_name} in /output says ESCAPED"] if "ESCAPED" in text else []
    return found


def _honest_run_problems(backend: SandboxBackend, run_dirs: RunDirs) -> list[str]:
    output = run_dirs.root / f"honest-{uuid.uuid4().hex[:6]}"
    output.mkdir(mode=0o755)
    (run_dirs.code / "honest.py").write_text(HONEST)
    (run_dirs.code / "honest.py").chmod(0o644)
    spec = SandboxSpec(
        code_dir=run_dirs.code,
        data_dir=run_dirs.data,
        output_dir=output,
        runtime="numpy",
        entrypoint="honest.py",
        limits=Limits(**FAST),
    )  # type: ignore[arg-type]
    result = backend.run(spec)
    if result.status is not Status.OK or "honest run done" not in result.log_tail:
        return [f"the next honest run ended {result.status}: {result.log_tail[-500:]!r}"]
    if (output / "predictions.csv").read_text() != "rows,2\n":
        return ["the next honest run wrote wrong predictions"]
    return []

"""Testing a challenge bundle in place, without the platform: its own files loaded
as modules, its prepare.py run into a folder (here, or in a fresh process under a
chosen thread count and CPU kernels), what that writes read back, its scripts run
with this Python, and its challenge.toml and page read."""

from __future__ import annotations

import csv
import importlib.util
import os
import platform
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings

from graders import Scores, grade
from server.bundles.bundle import read_bundle
from tests.support.pipeline import REPO

# The raw data sets (MNIST, ...): MILESTONES_DATASETS_DIR, or the shared folder beside the checkout.
DATASETS = Path(os.environ.get("MILESTONES_DATASETS_DIR") or REPO.parent / "shared" / "datasets")


def needs_dataset(folder: str, name: str) -> pytest.MarkDecorator:
    """Skip unless the raw data set ``folder`` of DATASETS is installed."""
    return pytest.mark.skipif(
        not (DATASETS / folder).is_dir(), reason=f"{name} not installed in {DATASETS}"
    )


def load_module(bundle: Path, relative: str) -> ModuleType:
    """The bundle's file ``relative`` (e.g. "prepare.py"), executed as a fresh module."""
    name = f"bundle_{bundle.name}_{relative.removesuffix('.py')}".replace("-", "_").replace(
        "/", "_"
    )
    spec = importlib.util.spec_from_file_location(name, bundle / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare_into(bundle: Path, root: Path, datasets: Path | None = None) -> Path:
    """Run the bundle's prepare.py into root/public and root/hidden; returns ``root``.
    ``datasets`` is the raw data it reads; by default root/datasets, which need not
    exist (for bundles that generate their data)."""
    load_module(bundle, "prepare.py").prepare(
        public_dir=root / "public",
        hidden_dir=root / "hidden",
        datasets_dir=root / "datasets" if datasets is None else datasets,
    )
    return root


@dataclass(frozen=True)
class Machine:
    """How a fresh process computes: its thread count, and (``other_cpu``) other SIMD
    kernels than this CPU's best: OpenBLAS's oldest x86-64 ones, NumPy's baseline ones."""

    threads: int
    other_cpu: bool = False

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(self.threads)
        for name in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES"):
            env.pop(name, None)  # this CPU's best kernels, unless other_cpu
        if self.other_cpu and platform.machine() in ("x86_64", "AMD64"):
            env["OPENBLAS_CORETYPE"] = "Prescott"  # SSE3 kernels, whatever this CPU has
            env["NPY_DISABLE_CPU_FEATURES"] = " ".join(_numpy_dispatched_features())
        return env


def _numpy_dispatched_features() -> list[str]:
    """NumPy's optional SIMD targets this CPU has (disabling them leaves its baseline);
    none where this NumPy does not say (then only OpenBLAS's kernels change)."""
    try:
        from numpy._core import _multiarray_umath as umath  # where np.show_runtime looks
    except ImportError:
        return []
    have = getattr(umath, "__cpu_features__", {})
    return [name for name in getattr(umath, "__cpu_dispatch__", []) if have.get(name)]


PreparedOn = Callable[[str, Machine], Path]  # the session's prepared_on fixture
ONE_THREAD = Machine(threads=1)  # this CPU's own kernels, one thread
ELSEWHERE = Machine(threads=2, other_cpu=True)


_PREPARE = """
import importlib.util, sys
from pathlib import Path
bundle, root, datasets = (Path(arg) for arg in sys.argv[1:])
spec = importlib.util.spec_from_file_location("prepare", bundle / "prepare.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.prepare(public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=datasets)
"""


def python_as(machine: Machine, code: str, *args: str, timeout: int = 600) -> str:
    """The standard output of ``python -c CODE ARGS``, run from the repository in a
    fresh process computing as ``machine`` does; it must succeed."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=machine.environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def prepare_elsewhere(
    bundle: Path, root: Path, machine: Machine, datasets: Path | None = None
) -> Path:
    """``prepare_into``, in a fresh Python process computing as ``machine`` does."""
    datasets = root / "datasets" if datasets is None else datasets
    python_as(machine, _PREPARE, str(bundle), str(root), str(datasets))
    return root


def torch_python() -> Path:
    """The torch runtime's python, where the settings say the runtimes are."""
    return Path(settings.RUNTIMES_DIR) / "torch" / "bin" / "python"


needs_torch = pytest.mark.skipif(
    not torch_python().is_file(), reason="the torch runtime is not built (make run builds it)"
)


def run_with_torch(
    script: Path, data: Path, output: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    """``script DATA OUTPUT`` with the torch runtime, on one CPU thread and no GPU,
    in a bare environment plus ``env``."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(output.parent),
        "OMP_NUM_THREADS": "1",
        "CUDA_VISIBLE_DEVICES": "",
        **env,
    }
    return subprocess.run(
        [str(torch_python()), "-s", str(script), str(data), str(output)],
        cwd=script.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV file's header and its rows, as strings."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def files_of(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (path relative to it -> content), sorted by path."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def run_script(script: Path, data: Path, output: Path) -> subprocess.CompletedProcess[str]:
    """``python SCRIPT DATA OUTPUT`` with this interpreter, in the script's folder."""
    return subprocess.run(
        [sys.executable, str(script), str(data), str(output)],
        cwd=script.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def scores_of(bundle: Path, output: Path, prepared: Path) -> Scores:
    """The bundle's grader on the files in ``output``, against prepared/hidden."""
    return grade(
        spec=read_bundle(bundle).grading, output_dir=output, hidden_dir=prepared / "hidden"
    )


def config_of(bundle: Path) -> dict[str, Any]:
    """The bundle's challenge.toml, as a table."""
    return tomllib.loads((bundle / "challenge.toml").read_text(encoding="utf-8"))


def limit_rows(bundle: Path) -> list[str]:
    """The rows of the limits table a bundle's page shows, "| name | value |", as its
    challenge.toml sets the limits."""
    limits = config_of(bundle)["limits"]
    rows = {
        "wall-clock time": f"{limits['wall_seconds']} s",
        "CPU time (all threads together)": f"{limits['cpu_seconds']} s",
        "memory": f"{limits['memory_mb']} MB",
        "processes and threads": str(limits["processes"]),
        "files written to `/output`": f"{limits['output_mb']} MB",
        "`/tmp`": f"{limits['tmp_mb']} MB",
    }
    return [f"| {name} | {value} |" for name, value in rows.items()]


def page_of(bundle: Path) -> str:
    """The bundle's page, its README.md."""
    return (bundle / "README.md").read_text(encoding="utf-8")


def run_page_snippet(bundle: Path, public: Path) -> dict[str, object]:
    """Run the page's first Python snippet with its "/data/ paths pointing at ``public``;
    returns the names it defined."""
    snippet = re.search(r"```python\n(.*?)```", page_of(bundle), re.S)
    assert snippet is not None
    code = snippet.group(1).replace('"/data/', f'"{public}/')
    scope: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), scope)
    return scope

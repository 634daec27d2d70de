"""Running a trusted bundle's prepare.py in this process (repository bundles at
setup: ``manage.py load_challenges``), installed atomically by the worker's
installer (``worker.api.install_prepared_data``).

An uploaded bundle's prepare.py never runs here: it is instructor code, and runs
as a maintenance task inside the sandbox (``worker.preparation``). The bundles
of ``challenges/`` are part of this repository, reviewed like the server's own
code and run by the operator who runs setup, so they prepare in-process: setup
then needs no worker, no sandbox and no runtime, and the deterministic-prepare
tests run them as the setup does."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from graders.datasets import DatasetChecksumError
from worker import api as worker_api


class DataMissing(Exception):
    """The raw data a bundle needs is not installed (an instructor's fix, not a crash)."""


def prepare_data(*, bundle_dir: Path, data_dir: Path, datasets_dir: Path) -> None:
    staging = worker_api.staging_beside(data_dir)
    (staging / "public").mkdir(parents=True)
    (staging / "hidden").mkdir()
    try:
        _run_prepare(bundle_dir, staging, datasets_dir)
        problems = worker_api.prepared_problems(staging)
        if problems:
            raise RuntimeError("; ".join(problems))
        worker_api.install_prepared_data(
            staging=staging, starter_dir=bundle_dir / "starter", data_dir=data_dir
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _run_prepare(bundle_dir: Path, staging: Path, datasets_dir: Path) -> None:
    module_name = f"milestones_prepare_{bundle_dir.name.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(module_name, bundle_dir / "prepare.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        module.prepare(
            public_dir=staging / "public", hidden_dir=staging / "hidden", datasets_dir=datasets_dir
        )
        if hasattr(module, "prepare_dry_run"):  # optional: the dry run's sample
            module.prepare_dry_run(public_dir=staging / "public", dry_run_dir=staging / "dry_run")
    except FileNotFoundError as exc:
        raise DataMissing(f"raw data not found: {exc.filename or exc}") from exc
    except DatasetChecksumError as exc:
        # Present but not the published file (truncated, another version): the
        # same fix as a missing one, so the same instruction.
        raise DataMissing(f"raw data is damaged: {exc}") from exc

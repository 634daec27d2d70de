"""The entrypoint of an uploaded bundle's prepare run, inside the sandbox (copied
beside the bundle's files and the ``graders`` package into ``/submission``).

It calls the bundle's ``prepare(public_dir=, hidden_dir=, datasets_dir=)`` with
``/output/public``, ``/output/hidden`` and the raw datasets at ``/data`` (then its
``prepare_dry_run``, if it has one, into ``/output/dry_run``); the
worker checks and installs what it wrote. It runs with nothing of the platform
but these folders: no network, no database, no secrets."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from graders.datasets import DatasetChecksumError

HERE = Path(__file__).resolve().parent
OUTPUT = Path("/output")
DATASETS = Path("/data")
# Exit status for raw data that is missing or damaged: an operator's fix (install
# the datasets), told apart from a crash of prepare.py.
DATA_MISSING = 3


def main() -> int:
    spec = importlib.util.spec_from_file_location("bundle_prepare", HERE / "prepare.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    public, hidden = OUTPUT / "public", OUTPUT / "hidden"
    public.mkdir(exist_ok=True)
    hidden.mkdir(exist_ok=True)
    try:
        module.prepare(public_dir=public, hidden_dir=hidden, datasets_dir=DATASETS)
        if hasattr(module, "prepare_dry_run"):  # optional: the dry run's sample
            module.prepare_dry_run(public_dir=public, dry_run_dir=OUTPUT / "dry_run")
    except FileNotFoundError as exc:
        print(f"raw data not found: {exc.filename or exc}", file=sys.stderr)
        return DATA_MISSING
    except DatasetChecksumError as exc:
        print(f"raw data is damaged: {exc}", file=sys.stderr)
        return DATA_MISSING
    return 0


if __name__ == "__main__":
    sys.exit(main())

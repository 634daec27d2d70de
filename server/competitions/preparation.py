"""Running a bundle's prepare.py into the challenge's data folder, atomically.

Data is prepared into a fresh sibling folder and swapped in by rename, so a
failed or interrupted prepare never leaves half a data set behind."""

from __future__ import annotations

import importlib.util
import shutil
import uuid
import zipfile
from pathlib import Path

from graders.datasets import DatasetChecksumError


class DataMissing(Exception):
    """The raw data a bundle needs is not installed (an instructor's fix, not a crash)."""


def prepare_data(*, bundle_dir: Path, data_dir: Path, datasets_dir: Path) -> None:
    staging = data_dir.with_name(f".{data_dir.name}.{uuid.uuid4().hex[:8]}")
    (staging / "public").mkdir(parents=True)
    (staging / "hidden").mkdir()
    try:
        _run_prepare(bundle_dir, staging, datasets_dir)
        _zip_folder(staging / "public", staging / "public.zip")
        _zip_folder(bundle_dir / "starter", staging / "starter.zip")
        _swap_in(staging, data_dir)
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
    except FileNotFoundError as exc:
        raise DataMissing(f"raw data not found: {exc.filename or exc}") from exc
    except DatasetChecksumError as exc:
        # Present but not the published file (truncated, another version): the
        # same fix as a missing one, so the same instruction.
        raise DataMissing(f"raw data is damaged: {exc}") from exc
    if not (staging / "hidden" / "labels.csv").is_file():
        raise RuntimeError("prepare.py did not write hidden/labels.csv")


def _zip_folder(folder: Path, target: Path) -> None:
    # Fixed timestamps keep the archive byte-identical across loads.
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            if "__pycache__" in file.parts:
                continue
            info = zipfile.ZipInfo(str(file.relative_to(folder)), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with file.open("rb") as source, archive.open(info, "w") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)


def _swap_in(staging: Path, data_dir: Path) -> None:
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # The sandbox uid reads public data; hidden labels stay readable by the worker only.
    for path in [staging, *(staging / "public").rglob("*"), staging / "public"]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (staging / "hidden").chmod(0o700)
    old = data_dir.with_name(f".{data_dir.name}.old.{uuid.uuid4().hex[:8]}")
    if data_dir.exists():
        data_dir.rename(old)
    staging.rename(data_dir)
    shutil.rmtree(old, ignore_errors=True)

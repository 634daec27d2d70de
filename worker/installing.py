"""Installing a prepared data set into a challenge's data folder, atomically.

Whoever ran ``prepare.py`` (a worker's sandbox for an uploaded bundle, the setup
process for a repository bundle) hands a staging folder with ``public/`` and
``hidden/`` (and, for a bundle that offers dry runs, ``dry_run/``) here: it is checked, public data and the starter kit are zipped, and
the folder is swapped in by rename, so a failed or interrupted prepare never
leaves half a data set behind. No Django here."""

from __future__ import annotations

import shutil
import uuid
import zipfile
from pathlib import Path
from typing import IO


def staging_beside(data_dir: Path) -> Path:
    """A fresh sibling of ``data_dir`` (same filesystem: the swap is a rename)."""
    staging = data_dir.with_name(f".{data_dir.name}.{uuid.uuid4().hex[:8]}")
    staging.parent.mkdir(parents=True, exist_ok=True)
    return staging


def prepared_problems(staging: Path) -> list[str]:
    """What is wrong with what prepare.py wrote (empty: it can be installed)."""
    problems = []
    for folder in ("public", "hidden"):
        if not (staging / folder).is_dir():
            problems.append(f"prepare.py did not write a {folder}/ folder")
    if not (staging / "hidden" / "labels.csv").is_file():
        problems.append("prepare.py did not write hidden/labels.csv")
    dry_run = staging / "dry_run"
    if dry_run.exists() and not (
        (dry_run / "public").is_dir() and (dry_run / "hidden" / "labels.csv").is_file()
    ):
        problems.append(
            "prepare_dry_run did not write dry_run/public and dry_run/hidden/labels.csv"
        )
    return problems


def install(*, staging: Path, starter_dir: Path, data_dir: Path) -> None:
    """Zip ``staging/public`` and the starter kit beside them and swap ``staging``
    in as ``data_dir``. ``staging`` is gone afterwards, installed or removed."""
    try:
        zip_folder(staging / "public", staging / "public.zip")
        zip_folder(starter_dir, staging / "starter.zip")
        _swap_in(staging, data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def zip_folder(folder: Path, target: Path | IO[bytes]) -> None:
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
    readable = [staging / "public", staging / "dry_run", staging / "dry_run" / "public"]
    readable += [*(staging / "public").rglob("*"), *(staging / "dry_run" / "public").rglob("*")]
    for path in [staging, *(p for p in readable if p.exists())]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (staging / "hidden").chmod(0o700)
    if (staging / "dry_run" / "hidden").exists():
        (staging / "dry_run" / "hidden").chmod(0o700)
    old = data_dir.with_name(f".{data_dir.name}.old.{uuid.uuid4().hex[:8]}")
    if data_dir.exists():
        data_dir.rename(old)
    staging.rename(data_dir)
    shutil.rmtree(old, ignore_errors=True)

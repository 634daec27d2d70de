"""Installing the raw datasets into ``DATASETS_DIR``: downloaded from their
canonical mirrors (tried in order), or copied from a local mirror folder.

Every file is checked against its published checksum (``graders.datasets``)
before it takes its place, and takes it by rename, so the folder only ever
holds complete, verified files. A file already present and valid is left
alone: running it twice is a no-op. One file's failure does not stop the others.
"""

from __future__ import annotations

import http.client
import logging
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from graders.datasets import CATALOG, DatasetChecksumError, RawFile, verify

logger = logging.getLogger(__name__)

# Base URLs per dataset, tried in order; a file's URL is the base + its name.
MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    "tinyshakespeare": (
        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/",
    ),
}
TIMEOUT_SECONDS = 60  # per connection attempt and per read, not per file
CHUNK = 1 << 20
SLACK_BYTES = 1 << 20  # a download may exceed its content's size by this (gzip headers)


class FetchFailed(Exception):
    """One source could not provide the file; the message says why."""


@dataclass(frozen=True)
class FetchOutcome:
    path: str  # relative to the datasets folder, e.g. "mnist/t10k-images-idx3-ubyte.gz"
    action: str  # present | fetched | failed
    detail: str = ""  # where it came from, or every source's reason for failing


def datasets_fetch(
    *,
    datasets_dir: Path,
    datasets: Sequence[str] | None = None,
    mirrors: Mapping[str, Sequence[str]] | None = None,
    from_dir: Path | None = None,
    on_outcome: Callable[[FetchOutcome], None] | None = None,
) -> list[FetchOutcome]:
    """Install every file of ``datasets`` (all by default) into ``datasets_dir``.

    Sources are ``from_dir`` (laid out like the datasets folder) when given, else
    ``mirrors`` (base URLs per dataset; ``MIRRORS`` by default)."""
    names = list(datasets or CATALOG)
    unknown = sorted(set(names) - set(CATALOG))
    if unknown:
        raise ValueError(f"unknown datasets {', '.join(unknown)} (known: {', '.join(CATALOG)})")
    outcomes = []
    for raw in (raw for name in names for raw in CATALOG[name]):
        sources = _sources(raw, mirrors=mirrors or MIRRORS, from_dir=from_dir)
        try:
            outcome = dataset_file_fetch(raw=raw, datasets_dir=datasets_dir, sources=sources)
        except Exception as exc:  # an unforeseen failure is this file's, not the run's
            logger.exception("installing %s failed", raw.relative_path)
            outcome = FetchOutcome(raw.relative_path, "failed", f"{type(exc).__name__}: {exc}")
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def mirrors_in_datasets_layout(bases: Sequence[str]) -> dict[str, list[str]]:
    """Mirror base URLs laid out like the datasets folder (``BASE/mnist/<file>``)."""
    return {name: [f"{base.rstrip('/')}/{name}/" for base in bases] for name in CATALOG}


def dataset_file_fetch(*, raw: RawFile, datasets_dir: Path, sources: Sequence[str]) -> FetchOutcome:
    """Make ``raw`` present and valid, trying ``sources`` (URLs or local paths) in order."""
    target = raw.path(datasets_dir)
    problems = []
    try:
        verify(target, raw)
        return FetchOutcome(raw.relative_path, "present")
    except FileNotFoundError:
        pass
    except (DatasetChecksumError, OSError) as exc:
        problems.append(f"the file there is not the published one, replacing it ({exc})")
    for source in sources:
        try:
            _install(raw, source, target)
        except FetchFailed as exc:
            problems.append(f"{source}: {exc}")
            continue
        tried = f"; before it: {'; '.join(problems)}" if problems else ""
        return FetchOutcome(raw.relative_path, "fetched", f"from {source}{tried}")
    if not sources:
        problems.append("no source to fetch it from")
    return FetchOutcome(raw.relative_path, "failed", "; ".join(problems))


def _sources(
    raw: RawFile, *, mirrors: Mapping[str, Sequence[str]], from_dir: Path | None
) -> list[str]:
    if from_dir is not None:
        return [str(raw.path(from_dir))]
    return [base + raw.name for base in mirrors.get(raw.dataset, ())]


def _install(raw: RawFile, source: str, target: Path) -> None:
    """Copy ``source`` beside ``target``, verify it, rename it into place."""
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _open_source(source) as stream:
            size = _copy_capped(stream, partial, limit=raw.size + SLACK_BYTES)
            _check_complete(stream, size)
        verify(partial, raw)
        os.replace(partial, target)
    except DatasetChecksumError as exc:
        raise FetchFailed(f"not the published file: {exc.reason}") from exc
    except HTTPError as exc:
        raise FetchFailed(f"HTTP {exc.code} {exc.reason}") from exc
    except URLError as exc:
        raise FetchFailed(f"cannot connect ({exc.reason})") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise FetchFailed(f"{type(exc).__name__}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)


def _open_source(source: str) -> BinaryIO:
    if source.startswith(("http://", "https://")):
        request = Request(source, headers={"User-Agent": "milestones fetch_datasets"})
        return urlopen(request, timeout=TIMEOUT_SECONDS)  # type: ignore[no-any-return]
    return Path(source).open("rb")


def _check_complete(stream: BinaryIO, size: int) -> None:
    # A connection cut short reads as a clean end of file; only the declared
    # length tells the difference (the checksum would too, less clearly).
    headers = getattr(stream, "headers", None)
    declared = headers.get("Content-Length", "") if headers is not None else ""
    if declared.isdigit() and int(declared) != size:
        raise FetchFailed(f"the download stopped after {size} of {declared} bytes")


def _copy_capped(stream: BinaryIO, path: Path, *, limit: int) -> int:
    size = 0
    # O_EXCL: a name of our own, never another run's partial file.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as sink:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise FetchFailed(f"larger than the published file ({limit} bytes at most)")
            sink.write(chunk)
        sink.flush()
        os.fsync(sink.fileno())  # complete on disk before the rename makes it visible
    return size

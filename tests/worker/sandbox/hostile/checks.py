"""What must stay true after a hostile run, as functions returning problems in words
(an empty list: all is well), so that one test can report everything that broke."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graders.errors import InvalidOutput
from graders.readers.untrusted import read_untrusted_text
from tests.support.sandbox import processes_running
from worker.sandbox.cgroups import RunCgroups
from worker.sandbox.docker_owners import LABEL
from worker.sandbox.outputs import MAX_DEPTH
from worker.sandbox.uids import Identity, processes_of

MiB = 1024 * 1024
# /output is measured every 0.2 s, so a program writing as fast as the disk takes
# it gets that far past its cap before it is stopped; never without bound.
OUTPUT_OVERSHOOT_BOUND = 1024 * MiB
_READ_AT_MOST = 4 * MiB  # of each output file, when looking for leaked tokens


@dataclass
class Footprint:
    """What a bubblewrap run was given (seen by wrapping, not replacing, its helpers)."""

    identities: list[Identity] = field(default_factory=list)
    cgroups: list[RunCgroups] = field(default_factory=list)


def leftovers(footprint: Footprint | None, marker: str) -> list[str]:
    """Processes of the run still on the machine: by its uid, its cgroups, its name."""
    found = [f"process {pid} still runs {marker}" for pid in processes_running(marker)]
    if footprint is None:
        return found + _containers_left(marker)
    for identity in footprint.identities:
        if identity.dedicated and processes_of(identity.uid):
            found.append(f"uid {identity.uid} still has processes {processes_of(identity.uid)}")
    for group in footprint.cgroups:
        found += [f"cgroup {d} was left behind" for d in set(group.dirs.values()) if d.exists()]
    return found


def _containers_left(marker: str) -> list[str]:
    from worker.sandbox import docker_engine  # DOCKER_HOST names the test run's engine

    client = docker_engine.connect()
    found = []
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        command = " ".join(container.attrs.get("Config", {}).get("Cmd") or [])
        if marker in command:
            found.append(f"container left: {container.id} {command}")
    return found


def _files(top: Path) -> Iterator[tuple[str, str, int, os.stat_result]]:
    """(folder path, name, folder fd, lstat) of everything under ``top``.

    Through descriptors (os.fwalk): a hostile tree may be deeper than PATH_MAX.
    """
    for folder, dirs, files, folder_fd in os.fwalk(top, follow_symlinks=False):
        for name in dirs + files:
            with contextlib.suppress(OSError):
                yield (
                    folder,
                    name,
                    folder_fd,
                    os.stat(name, dir_fd=folder_fd, follow_symlinks=False),
                )


def output_texts(top: Path) -> Iterator[tuple[str, str]]:
    """(name, start) of every regular file under ``top``, opened without following links."""
    for _, name, folder_fd, info in _files(top):
        if not stat.S_ISREG(info.st_mode):
            continue
        with contextlib.suppress(OSError):
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
            try:
                yield name, os.read(fd, _READ_AT_MOST).decode("utf-8", errors="replace")
            finally:
                os.close(fd)


def output_bytes(top: Path) -> int:
    return sum(max(info.st_size, info.st_blocks * 512) for *_, info in _files(top))


def output_refused(output: Path) -> list[str]:
    """The grader's reader refuses /output/predictions.csv, and quickly (no fifo hang)."""
    outcome: list[object] = []

    def read() -> None:
        try:
            outcome.append(read_untrusted_text(output / "predictions.csv", max_bytes=MiB))
        except InvalidOutput as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():
        return ["reading predictions.csv blocked"]
    if not isinstance(outcome[0], InvalidOutput):
        return [f"predictions.csv was read: {str(outcome[0])[:200]!r}"]
    return []


def output_bounded(output: Path) -> list[str]:
    used = output_bytes(output)
    return [f"/output holds {used} bytes on the host"] if used > OUTPUT_OVERSHOOT_BOUND else []


def output_shallow(output: Path) -> list[str]:
    """Nothing nested past MAX_DEPTH is left, and the worker's cleanup can remove it all."""
    deepest = max(
        (len(Path(folder).relative_to(output).parts) + 1 for folder, *_ in _files(output)),
        default=0,
    )
    found = [f"/output is still {deepest} levels deep"] if deepest > MAX_DEPTH else []
    try:
        shutil.rmtree(output)
    except (OSError, RecursionError) as exc:
        found.append(f"removing /output failed: {exc!r}")
    return found


def output_not_setuid(output: Path) -> list[str]:
    return [
        f"{name} is setuid/setgid ({oct(info.st_mode)}, uid {info.st_uid})"
        for _, name, _, info in _files(output)
        if stat.S_ISREG(info.st_mode) and info.st_mode & (stat.S_ISUID | stat.S_ISGID)
    ]


NAMED_CHECKS: dict[str, Callable[[Path], list[str]]] = {
    "output_refused": output_refused,
    "output_bounded": output_bounded,
    "output_not_setuid": output_not_setuid,
    "output_shallow": output_shallow,  # last: it removes /output
}

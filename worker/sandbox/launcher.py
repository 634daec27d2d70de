"""The launcher (launcher.c): bwrap started through a tiny program, not a preexec_fn.

A ``preexec_fn`` makes Popen fork the whole worker and run Python in the child
(1.5 ms before any of its work, here); without one Popen uses vfork and execs
the launcher, which joins the cgroups, sets the rlimits and drops the uid in
the same order, then execs bwrap. Built once per source version with the host's
C compiler (setup.sh installs one for torch.compile) into the backend's own
folder (root's, mode 0700, checked: it is exec'd as root); where it cannot be
built, the run keeps the preexec_fn, said once in the worker's log.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from worker.sandbox.launch import within_own
from worker.sandbox.uids import Identity

SOURCE = Path(__file__).with_name("launcher.c")
COMPILE_SECONDS = 60.0

logger = logging.getLogger(__name__)


def argv(
    launcher: str,
    *,
    join_files: Sequence[str],
    limits: Mapping[int, tuple[int, int]],
    identity: Identity,
    affinity: Sequence[int] = (),
) -> list[str]:
    """The launcher's options, up to the ``--`` that bwrap's command line follows;
    the same steps, values and order as ``launch.make_preexec``."""
    args = [launcher]
    for path in join_files:
        args += ["-j", path]
    for which, value in limits.items():
        soft, hard = within_own(which, value)
        args += ["-r", f"{which}:{soft}:{hard}"]
    for core in sorted(set(affinity)):
        args += ["-c", str(core)]
    if identity.dedicated:
        args += ["-u", str(identity.uid), "-g", str(identity.gid)]
    return [*args, "--"]


@functools.cache
def built(directory: Path) -> str | None:
    """The launcher for this source, built into ``directory`` if need be; None
    (said once) where it cannot be, or ``directory`` is not ours alone."""
    try:
        return _built(directory)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("no sandbox launcher (runs fork the worker instead): %s", exc)
        return None


def _built(directory: Path) -> str:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _check_ours(directory, stat.S_ISDIR)
    source = SOURCE.read_bytes()
    target = directory / f"milestones-launch-{hashlib.sha256(source).hexdigest()[:16]}"
    if not target.exists():
        _compile(target)
    _check_ours(target, stat.S_ISREG)
    return str(target)


def _check_ours(path: Path, kind: Callable[[int], bool]) -> None:
    """Refuse what another user could have placed or could change: it runs as root."""
    info = path.lstat()
    if not kind(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise PermissionError(f"{path} is not ours alone (owner {info.st_uid})")


def _compile(target: Path) -> None:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise FileNotFoundError("no C compiler (cc) to build the sandbox launcher")
    fd, temporary = tempfile.mkstemp(prefix=".launch-", dir=target.parent)
    os.close(fd)
    try:
        base = [compiler, "-O2", "-Wall", "-o", temporary, str(SOURCE)]
        # Static where the C library allows it: no dynamic loader at every run.
        for flags in (["-static"], []):
            done = subprocess.run(
                [*base, *flags], capture_output=True, timeout=COMPILE_SECONDS, check=False
            )
            if done.returncode == 0:
                break
        else:
            raise subprocess.SubprocessError(done.stderr.decode(errors="replace")[-500:])
        os.chmod(temporary, 0o755)
        os.replace(temporary, target)  # atomic: a worker beside us may build it too
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)

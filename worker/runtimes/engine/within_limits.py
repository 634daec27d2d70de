"""Lower the rlimits of an OCI process spec to what this process may set.

    within_limits.py RUNC-ARGUMENTS...   (by runc-within-limits, before runc runs)

Reads the spec runc is about to use: ``config.json`` of the bundle (``create``,
``run``) or the ``--process`` file (``exec``), and rewrites it in place with each
rlimit at most this process's own hard limit, which runc (exec'd next, in this
same process tree) can never exceed either. Nothing else changes: the limits a
sandbox asks below that (cpu, fsize, core) pass as they are.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path


def _value(argv: list[str], *flags: str) -> str | None:
    for index, argument in enumerate(argv):
        for flag in flags:
            if argument == flag and index + 1 < len(argv):
                return argv[index + 1]
            if argument.startswith(f"{flag}="):
                return argument.partition("=")[2]
    return None


def spec_path(argv: list[str]) -> Path | None:
    """Where the process spec of this runc invocation lies (None: nowhere)."""
    if "exec" in argv:
        process = _value(argv, "--process", "-p")
        return Path(process) if process else None
    return Path(_value(argv, "--bundle", "-b") or ".") / "config.json"


def lowered(rlimits: list[dict[str, object]]) -> list[dict[str, object]]:
    result = []
    for rlimit in rlimits:
        which = getattr(resource, str(rlimit.get("type")), None)
        if isinstance(which, int):
            own = resource.getrlimit(which)[1]
            if own != resource.RLIM_INFINITY:
                hard = min(int(str(rlimit["hard"])), own)
                rlimit = {**rlimit, "hard": hard, "soft": min(int(str(rlimit["soft"])), hard)}
        result.append(rlimit)
    return result


def main(argv: list[str]) -> int:
    path = spec_path(argv)
    if path is None or not path.exists():
        return 0
    spec = json.loads(path.read_text())
    process = spec.get("process", spec)  # config.json holds a process; --process is one
    if not process.get("rlimits"):
        return 0
    process["rlimits"] = lowered(process["rlimits"])
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    staging.write_text(json.dumps(spec))
    staging.chmod(path.stat().st_mode & 0o7777)
    staging.replace(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Build the runtimes that sandboxed code runs in: one virtual environment each.

    python -m worker.runtimes.build --dir var/runtimes numpy torch

Each venv is made from the system interpreter (/usr/bin/python3), not the
project's: the sandbox mounts /usr read-only and runs as an unprivileged uid,
which could neither see nor traverse a pyenv under /root. Packages go in with
the project's own pip (``pip --python``), so the runtime carries no pip of its
own. Idempotent: a marker file records what was installed; a runtime whose
marker matches is left alone, any other is rebuilt from scratch. The marker also
lists every distribution pip put in (``installed``: dependencies too, as
``name==version``), read by the challenge pages (a run records the pins only).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
MARKER = ".milestones-runtime.json"
# The only packages a runtime asks for (pip adds their dependencies). "numpy" must
# not see torch: challenges that declare the numpy runtime are meant to be solved
# without autograd. torchvision pins the one torch it imports beside: the pair
# moves together (PyPI's torchvision 0.29.1 wants torch 2.14.1, a CUDA build that
# runs on the CPU too).
RUNTIMES: dict[str, tuple[str, ...]] = {
    "numpy": ("numpy==2.3.5",),
    "torch": ("numpy==2.3.5", "torch==2.14.1", "torchvision==0.29.1"),
}
INSTALLED = "installed"  # the marker's key for the full list


def build(*, root: Path, name: str, python: str = SYSTEM_PYTHON) -> bool:
    """Make ``root/name`` hold runtime ``name``; return True if it had to be built."""
    wanted = _marker(name, python)
    target = root / name
    with _locked(root):
        if _built_as(_read_marker(target)) == wanted:
            print(f"{name}: up to date at {target}")
            if read_installed(target) is None:  # built before markers listed it
                _write_marker(target, wanted)
            return False
        _build(root, name, python, wanted)
    return True


def _build(root: Path, name: str, python: str, wanted: dict[str, object]) -> None:
    target = root / name
    staging = root / f".{name}.building"
    shutil.rmtree(staging, ignore_errors=True)
    print(f"{name}: creating venv from {python} in {staging}")
    _run([python, "-m", "venv", "--without-pip", str(staging)])
    if RUNTIMES[name]:
        print(f"{name}: installing {' '.join(RUNTIMES[name])}")
        pip = [sys.executable, "-m", "pip", "--python", str(staging / "bin" / "python")]
        _run([*pip, "install", "--quiet", "--no-input", "--no-cache-dir", *RUNTIMES[name]])
    _write_marker(staging, wanted)
    _make_world_readable(staging)
    _swap(staging, target)
    print(f"{name}: ready at {target}")


def _marker(name: str, python: str) -> dict[str, object]:
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "name": name,
        "python": python,
        "python_version": version,
        "packages": list(RUNTIMES[name]),
    }


def _write_marker(venv: Path, wanted: dict[str, object]) -> None:
    marker = {**wanted, INSTALLED: _installed(venv / "bin" / "python")}
    (venv / MARKER).write_text(json.dumps(marker, indent=2) + "\n")
    (venv / MARKER).chmod(0o644)


def _installed(python: Path) -> list[str]:
    # Read once here, so that no page or run ever has to ask pip.
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "list", "--format=freeze"],
        check=True,
        capture_output=True,
        text=True,
    )
    return sorted((line for line in done.stdout.splitlines() if "==" in line), key=str.lower)


def _built_as(marker: object) -> object:
    # What the runtime was asked to be, without what pip made of it.
    if isinstance(marker, dict):
        return {key: value for key, value in marker.items() if key != INSTALLED}
    return marker


def read_installed(target: Path) -> list[str] | None:
    """Every distribution in the runtime at ``target`` (``name==version``), as its
    marker recorded it; None when there is no marker or it predates the list."""
    marker = _read_marker(target)
    listed = marker.get(INSTALLED) if isinstance(marker, dict) else None
    return [str(item) for item in listed] if isinstance(listed, list) else None


def installed_runtimes(root: Path) -> dict[str, list[str]]:
    """``read_installed`` of every runtime built under ``root`` that records it."""
    found = {name: read_installed(root / name) for name in RUNTIMES}
    return {name: listed for name, listed in found.items() if listed is not None}


def _read_marker(target: Path) -> object:
    try:
        return json.loads((target / MARKER).read_text())
    except (OSError, ValueError):
        return None


def _run(argv: Sequence[str]) -> None:
    print("  $", " ".join(argv), flush=True)
    subprocess.run(argv, check=True)


def _make_world_readable(top: Path) -> None:
    # The sandbox runs as a uid of its own: it must read (and traverse) every
    # file of the runtime, and write none of them.
    for path in [top, *top.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        extra = 0o555 if path.is_dir() or mode & 0o111 else 0o444
        path.chmod((mode | extra) & ~0o022)


def _swap(staging: Path, target: Path) -> None:
    # The old runtime is replaced whole, so a run never sees half of each.
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    # Two builders at once (two workers starting) would trample one staging dir.
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _warn_if_not_traversable(root: Path) -> None:
    for parent in [root.resolve(), *root.resolve().parents]:
        if not parent.stat().st_mode & 0o001:
            print(
                f"warning: {parent} is not traversable by other users; the sandbox uid "
                f"will not reach the runtimes (chmod o+x it)",
                file=sys.stderr,
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("var/runtimes"))
    parser.add_argument("--python", default=SYSTEM_PYTHON, help="interpreter to base venvs on")
    parser.add_argument("names", nargs="+", choices=sorted(RUNTIMES))
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    os.chmod(args.dir, 0o755)
    _warn_if_not_traversable(args.dir)
    for name in dict.fromkeys(args.names):
        build(root=args.dir, name=name, python=args.python)
    return 0


if __name__ == "__main__":
    sys.exit(main())

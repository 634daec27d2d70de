"""Backend name -> class. Adding a backend is adding a module and a line here."""

from __future__ import annotations

from pathlib import Path

from worker.sandbox.base import SandboxBackend


def get_backend(name: str, *, runtimes_dir: Path) -> SandboxBackend:
    if name == "bubblewrap":
        from worker.sandbox.bubblewrap import BubblewrapBackend

        return BubblewrapBackend(runtimes_dir=runtimes_dir)
    if name == "docker":
        from worker.sandbox.docker import DockerBackend

        return DockerBackend()
    raise ValueError(f"unknown sandbox backend {name!r} (known: bubblewrap, docker)")

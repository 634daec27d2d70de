"""Backend name (MILESTONES_SANDBOX_BACKEND) -> how to make one.

The same shape as every registry of the project (``graders.registry``: a
read-only mapping from a name to the thing, whose unknown names say which
exist), written out here because the sandbox imports nothing outside itself.
A backend's module is imported only when it is asked for: the docker one needs
the optional Docker SDK. Adding a backend is adding a module and an entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

from worker.sandbox.base import SandboxBackend


class UnknownBackend(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def _bubblewrap(runtimes_dir: Path) -> SandboxBackend:
    from worker.sandbox.bubblewrap import BubblewrapBackend

    return BubblewrapBackend(runtimes_dir=runtimes_dir)


def _docker(runtimes_dir: Path) -> SandboxBackend:
    from worker.sandbox.docker import DockerBackend

    return DockerBackend()


BACKENDS: Mapping[str, Callable[[Path], SandboxBackend]] = MappingProxyType(
    {"bubblewrap": _bubblewrap, "docker": _docker}
)


def get_backend(name: str, *, runtimes_dir: Path) -> SandboxBackend:
    if name not in BACKENDS:
        known = ", ".join(sorted(BACKENDS))
        raise UnknownBackend(f"unknown sandbox backend {name!r} (known: {known})")
    return BACKENDS[name](runtimes_dir)

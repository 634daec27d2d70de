"""The Docker engine ``DOCKER_HOST`` names, asked what it is once per process.

The SDK's default client asks the engine for its API version (GET /version)
before anything else, and whether the engine is podman is another look at
/version. Podman answers /version in about 200 ms (it gathers its host's facts
each time), so with a backend made for each run the two were most of a trivial
run's cost. One look per engine address is kept for the worker's life; an
engine that stops answering is looked at afresh (it may have been upgraded).
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EngineFacts:
    api_version: str
    is_podman: bool


_known: dict[str, EngineFacts] = {}
_lock = threading.Lock()


def connect(*, timeout: int = 30) -> Any:
    """A client of the engine, on the API version it speaks; raises what the SDK
    raises when the engine does not answer."""
    return connected(timeout=timeout)[0]


def connected(*, timeout: int = 30) -> tuple[Any, EngineFacts]:
    """``connect``'s client with the facts it was made from (read together, so a
    look forgotten meanwhile by another thread cannot mislabel the engine)."""
    import docker  # type: ignore[import-not-found,unused-ignore]

    address = os.environ.get("DOCKER_HOST", "")
    with _lock:
        facts = _known.get(address)
    if facts is None:
        # Any version will do for the look: /version is asked without one.
        with contextlib.closing(docker.from_env(timeout=timeout, version="1.24")) as looker:
            facts = look(looker)
        with _lock:
            _known[address] = facts
    client = docker.from_env(timeout=timeout, version=facts.api_version)
    try:
        client.ping()
    except Exception:
        client.close()
        forget()
        raise
    return client, facts


def is_podman() -> bool:
    """Whether the engine ``connect`` reaches is podman (as it last said)."""
    facts = _known.get(os.environ.get("DOCKER_HOST", ""))
    return facts is not None and facts.is_podman


def forget() -> None:
    with _lock:
        _known.pop(os.environ.get("DOCKER_HOST", ""), None)


def look(client: Any) -> EngineFacts:
    """One GET /version (unversioned) of ``client``'s engine: the API version it
    speaks and whether it is podman."""
    info = client.api.version(api_version=False)
    components = info.get("Components") or []
    return EngineFacts(
        api_version=str(info["ApiVersion"]),
        is_podman=any("podman" in str(part.get("Name", "")).lower() for part in components),
    )

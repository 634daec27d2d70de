"""Where ``milestones login`` keeps the server and the token: a JSON file only
its owner may read. The environment overrides it (CI jobs, containers)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


class NotLoggedIn(Exception):
    """No server or token is known: run ``milestones login`` first."""


@dataclass(frozen=True)
class Credentials:
    server: str
    token: str


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "milestones" / "config.json"


def save(credentials: Credentials, path: Path | None = None) -> Path:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created private, never widened afterwards: the token is a password.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump({"server": credentials.server, "token": credentials.token}, out)
    path.chmod(0o600)
    return path


def load(path: Path | None = None) -> Credentials:
    stored: dict[str, str] = {}
    path = path or config_path()
    if path.is_file():
        stored = json.loads(path.read_text(encoding="utf-8"))
    server = os.environ.get("MILESTONES_SERVER") or stored.get("server", "")
    token = os.environ.get("MILESTONES_TOKEN") or stored.get("token", "")
    if not server or not token:
        raise NotLoggedIn("Not logged in: run `milestones login --server URL` first.")
    return Credentials(server=server, token=token)

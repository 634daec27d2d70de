"""The hostile corpus: one program per attack under attacks/, each carrying its
expectation in a comment block at its top (TOML between ``# /// hostile`` and
``# ///``). Adding an attack is adding a file; see README.md in this folder."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from worker.sandbox import Status

ATTACKS_DIR = Path(__file__).parent / "attacks"
_BLOCK = re.compile(r"^# /// hostile\n(?P<body>(?:#.*\n)*?)# ///$", re.MULTILINE)
# Named checks an attack may ask for beyond the ones every attack gets.
KNOWN_CHECKS = {"output_refused", "output_bounded", "output_shallow", "output_not_setuid"}
KNOWN_KEYS = {"status", "prints", "checks", "limits", "runtime", "pipeline", "docker", "cores"}
# What a [docker] table may change, and must say why (a difference by design,
# listed in worker/sandbox/README.md).
DOCKER_KEYS = {"status", "why"}


@dataclass(frozen=True)
class Attack:
    name: str
    source: str
    statuses: frozenset[Status]
    prints: tuple[str, ...]  # lines that prove the attack ran as far as it should
    checks: frozenset[str] = frozenset()
    limits: dict[str, float] = field(default_factory=dict)
    runtime: str = "numpy"
    pipeline: str | None = None  # its final state when run through the real stack
    cores: int = 0  # host cores granted to the run (spec.cpus); 0: not pinned
    # The statuses the docker backend ends it in, where they differ by design.
    docker_statuses: frozenset[Status] | None = None

    def __str__(self) -> str:
        return self.name

    def statuses_on(self, backend: str) -> frozenset[Status]:
        if backend == "docker" and self.docker_statuses is not None:
            return self.docker_statuses
        return self.statuses


def _statuses(value: str | list[str]) -> frozenset[Status]:
    return frozenset(Status(s) for s in ([value] if isinstance(value, str) else value))


def load(path: Path) -> Attack:
    source = path.read_text()
    match = _BLOCK.search(source)
    if match is None:
        raise ValueError(f"{path.name}: no '# /// hostile' ... '# ///' block")
    body = "\n".join(
        line.removeprefix("#").removeprefix(" ") for line in match["body"].splitlines()
    )
    table = tomllib.loads(body)
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
    docker = table.get("docker", {})
    if set(docker) - DOCKER_KEYS or (docker and not docker.get("why")):
        raise ValueError(f"{path.name}: [docker] may set {sorted(DOCKER_KEYS)}, and says why")
    checks = frozenset(table.get("checks", []))
    if checks - KNOWN_CHECKS:
        raise ValueError(f"{path.name}: unknown checks {sorted(checks - KNOWN_CHECKS)}")
    if not table.get("prints"):
        raise ValueError(f"{path.name}: 'prints' must name what proves the attack ran")
    return Attack(
        name=path.stem,
        source=source,
        statuses=_statuses(table["status"]),
        prints=tuple(table["prints"]),
        checks=checks,
        limits=dict(table.get("limits", {})),
        runtime=table.get("runtime", "numpy"),
        pipeline=table.get("pipeline"),
        cores=int(table.get("cores", 0)),
        docker_statuses=_statuses(docker["status"]) if "status" in docker else None,
    )


def attacks() -> list[Attack]:
    return [load(path) for path in sorted(ATTACKS_DIR.glob("*.py"))]

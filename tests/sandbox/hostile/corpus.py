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
KNOWN_KEYS = {"status", "prints", "checks", "limits", "runtime", "pipeline"}


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

    def __str__(self) -> str:
        return self.name


def load(path: Path) -> Attack:
    source = path.read_text()
    match = _BLOCK.search(source)
    if match is None:
        raise ValueError(f"{path.name}: no '# /// hostile' ... '# ///' block")
    body = "\n".join(line.removeprefix("#").removeprefix(" ") for line in
                     match["body"].splitlines())  # fmt: skip
    table = tomllib.loads(body)
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
    statuses = table["status"] if isinstance(table["status"], list) else [table["status"]]
    checks = frozenset(table.get("checks", []))
    if checks - KNOWN_CHECKS:
        raise ValueError(f"{path.name}: unknown checks {sorted(checks - KNOWN_CHECKS)}")
    if not table.get("prints"):
        raise ValueError(f"{path.name}: 'prints' must name what proves the attack ran")
    return Attack(
        name=path.stem,
        source=source,
        statuses=frozenset(Status(s) for s in statuses),
        prints=tuple(table["prints"]),
        checks=checks,
        limits=dict(table.get("limits", {})),
        runtime=table.get("runtime", "numpy"),
        pipeline=table.get("pipeline"),
    )


def attacks() -> list[Attack]:
    return [load(path) for path in sorted(ATTACKS_DIR.glob("*.py"))]

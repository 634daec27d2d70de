"""Reading and validating a challenge bundle folder (see challenges/README.md).

Every problem is collected, so an instructor fixes a bundle in one round trip.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graders import GradedSpec, GradingSpecError, load_spec

RUNTIMES = ("numpy", "torch")
GPU_MODES = ("none", "optional", "required")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")
ENTRYPOINT_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\.py$")
REQUIRED_FILES = ("challenge.toml", "README.md", "prepare.py")
# Limit name in challenge.toml -> (default, largest value an instructor may set): the
# one home of a run's limits. A loaded challenge stores every one of them.
LIMITS: dict[str, tuple[int, int]] = {
    "wall_seconds": (60, 6 * 3600),
    "cpu_seconds": (60, 6 * 3600),
    "memory_mb": (1024, 64 * 1024),
    "processes": (64, 4096),
    "output_mb": (16, 1024),
    "tmp_mb": (64, 8192),
}


def default_limits() -> dict[str, int]:
    """The limits of a challenge whose challenge.toml sets none."""
    return {name: default for name, (default, _) in LIMITS.items()}


class BundleError(Exception):
    def __init__(self, bundle: Path, problems: list[str]) -> None:
        self.bundle = bundle
        self.problems = problems
        super().__init__(f"{bundle.name}: " + "; ".join(problems))


@dataclass(frozen=True)
class Bundle:
    path: Path
    slug: str
    title: str
    year: int
    idea: str
    runtime: str
    gpu: str
    entrypoint: str
    limits: dict[str, int]
    grading: GradedSpec
    grading_table: dict[str, Any]
    baselines: list[dict[str, Any]]
    plausible_best: float | None  # [review]: a better score is held for review
    readme: str
    content_hash: str


def read_bundle(path: Path) -> Bundle:
    problems: list[str] = []
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    problems += [f"missing file {name}" for name in missing]
    if not (path / "starter").is_dir():
        problems.append("missing folder starter/")
    if "challenge.toml" in missing:
        raise BundleError(path, problems)
    try:
        config = tomllib.loads((path / "challenge.toml").read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(path, [*problems, f"challenge.toml is not valid TOML: {exc}"]) from exc
    fields = _top_level(config, problems)
    limits = _limits(config.get("limits", {}), problems)
    grading = _grading(config.get("grading"), problems)
    baselines = _baselines(config.get("baselines", []), problems)
    plausible_best = _review(config.get("review", {}), problems)
    if problems:
        raise BundleError(path, problems)
    assert grading is not None
    return Bundle(
        path=path,
        limits=limits,
        grading=grading,
        grading_table=dict(config["grading"]),
        baselines=baselines,
        readme=(path / "README.md").read_text(encoding="utf-8", errors="replace"),
        content_hash=content_hash(path),
        plausible_best=plausible_best,
        **fields,
    )


def _top_level(config: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    def text(key: str, default: str | None = None) -> str:
        value = config.get(key, default)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key} must be a non-empty string")
            return ""
        return value.strip()

    fields = {
        "slug": text("slug"),
        "title": text("title"),
        "idea": str(config.get("idea", "")).strip(),
        "runtime": text("runtime"),
        "gpu": text("gpu", "none"),
        "entrypoint": text("entrypoint", "main.py"),
        "year": config.get("year"),
    }
    if fields["slug"] and not SLUG_RE.match(fields["slug"]):
        problems.append(f"slug {fields['slug']!r} must be lowercase letters, digits and dashes")
    if fields["runtime"] and fields["runtime"] not in RUNTIMES:
        problems.append(f"runtime must be one of {', '.join(RUNTIMES)}, not {fields['runtime']!r}")
    if fields["gpu"] and fields["gpu"] not in GPU_MODES:
        problems.append(f"gpu must be one of {', '.join(GPU_MODES)}, not {fields['gpu']!r}")
    if fields["entrypoint"] and not ENTRYPOINT_RE.match(fields["entrypoint"]):
        problems.append("entrypoint must be a .py file name at the submission's root")
    if not isinstance(fields["year"], int) or not 1900 <= fields["year"] <= 2100:
        problems.append("year must be a whole number between 1900 and 2100")
    return fields


def _limits(table: object, problems: list[str]) -> dict[str, int]:
    if not isinstance(table, dict):
        problems.append("[limits] must be a table")
        return {}
    unknown = sorted(set(table) - set(LIMITS))
    if unknown:
        problems.append(f"unknown limits: {', '.join(unknown)}")
    limits: dict[str, int] = {}
    for name, (default, largest) in LIMITS.items():
        value = table.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= largest:
            problems.append(f"limits.{name} must be a whole number from 1 to {largest}")
            continue
        limits[name] = value
    return limits


def _grading(table: object, problems: list[str]) -> GradedSpec | None:
    if not isinstance(table, dict):
        problems.append("[grading] table is missing")
        return None
    try:
        return load_spec(table)
    except GradingSpecError as exc:
        problems.extend(f"grading: {problem}" for problem in exc.problems)
        return None


def _review(table: object, problems: list[str]) -> float | None:
    """``[review] plausible_best``: the best score a real model can reach here."""
    if not isinstance(table, dict):
        problems.append("[review] must be a table")
        return None
    unknown = sorted(set(table) - {"plausible_best"})
    if unknown:
        problems.append(f"unknown keys in [review]: {', '.join(unknown)}")
    value = table.get("plausible_best")
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        problems.append("review.plausible_best must be a finite number")
        return None
    return float(value)


def _baselines(rows: object, problems: list[str]) -> list[dict[str, Any]]:
    if not isinstance(rows, list):
        problems.append("[[baselines]] must be an array of tables")
        return []
    baselines = []
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            problems.append(f"baseline {index} needs a name")
            continue
        score, private = row.get("score"), row.get("private_score", 0.0)
        if not (_is_number(score) and _is_number(private)):
            problems.append(f"baseline {row['name']!r} needs numeric scores")
            continue
        problem = _baseline_flags_problem(row)
        if problem:
            problems.append(f"baseline {row['name']!r}: {problem}")
            continue
        baselines.append(
            {
                "name": row["name"],
                "score": float(score),  # type: ignore[arg-type]
                "private_score": float(row["private_score"]) if "private_score" in row else None,
                "bound": row.get("bound", False),
                "published": row.get("published", False),
                "citation": str(row.get("citation", "")),
            }
        )
    return baselines


def _baseline_flags_problem(row: dict[str, Any]) -> str | None:
    for flag in ("bound", "published"):
        if not isinstance(row.get(flag, False), bool):
            return f"{flag} is true or false"
    if row.get("published", False) and "private_score" in row:
        # A published number is on every test item: it has no private half to give.
        return "a published score is on every test item, so it has no private_score"
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def content_hash(path: Path) -> str:
    """A hash of every file in the bundle: a change anywhere re-prepares the data."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()

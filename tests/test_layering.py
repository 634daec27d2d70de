"""The package boundaries of ../shared/DESIGN.md hold (tests/support/layering.py
says which), and the check fails when one is broken."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import layering
from tests.support.paths import REPO


def test_no_package_imports_across_a_boundary():
    assert layering.forbidden_imports(layering.build()) == []


def test_no_module_imports_itself_back_through_others():
    assert layering.cycles(layering.build()) == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("graders.ranking", "server.submissions.models"),
        ("server.submissions.views", "worker.dispatch"),
        ("worker.dispatch", "server.submissions.services"),
        ("worker.sandbox.bubblewrap", "graders.errors"),
        ("worker.sandbox.launch", "worker.slots"),
    ],
)
def test_the_check_fails_when_a_forbidden_import_is_added(importer: str, imported: str):
    graph = layering.build()
    graph.add_import(importer=importer, imported=imported)
    [found] = layering.forbidden_imports(graph)
    assert found.startswith(f"{importer} -> {imported} (")


def test_the_check_fails_when_a_cycle_is_added():
    graph = layering.build()
    graph.add_import(importer="server.submissions.models", imported="server.submissions.lifecycle")
    [group] = layering.cycles(graph)
    assert {"server.submissions.lifecycle", "server.submissions.models"} <= set(group)


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_challenge_bundles_import_only_the_graders_of_ours():
    ours = {"server", "worker", "tests", "benchmarks"}
    offenders = {
        str(path.relative_to(REPO)): sorted(_imported_roots(path) & ours)
        for path in (REPO / "challenges").rglob("*.py")
        if _imported_roots(path) & ours
    }
    assert offenders == {}

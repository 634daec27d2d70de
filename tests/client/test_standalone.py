"""The client stands alone (../shared/DESIGN.md): it imports nothing of ours and
depends on an HTTP library and a terminal library only."""

from __future__ import annotations

import ast
import tomllib

from tests.support.paths import REPO

CLIENT = REPO / "client"


def test_the_client_imports_nothing_of_the_project():
    ours = {"server", "worker", "graders", "challenges", "tests", "benchmarks"}
    found = {}
    for path in CLIENT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            roots = {name.split(".")[0] for name in names} & ours
            if roots:
                found[str(path.relative_to(REPO))] = sorted(roots)
    assert found == {}


def test_the_client_depends_on_httpx_and_rich_only():
    project = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    names = {dep.split(">")[0].split("=")[0].split("<")[0] for dep in project["dependencies"]}
    assert names == {"httpx", "rich"}
    assert project["scripts"] == {"milestones": "milestones_client.cli:main"}

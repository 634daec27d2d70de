"""The boundaries between the project's packages, checked on the import graph
(grimp, the engine of import-linter: every import in a module counts, the ones
inside functions too; imports under ``if TYPE_CHECKING:`` do not, since they
never run).

- ``graders`` imports nothing of ours;
- ``server`` imports of the worker only its API (``worker.api``);
- ``worker`` imports of the server only the lifecycle module, the reads that
  decide its dispatching (``queueing``) and models;
- ``worker.sandbox`` imports nothing outside itself;
- no module imports itself back through others (no cycles).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

import grimp

PACKAGES = ("graders", "server", "worker")
# importer pattern -> (imported pattern, the patterns it may still import there)
RULES: list[tuple[str, str, tuple[str, ...], str]] = [
    ("graders*", "server*", (), "graders imports nothing of ours"),
    ("graders*", "worker*", (), "graders imports nothing of ours"),
    ("server*", "worker*", ("worker.api",), "server imports only the worker's API"),
    (
        "worker*",
        "server*",
        ("server.submissions.lifecycle", "server.submissions.queueing", "server.*.models"),
        "worker imports only the lifecycle, its reads (queueing) and models of the server",
    ),
    ("worker.sandbox*", "worker*", ("worker.sandbox*",), "worker.sandbox is self-contained"),
    ("worker.sandbox*", "server*", (), "worker.sandbox is self-contained"),
    ("worker.sandbox*", "graders*", (), "worker.sandbox is self-contained"),
]


def build() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)


def _matches(module: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(module, pattern)


def forbidden_imports(graph: grimp.ImportGraph) -> list[str]:
    """Every direct import that breaks a rule, as 'importer -> imported (rule)'."""
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            for source, target, allowed, rule in RULES:
                if not (_matches(importer, source) and _matches(imported, target)):
                    continue
                if not any(_matches(imported, ok) for ok in allowed):
                    found.append(f"{importer} -> {imported} ({rule})")
    return found


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others."""
    return [sorted(group) for group in _strongly_connected(graph) if len(group) > 1]


def _strongly_connected(graph: grimp.ImportGraph) -> Iterator[list[str]]:
    """Tarjan's algorithm, iterative (the graph is a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                yield group

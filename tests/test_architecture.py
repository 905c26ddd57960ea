"""Dependencies run one way: no import cycles between app's packages (nor between its
modules), and the framework-free cores import no web or database framework.

Imports are read from the source (every ``import``, at module level or inside a
function), so a cycle that only a lazy import hides is found too.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "geodata")
# Cores that must stay framework-free: neither HTTP nor the database, nor app code
# outside themselves (but for the other names listed).
FRAMEWORKS = ("fastapi", "starlette", "sqlalchemy", "geoalchemy2", "psycopg", "alembic")
FRAMEWORK_FREE = {
    "app.uploads.reading": ("app.uploads.reading",),
    "app.uploads.layouts": ("app.uploads.layouts", "app.uploads.reading"),
    "app.analysis.stats": ("app.analysis.stats", "app.deprivation"),
    "app.deprivation": ("app.deprivation",),
    "geodata": ("geodata",),
}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imported(path: Path, name: str | None = None) -> Iterator[str]:
    """Every module name ``path`` (module ``name``) imports, relative imports made
    absolute (``from m import n`` gives m and m.n)."""
    name = name or ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = name.split(".")[:-1]  # an __init__'s package is its own folder
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def module_graph() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in known.items():
        graph[name] |= {target for target in imported(path) if target in known and target != name}
    return graph


def package_of(module: str) -> str:
    """``app.uploads.reading.text`` is in ``app.uploads``; ``app.db`` is its own node."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "app" and len(parts) > 1 else parts[0]


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, targets in module_graph().items():
        for target in targets:
            if package_of(source) != package_of(target):
                graph[package_of(source)].add(package_of(target))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_packages() -> None:
    # A check that cannot fail is no check: the walk must see the app's real layering.
    graph = package_graph()
    assert {"app.uploads", "app.observations", "app.access", "app.indicators"} <= set(graph)
    assert "app.indicators" in graph["app.uploads"]
    assert "app.access" in graph["app.indicators"]


def test_relative_imports_are_read_as_absolute(tmp_path: Path) -> None:
    module = tmp_path / "table.py"
    module.write_text("from . import errors\nfrom ..layouts.event_rows import ROLES\n")
    found = set(imported(module, "app.uploads.reading.table"))
    assert {"app.uploads.reading.errors", "app.uploads.layouts.event_rows"} <= found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_between_packages() -> None:
    assert cycles(package_graph()) == []


def test_no_import_cycles_between_modules() -> None:
    assert cycles(module_graph()) == []


@pytest.mark.parametrize("core", sorted(FRAMEWORK_FREE))
def test_framework_free_cores_import_no_framework(core: str) -> None:
    allowed = FRAMEWORK_FREE[core]
    offending = []
    for name, path in modules().items():
        if name != core and not name.startswith(core + "."):
            continue
        for target in imported(path):
            top = target.split(".")[0]
            inside = any(target == a or target.startswith(a + ".") for a in allowed)
            if top in FRAMEWORKS or (top in PACKAGES and not inside):
                offending.append(f"{name} imports {target}")
    assert offending == []

"""The shape of the code: layers import downwards only, no module imports itself back through
others, and no module grows past what a reader takes in at once.

The import graph includes imports inside functions: a lazy import is still a dependency, and
a cycle hidden that way is the one a newcomer trips on.
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("scheduler", "dispatch", "notifications", "demo", "web")
#: Each package may import only the packages after it in this list (web -> ... -> scheduler);
#: the demo data sits above the core, so nothing of the core can depend on it.
LAYERS = ("web", "demo", "notifications", "dispatch", "scheduler")
MAX_LINES = 300


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES)


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: every group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
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
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert strongly_connected(graph) == [["a.x", "a.y"]]


def test_no_import_cycles(graph: grimp.ImportGraph) -> None:
    assert strongly_connected(graph) == []


@pytest.mark.parametrize("lower_index", range(1, len(LAYERS)))
def test_layers_import_downwards_only(graph: grimp.ImportGraph, lower_index: int) -> None:
    lower = LAYERS[lower_index]
    for higher in LAYERS[:lower_index]:
        chain = graph.find_shortest_chain(importer=lower, imported=higher, as_packages=True)
        assert chain is None, f"{lower} must not import {higher}: {' -> '.join(chain or ())}"


def test_no_module_over_the_limit() -> None:
    too_long = {}
    for package in (*PACKAGES, "bench"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:  # one revision a file, written once
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}

"""The dependency rule, read from the source: webui -> workflows -> engine -> models, nothing
upward, and no import cycle between modules — counting the imports written inside functions,
which Python only follows when they run (a cycle kept alive that way hides until it bites)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("models", "engine", "workflows", "webui")  # each may import only those before it


def _modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:  # alembic scripts import nothing of ours at run time
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The project modules an import statement loads (the nearest one that exists)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            parts = module.split(".")
            if MODULES[module].name != "__init__.py":
                parts = parts[:-1]
            parts = parts[:len(parts) - node.level + 1]
            base = ".".join(parts + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                 for alias in node.names]
    found = []
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.append(name)
    return found


def _graph() -> dict[str, dict[str, int]]:
    """module -> {imported module: line of the first such import}."""
    graph: dict[str, dict[str, int]] = {}
    for module, path in MODULES.items():
        edges = graph.setdefault(module, {})
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(module, node):
                    edges.setdefault(target, node.lineno)
    return graph


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
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
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_is_read_from_every_module():
    graph = _graph()
    assert {"models.db", "engine.runtime", "workflows.tasks", "webui.inbox"} <= set(graph)
    # imports inside functions count: the CLI loads the demo province lazily
    assert "workflows.demo" in graph["webui.cli.data"]


def test_no_module_imports_a_layer_above_its_own():
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = [f"{module} imports {target} (line {line})"
              for module, edges in _graph().items() for target, line in edges.items()
              if rank[target.split(".")[0]] > rank[module.split(".")[0]]]
    assert upward == []


def test_no_import_cycle_even_through_imports_inside_functions():
    graph = _graph()
    described = ["; ".join(f"{m} -> {n} (line {graph[m][n]})"
                           for m in cycle for n in cycle if n in graph[m])
                 for cycle in _cycles(graph)]
    assert described == []


@pytest.mark.parametrize("graph, cycle", [
    ({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}, [["a", "b", "c"]]),
    ({"a": {"b": 1}, "b": {}, "c": {"c": 1}}, []),
])
def test_the_cycle_finder_finds_cycles(graph, cycle):
    assert _cycles(graph) == cycle

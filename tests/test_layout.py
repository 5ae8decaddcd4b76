"""The layout shows the architecture, and these rules keep it so (read from the source, every
import counted, those inside functions too):

- no import circle, between modules or between the packages under ``runway_desktop``;
- the core imports neither front end (``ui``, ``cli``) nor the Airflow provider;
- every module in ``ui/`` imports Qt (one that needs none belongs in the core), and outside
  ``ui/`` only the bootstrap (``app.py``, ``__main__.py``) does;
- one composition root: the HTTP client's token provider, the Runway client and the History
  store are built in ``core/session.py`` alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "runway_desktop"
QT = frozenset({"PySide6", "shiboken6", "qasync"})
BOOTSTRAP = frozenset({"runway_desktop.app", "runway_desktop.__main__"})
FRONT_ENDS = ("runway_desktop.ui", "runway_desktop.cli", "runway_desktop.airflow")
ROOT_PARTS = {"RunwayClient", "TokenProvider", "HistoryStore"}
COMPOSITION_ROOT = "runway_desktop.core.session"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"))


def imported(name: str) -> set[str]:
    """Every name ``name`` imports: modules, and ``module.attribute`` for ``from`` imports."""
    path = modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return found


def own_imports(name: str) -> set[str]:
    """The modules of this project that ``name`` imports (a package's attribute: the package)."""
    return {target for target in imported(name) if target in modules() and target != name}


def imports_qt(name: str) -> bool:
    return any(target.split(".")[0] in QT for target in imported(name))


def package_of(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else name


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected parts of more than one node (Tarjan), each a circle or several."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while (top := stack.pop()) != node:
                part.append(top)
            if part:
                found.append(sorted([node, *part]))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_between_modules() -> None:
    graph = {name: own_imports(name) for name in modules()}
    assert circles(graph) == []


def test_no_import_circle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for name in modules():
        if modules()[name].name == "__init__.py" and name.count(".") < 2:
            continue  # the package itself (its version, its name) is not a layer
        for target in own_imports(name):
            if modules()[target].name == "__init__.py" and target.count(".") < 2:
                continue
            if package_of(target) != package_of(name):
                graph.setdefault(package_of(name), set()).add(package_of(target))
    assert circles(graph) == []


def test_the_core_imports_no_front_end() -> None:
    wrong = {
        name: sorted(t for t in own_imports(name) if t.startswith(FRONT_ENDS))
        for name in modules()
        if name.startswith("runway_desktop.core")
    }
    assert {name: targets for name, targets in wrong.items() if targets} == {}


def test_every_ui_module_imports_qt_and_nothing_else_does_but_the_bootstrap() -> None:
    ui = [n for n in modules() if n.startswith("runway_desktop.ui.")]
    qt_free_in_ui = [n for n in ui if modules()[n].name != "__init__.py" and not imports_qt(n)]
    assert qt_free_in_ui == []
    outside = [n for n in modules() if not n.startswith("runway_desktop.ui") and imports_qt(n)]
    assert sorted(outside) == sorted(BOOTSTRAP & set(outside))


def calls_of(name: str) -> Iterator[str]:
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                yield func.id
            elif isinstance(func, ast.Attribute):
                yield func.attr


def test_one_composition_root() -> None:
    builders = {
        name: sorted(ROOT_PARTS & set(calls_of(name)))
        for name in modules()
        if not name.startswith(("runway_desktop.sandbox", "runway_desktop.api"))
    }
    assert {name: parts for name, parts in builders.items() if parts} == {
        COMPOSITION_ROOT: sorted(ROOT_PARTS)
    }


@pytest.mark.parametrize(
    "graph, expected",
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_the_circle_finder_finds_circles(
    graph: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert circles(graph) == expected

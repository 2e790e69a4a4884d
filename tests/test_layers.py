"""Layers import only downwards, and no module imports itself round a circle (ARCHITECTURE.md).

Every import statement of every module outside tests/ is read with `ast` (imports inside
functions and under `TYPE_CHECKING` count too: a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# From the ground up. A package may import the packages of lower layers, never one of its own
# layer or above. Siblings (`core` | `bot_plugins`, `actions` | `backoffice`, `bench` | `scripts`)
# do not import each other.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"zhtext"}),
    # bot_plugins is loaded by Rasa in its own environment (.venv-rasa): it stays dependency-free.
    frozenset({"core", "bot_plugins"}),
    frozenset({"knowledge"}),
    frozenset({"actions", "backoffice"}),
    frozenset({"connectors"}),
    frozenset({"web"}),
    # testkit starts the whole stack and drives it; bench and scripts are tools over everything.
    frozenset({"testkit"}),
    frozenset({"bench", "scripts"}),
)
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}


@dataclass(frozen=True)
class Import:
    """One import statement: the importing module, its line and the module it names."""

    module: str
    line: int
    target: str


def module_name(path: Path) -> str:
    """`backoffice/records/handoff/desk.py` -> `backoffice.records.handoff.desk`."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> Iterator[Path]:
    """Every Python file of the packages in `LAYERS`."""
    for package in sorted(RANK):
        yield from sorted((ROOT / package).rglob("*.py"))


def _absolute(module: str, node: ast.ImportFrom, *, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    keep = len(base) - node.level + (1 if is_package else 0)
    return ".".join([*base[:keep], *([node.module] if node.module else [])])


def imports_of(path: Path, known: set[str]) -> Iterator[Import]:
    """Our own modules that `path` imports (`from package import module` names the module)."""
    module = module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node, is_package=path.name == "__init__.py")
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            if name.split(".")[0] in RANK:
                yield Import(module, node.lineno, name)


def all_imports() -> list[Import]:
    files = list(source_files())
    known = {module_name(path) for path in files}
    return [found for path in files for found in imports_of(path, known)]


def upward(imports: list[Import]) -> list[str]:
    """One line per import of a package of the same layer or a higher one."""
    wrong = []
    for found in imports:
        source, target = found.module.split(".")[0], found.target.split(".")[0]
        if source != target and RANK[target] >= RANK[source]:
            wrong.append(f"{found.module}:{found.line} imports {found.target}")
    return wrong


def circles(imports: list[Import]) -> list[list[str]]:
    """The import circles between modules (each as the modules round it), found depth first."""
    graph: dict[str, set[str]] = {}
    for found in imports:
        if found.target != found.module:
            graph.setdefault(found.module, set()).add(found.target)
    found_circles: list[list[str]] = []
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                found_circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found_circles


def test_every_package_is_in_a_layer() -> None:
    packages = {
        path.parent.name for path in ROOT.glob("*/*.py") if not path.parent.name.startswith(".")
    }
    assert packages - {"tests"} <= set(RANK)


def test_layers_import_only_downwards() -> None:
    wrong = sorted(set(upward(all_imports())))
    assert not wrong, "imports that run back up:\n" + "\n".join(wrong)


def test_no_import_circles() -> None:
    found = circles(all_imports())
    assert not found, "import circles:\n" + "\n".join(" -> ".join(c) for c in found)


@pytest.mark.parametrize(
    ("module", "target", "is_upward"),
    [
        ("backoffice.x", "connectors.y", True),
        ("actions.x", "backoffice.y", True),
        ("core.x", "core.y", False),
        ("web.x", "zhtext.y", False),
    ],
)
def test_upward_sees_each_direction(module: str, target: str, is_upward: bool) -> None:
    assert bool(upward([Import(module, 1, target)])) is is_upward


def test_circles_sees_a_circle_of_three() -> None:
    imports = [Import("a.x", 1, "a.y"), Import("a.y", 1, "a.z"), Import("a.z", 1, "a.x")]
    assert circles(imports) == [["a.x", "a.y", "a.z", "a.x"]]

"""Import layers: every import of every module of the package (top level, inside functions, under TYPE_CHECKING)
goes down the pipeline ``ingest → kb.index → kb.retrieval → kb.answer → app / eval``; ``eval`` never imports ``app``;
nothing in the package imports the benchmarks or the tests; the layers form no cycle.

The layers and what each may import are those of docs/architecture.md; this test reads the source with ``ast`` and
runs none of it.
"""
from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Layer of a module, and the layers it may import (its own layer always allowed).
BASE = "base"  # policykb (version), policykb.settings, policykb.errors, policykb.kinds: leaves anyone may import
ALLOWED: dict[str, set[str]] = {
    BASE: set(),
    "ingest": {BASE},
    "kb.shared": {BASE, "ingest"},  # kb/model.py, kb/config.py, kb/errors.py: leaves every kb layer may import
    "kb.index": {BASE, "ingest", "kb.shared"},
    "kb.retrieval": {BASE, "ingest", "kb.shared", "kb.index"},
    "kb.answer": {BASE, "ingest", "kb.shared", "kb.index", "kb.retrieval"},
    "kb": {BASE, "ingest", "kb.shared", "kb.index", "kb.retrieval", "kb.answer"},  # knowledge_base.py, __init__, llamaindex.py
    "eval": {BASE, "ingest", "kb.shared", "kb.index", "kb.retrieval", "kb.answer", "kb"},
    "app": {BASE, "ingest", "kb.shared", "kb.index", "kb.retrieval", "kb.answer", "kb", "eval"},
}
KB_SHARED = {"policykb.kb.model", "policykb.kb.config", "policykb.kb.errors"}
OUTSIDE = ("benchmarks", "tests")  # top-level folders of the checkout the package must never import


def package_modules() -> dict[str, Path]:
    """Module name → source file, for every module installed under ``policykb`` (read from pyproject's package-dir)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    modules: dict[str, Path] = {}
    for package in setuptools["packages"]:
        folder = ROOT / setuptools["package-dir"].get(package, package.replace(".", "/"))
        for path in sorted(folder.glob("*.py")):
            modules[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return modules


MODULES = package_modules()


def layer(module: str) -> str | None:
    """The layer of a ``policykb`` module name (None for anything outside the package)."""
    if module in ("policykb", "policykb.settings", "policykb.errors", "policykb.kinds"):
        return BASE
    if module in KB_SHARED or any(module.startswith(m + ".") for m in KB_SHARED):
        return "kb.shared"
    for name in ("kb.index", "kb.retrieval", "kb.answer", "kb", "ingest", "app", "eval"):
        prefix = f"policykb.{name}"
        if module == prefix or module.startswith(prefix + "."):
            return name
    return None


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module (or package) imported
    line: int


def _is_package(module: str) -> bool:
    return MODULES.get(module, Path()).name == "__init__.py"


def imports_of(module: str, path: Path) -> list[Import]:
    """Every import in the file, wherever it stands; ``from X import name`` counts as X.name when that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if _is_package(module) else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(module, alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.append(Import(module, sub if sub in MODULES else source, node.lineno))
    return found


ALL_IMPORTS = [imp for name, path in MODULES.items() for imp in imports_of(name, path)]


def where(imp: Import) -> str:
    return f"{MODULES[imp.module].relative_to(ROOT)}:{imp.line} imports {imp.target}"


def test_the_package_is_found_with_every_layer() -> None:
    layers = {layer(m) for m in MODULES}
    assert None not in layers, [m for m in MODULES if layer(m) is None]
    assert {"ingest", "kb.index", "kb.retrieval", "kb.answer", "kb", "app", "eval", BASE} <= layers
    assert len(ALL_IMPORTS) > 100


def test_imports_go_down_the_pipeline() -> None:
    wrong = []
    for imp in ALL_IMPORTS:
        source, target = layer(imp.module), layer(imp.target)
        if target is None or target == source:
            continue
        if target not in ALLOWED[source]:
            wrong.append(f"{where(imp)} ({source} may import {sorted(ALLOWED[source])})")
    assert wrong == [], "\n".join(wrong)


def test_eval_never_imports_app() -> None:
    wrong = [where(imp) for imp in ALL_IMPORTS if layer(imp.module) == "eval" and layer(imp.target) == "app"]
    assert wrong == [], "\n".join(wrong)


def test_the_package_never_imports_benchmarks_or_tests() -> None:
    wrong = [where(imp) for imp in ALL_IMPORTS if imp.target.split(".")[0] in OUTSIDE + ("conftest",)]
    assert wrong == [], "\n".join(wrong)


def test_no_cycle_between_layers() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in ALL_IMPORTS:
        source, target = layer(imp.module), layer(imp.target)
        if target is not None and target != source:
            graph[source].add(target)
    cycle = _find_cycle(graph)
    assert cycle is None, " → ".join(cycle or [])


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path (first node repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


@pytest.mark.parametrize(("graph", "cycle"), [
    ({"a": {"b"}, "b": {"c"}}, None),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
])
def test_the_cycle_finder_finds_cycles(graph: dict[str, set[str]], cycle: list[str] | None) -> None:
    assert _find_cycle(graph) == cycle


def test_relative_and_nested_imports_are_read(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("from .model import Clause\n\ndef f():\n    from policykb.app.server import serve\n", encoding="utf-8")
    found = imports_of("policykb.ingest.mod", source)
    assert [(i.target, i.line) for i in found] == [("policykb.ingest.model", 1), ("policykb.app.server", 4)]

"""The layout is the pipeline: modules import down it, never back up, so no two modules import
each other, even lazily (imports inside functions count); and no module or function grows past
what one concept should need."""

import ast
from pathlib import Path

from conftest import ROOT

SRC = ROOT / "src" / "forcecheck"


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("forcecheck"):
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("forcecheck")]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name and t != "forcecheck"}
    return graph


def test_no_module_imports_one_that_imports_it_back():
    graph = _imports()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append(trail[trail.index(n):] + [m, n] if n in trail else [m, n])
            elif n not in state:
                visit(n, trail + [m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])
    assert cycles == []


def test_no_module_over_600_lines_and_no_function_over_80():
    big = [p.name for p in SRC.rglob("*.py") if len(p.read_text(encoding="utf-8").splitlines()) > 600]
    long = []
    for p in SRC.rglob("*.py"):
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([d.lineno for d in n.decorator_list] + [n.lineno])
                if n.end_lineno - start + 1 > 80:
                    long.append(f"{p.relative_to(SRC)}:{n.name}")
    assert big == [] and long == []

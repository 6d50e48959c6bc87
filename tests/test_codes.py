"""One table of diagnostic codes, one meaning each: every code the source raises is
explained by `forcecheck explain`, and the table holds no code the source never raises."""

import re

from forcecheck.codes import CODES

from conftest import ROOT


def _used() -> set[str]:
    found = set()
    for path in (ROOT / "src" / "forcecheck").rglob("*.py"):
        found |= set(re.findall(r'"([A-Z]\d{3})"', path.read_text(encoding="utf-8")))
    return found


def test_every_code_raised_is_explained_and_every_explained_code_is_raised():
    used = _used()
    table = set(CODES)
    assert used - table == set(), "codes raised but not explained in codes.py"
    assert table - used == set(), "codes explained but never raised"


def test_explain(cli):
    run = cli("explain", "s015")
    assert run.code == 0 and run.out.startswith("S015: unknown fact") and "by meaning" in run.out
    assert "S029  unknown clause" in cli("explain").out
    run = cli("explain", "S0155")
    assert run.code == 2 and "did you mean 'S015'?" in run.err


def test_every_scenario_error_has_its_own_hint():
    """An author of a scenario is told what to do at the place of each error: every error a
    scenario or its YAML can get is raised with a hint (other codes fall back to `explain`)."""
    import ast

    missing = []
    for path in sorted((ROOT / "src" / "forcecheck" / "scenario").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called not in ("error", "Diagnostic") or len(node.args) < 3:
                continue
            code = node.args[1]
            if isinstance(code, ast.Constant) and str(code.value)[:1] in "SY" and \
                    len(node.args) < 4 and not any(k.arg == "hint" for k in node.keywords):
                missing.append(f"{path.name}:{node.lineno} {code.value}")
    assert missing == []


def test_a_diagnostic_without_its_own_hint_points_to_explain():
    from forcecheck.diagnostics import Diagnostic, render

    assert "= hint: `forcecheck explain T001` says what it means" in render(Diagnostic(None, "T001", "x"))

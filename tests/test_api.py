"""The library's front door (`forcecheck.api`, re-exported from `forcecheck`): what a notebook
user calls, and docs/api.md's example run as written."""

import contextlib
import io
import re
import sys

import pytest

import forcecheck

from conftest import ROOT, SCENARIOS

MINNEAPOLIS = SCENARIOS / "real" / "minneapolis-2026-01-07.yaml"


def test_the_docs_example_runs_as_written(monkeypatch):
    """Every ```python block after "An example" runs in order, in one namespace, from the top of
    the checkout; a ```text block after it is exactly what it printed."""
    pytest.importorskip("pandas")
    monkeypatch.chdir(ROOT)
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8").split("## An example", 1)[1]
    blocks = re.findall(r"```(python|text)\n(.*?)```", page, re.S)
    namespace: dict = {}
    printed = None
    ran = 0
    for kind, body in blocks:
        if kind == "python":
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(body, "docs/api.md", "exec"), namespace)
            printed, ran = out.getvalue(), ran + 1
        else:
            assert printed is not None, "a text block with no python block before it"
            assert printed == body, body
            printed = None
    assert ran >= 4


def test_check_takes_a_path_and_gives_records_per_clause_and_account():
    result = forcecheck.check(str(MINNEAPOLIS))
    records = result.to_records()
    assert {tuple(r) for r in records} == {("clause", "account", "verdict", "possible", "contested")}
    clauses = [c.id for c in forcecheck.load_policy("dhs").policy.clauses]
    assert [r["clause"] for r in records[::2]] == clauses
    assert {r["account"] for r in records} == {"dhs", "video"}
    row = next(r for r in records if (r["clause"], r["account"]) == ("deadly-force-imminent-threat", "video"))
    assert row == {"clause": "deadly-force-imminent-threat", "account": "video", "verdict": "breached",
                   "possible": ["breached"], "contested": True}
    assert result.breached and result.exit_code == 1


def test_verdicts_are_per_item_and_agree_with_the_records():
    result = forcecheck.check(MINNEAPOLIS)
    by_clause = {(r["clause"], r["account"]): r for r in result.to_records()}
    for v in result.verdicts:
        record = by_clause[(v.clause, v.account)]
        assert v.contested == record["contested"]
        assert set(v.possible) <= set(record["possible"]) | {"not_applicable"}
    assert any(v.item == "shots" for v in result.verdicts)


def test_a_scenario_can_be_given_as_text_and_narrowed():
    text = MINNEAPOLIS.read_text(encoding="utf-8")
    result = forcecheck.check(text, accounts=["video"], clauses=["deadly-force-imminent-threat"])
    assert result.to_records() == [{"clause": "deadly-force-imminent-threat", "account": "video",
                                     "verdict": "breached", "possible": ["breached"], "contested": False}]


def test_depth_verdicts_gives_the_same_verdicts_without_traces():
    full = forcecheck.check(MINNEAPOLIS)
    quick = forcecheck.check(MINNEAPOLIS, depth="verdicts")
    assert quick.to_records() == full.to_records()
    with pytest.raises(ValueError, match="full"):
        quick.render("text")


def test_the_library_renders_what_the_command_line_prints(cli):
    result = forcecheck.check(MINNEAPOLIS)
    for fmt in ("text", "markdown", "json", "html"):
        # JSON into a pipe is one compact line; the library indents unless told (indent=None)
        options = {"indent": None} if fmt == "json" else {}
        assert result.render(fmt, **options) == cli("check", str(MINNEAPOLIS), "--format", fmt).out, fmt
    assert result.render("text", questions=True) == cli("check", str(MINNEAPOLIS), "--questions").out


def test_bad_input_raises_one_exception_with_the_cli_diagnostics(tmp_path, cli):
    with pytest.raises(forcecheck.InputError) as caught:
        forcecheck.check(MINNEAPOLIS, clauses=["deadly-force-imminent"])
    assert caught.value.diagnostics[0].code == "U001"
    assert "did you mean 'deadly-force-imminent-threat'?" in caught.value.render()
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(forcecheck.InputError) as caught:
        forcecheck.check(bad)
    assert caught.value.render() == cli("check", str(bad)).err.rstrip("\n")
    with pytest.raises(forcecheck.InputError, match="no policy 'dhz'"):
        forcecheck.load_policy("dhz")


def test_to_dataframe_says_what_to_install_without_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    with pytest.raises(ImportError, match=r"forcecheck\[pandas\]"):
        forcecheck.check(MINNEAPOLIS, depth="verdicts").to_dataframe()


def test_importing_forcecheck_stays_cheap():
    """`import forcecheck` (which every command does) loads none of the stages, not even the
    front door's module until one of its names is used: only its version."""
    import subprocess

    code = ("import sys, forcecheck; print(sorted(m for m in sys.modules if m.startswith(('forcecheck.', "
            "'pydantic', 'lark', 'yaml')))); print(forcecheck.check is forcecheck.api.check)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["['forcecheck.version']", "True"]

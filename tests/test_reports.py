"""Markdown and HTML reports: every shipped scenario renders in both, with what a reader
needs; a dozen chosen reports are golden cases in tests/cases/report-*/ (refresh with
`pytest --update-golden` and review the diff); and hostile scenario text must reach no
rendering as markup, script, link or terminal control sequence.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

import forcecheck

from conftest import ROOT, SCENARIOS

ALL = sorted(SCENARIOS.rglob("*.yaml"))
GOLDEN = sorted(p.name for p in (ROOT / "tests" / "cases").glob("report-*"))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_every_scenario_renders_in_markdown_and_html(path):
    """Structure, not bytes: the golden cases hold a dozen reports byte for byte; for every
    other scenario the reports must carry the title, the accounts, the table and each
    clause that applies, so a new scenario needs no golden file of its own."""
    result = forcecheck.check(path)
    title = result.evaluation.scenario.model.title
    md = result.render("markdown")
    assert md.startswith("# ") and md.count("\n## ") >= 3
    for account in result.evaluation.scenario.accounts:
        assert account.id in md or account.name.split()[0] in md
    page = result.render("html")
    tags = _Tags()
    tags.feed(page)
    assert page.lower().startswith("<!doctype html>") and "<title>" in page
    assert tags.scripts <= 1  # the one print script, never one from the scenario
    applies = [c.id for c in result.evaluation.clauses if result.evaluation.implicated(c.id)]
    assert all(clause in md and clause in page for clause in applies), path
    assert title.split()[0] in md


def test_a_dozen_reports_are_golden_cases():
    assert len(GOLDEN) >= 12
    assert {"report-minneapolis-2026-01-07-md", "report-northridge-2025-12-31-html"} <= set(GOLDEN)


HOSTILE = r'''
id: hostile
title: "<script>alert('title')</script> [click](https://evil.example) \e[2J\e[31mmet\e[0m"
kind: teaching
summary: "A summary with <img src=x onerror=alert(1)> and \u202Ebidi\u202C and ` backticks `"
sources:
  - id: src
    title: "</a><script>alert('source')</script>"
    publisher: "**bold** | pipe"
    url: "javascript:alert('url')"
people:
  - id: officer
    role: officer
    description: "An officer <b>bold</b>, \e]0;title\a"
  - id: man
    role: subject
    description: "A man"
events:
  - id: strike
    actor: officer
    action: physical_force
    target: man
    description: "He strikes him. <iframe src=https://evil.example></iframe>"
undisputed:
  facts:
    officer.on_duty: yes
accounts:
  - id: report
    name: "Report <svg onload=alert(1)>"
    summary: "\e[1A\e[2Kbreached is met"
    facts:
      strike.force_reasonable:
        value: no
        note: "<script>alert('note')</script> \x1b[32mmet\x1b[0m"
  - id: witness
    name: Witness
    facts:
      strike.force_reasonable:
        value: yes
        quote: "he \u2066had\u2069 to"
'''


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    return str(path)


def test_hostile_text_is_inert_in_html(cli, hostile):
    run = cli("check", hostile, "--format", "html")
    assert run.code in (0, 1), run.err
    html = run.out
    assert html.count("<script") == 1  # ours: it opens the explanations for printing
    for bad in ("<img", "<iframe", "<svg", "<b>bold", "</a><script", "javascript:", "\x1b", "\u202e",
                "\u2066", "\x07"):
        assert bad not in html, bad
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html
    assert "\\x1b[2J" in html and "\\u202e" in html  # shown, visibly, for what they are


def test_hostile_text_is_inert_in_markdown(cli, hostile):
    out = cli("check", hostile, "--format", "markdown").out
    import re

    for bad in ("<script", "<img", "<iframe", "<svg", "<b>", "(<javascript:", "\x1b", "\u202e"):
        assert bad not in out, bad
    # Links only to the report's own anchors: the scenario's text makes none.
    assert {m[0] for m in re.findall(r"(?<!\\)\]\((.)", out)} == {"#"}
    assert r"\[click\](https://evil.example)" in out
    assert r"\*\*bold\*\* \| pipe" in out


def test_hostile_text_cannot_redraw_the_terminal(cli, hostile):
    for args in ([], ["--explain", "full"], ["--questions"], ["--color", "always"]):
        out = cli("check", hostile, *args).out
        controls = [c for c in out if ord(c) < 32 and c not in "\n\x1b" or 0x7f <= ord(c) < 0xa0]
        assert controls == [], args
        assert "\u202e" not in out and "\u2066" not in out
        if "--color" not in args:
            assert "\x1b" not in out, args
        else:  # only our own colour codes: SGR sequences, never a cursor move or a title
            import re

            assert re.findall(r"\x1b\[[0-9;]*[A-Za-ln-z]", out) == []
            assert "\x1b]" not in out


def test_hostile_text_is_visible_in_json(cli, hostile):
    doc = json.loads(cli("check", hostile, "--format", "json").out)
    assert "\x1b" not in json.dumps(doc, ensure_ascii=False)
    assert doc["scenarios"][0]["title"].endswith("\\x1b[2J\\x1b[31mmet\\x1b[0m")


def test_markdown_has_what_an_article_draft_needs(cli):
    out = cli("check", str(SCENARIOS / "real" / "minneapolis-2026-01-07.yaml"), "--format", "markdown").out
    assert out.startswith("# Renee Nicole Good shot by an ICE agent")
    assert "## Sources" in out and "(<https://www.startribune.com/" in out
    assert "## Timeline" in out and "## Verdicts" in out and "## Contested clauses" in out
    assert "### The facts that decide them" in out and "## Open questions, most decisive first" in out
    assert "> DHS LEOs may use deadly force only when necessary" in out
    assert "— DHS-2023 §VI.A.1.a, transcription" in out
    assert "*How forcecheck reads it:*" in out
    assert "#### Video and witnesses: breached" in out

"""The formats CI tools read: SARIF 2.1.0 (code scanning), JUnit XML (test tabs) and GitHub
Actions workflow commands (`--format github`: annotations on the changed lines).

`check`, `validate` and `test` each turn what they found into `Findings` (a located message
per problem, and a test case per thing checked); one renderer per format writes any of them.
A check's findings are its binding clauses breached under some account (errors), those that
could be breached (warnings) and guidance not followed (notes), each said under its account,
located at the event the clause bears on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from forcecheck.report.answer import account_title
from forcecheck.version import __version__

if TYPE_CHECKING:
    from forcecheck.diagnostics import Diagnostic
    from forcecheck.report.model import Report, ScenarioReport

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "note": "note"}
GITHUB = {"error": "error", "warning": "warning", "note": "notice"}


@dataclass(frozen=True)
class Finding:
    rule: str  # a clause id, a diagnostic code, or 'expectation'
    level: str  # error | warning | note
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    end_column: int | None = None


@dataclass(frozen=True)
class Case:
    """One JUnit test case: a thing checked, and why it failed (None: it passed)."""

    suite: str
    name: str
    failure: str | None = None
    error: str | None = None
    skipped: str | None = None


@dataclass
class Findings:
    command: str  # 'check', 'validate' or 'test'
    findings: list[Finding] = field(default_factory=list)
    rules: dict[str, str] = field(default_factory=dict)  # id -> one-line title
    cases: list[Case] = field(default_factory=list)


# --- from what each command found --------------------------------------------------------------


def from_report(report: Report) -> Findings:
    out = Findings("check")
    for s in report.scenarios:
        names = {a.id: account_title(a.name) for a in s.accounts}
        lines = _event_lines(s)
        for row in s.table:
            out.rules[row.clause] = row.title
            first = next((e.id for e in s.events if row.clause in e.clauses), None)
            line = lines.get(first or "", 1)
            for cell in row.cells:
                if cell.account not in names:
                    continue  # a hypothetical is not an account: the exit status ignores it too
                under = names[cell.account]
                failure = None
                if row.restates and "breached" in cell.possible:
                    # Its breach is the restated clause's, found (and counted) there.
                    out.findings.append(Finding(row.clause, "note", f"{row.clause} restates "
                                                f"{row.restates}, {cell.words} under {under}", s.file, line))
                elif cell.verdict == "breached" and row.binding:
                    failure = f"{row.clause} is breached under {under}: {row.title}"
                    out.findings.append(Finding(row.clause, "error", failure, s.file, line))
                elif cell.verdict == "breached":
                    out.findings.append(Finding(row.clause, "note", f"{row.clause} ({row.strength}) is "
                                                f"not followed under {under}: {row.title}", s.file, line))
                elif "breached" in cell.possible:
                    out.findings.append(Finding(row.clause, "warning" if row.binding else "note",
                                                f"{row.clause} could be breached under {under} "
                                                f"({cell.words}): {row.title}", s.file, line))
                out.cases.append(Case(f"{s.id} ({s.file})", f"{row.clause} under {under}", failure))
    return out


def _event_lines(s: ScenarioReport) -> dict[str, int]:
    """The line of each event's `- id:` in the scenario file (1 when it cannot be read)."""
    try:
        with open(s.file, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return {}
    out: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"\s*-\s*id:\s*['\"]?([A-Za-z0-9_.-]+)['\"]?\s*(#.*)?$", line)
        if m and m.group(1) not in out:
            out[m.group(1)] = n
    return out


def from_diagnostics(diagnostics: list[Diagnostic], files: list[str]) -> Findings:
    from forcecheck.codes import CODES
    from forcecheck.diagnostics import display_path, hint_of, visible

    out = Findings("validate")
    by_file: dict[str, list[str]] = {}
    for d in diagnostics:
        out.rules[d.code] = CODES.get(d.code, (d.code, ""))[0]
        hint = hint_of(d)
        message = visible(d.message) + (f" (hint: {visible(hint)})" if hint else "")
        path = display_path(d.span.path) if d.span else None
        out.findings.append(Finding(d.code, "error" if d.severity == "error" else "warning", message, path,
                                    d.span.line if d.span else None, d.span.column if d.span else None,
                                    d.span.end_column if d.span else None))
        if d.severity == "error":
            where = f"{d.span.line}:{d.span.column}: " if d.span else ""
            by_file.setdefault(path or "", []).append(f"{where}error[{d.code}]: {message}")
    for f in files:
        name = display_path(f)
        errors = by_file.pop(name, None)
        out.cases.append(Case("forcecheck validate", name, "\n".join(errors) if errors else None))
    for name, errors in by_file.items():  # errors not about one of the files walked (the policy)
        out.cases.append(Case("forcecheck validate", name or "(input)", "\n".join(errors)))
    return out


def from_outcomes(outcomes: list) -> Findings:
    """`forcecheck test`: a case per scenario file; a finding per unmet expectation and per
    load error."""
    from forcecheck.diagnostics import display_path, visible

    out = Findings("test")
    out.rules["expectation"] = "An expectation written in the scenario file is not met"
    per_file: dict = {}
    for o in outcomes:
        per_file[o.path] = per_file.get(o.path, 0) + 1
    for o in outcomes:  # a case per file, or per file and policy when it has expectations for several
        name = display_path(str(o.path)) + (f" [{o.policy}]" if per_file[o.path] > 1 else "")
        for d in o.errors:
            out.rules[d.code] = d.code
            where = display_path(d.span.path) if d.span else name
            out.findings.append(Finding(d.code, "error", visible(d.message), where,
                                        d.span.line if d.span else None, d.span.column if d.span else None))
        for m in o.failures:
            out.findings.append(Finding("expectation", "error", str(m), display_path(str(o.path)),
                                        _expect_line(o.path, m.clause)))
        out.cases.append(Case(
            "forcecheck test", name,
            failure="\n".join(str(m) for m in o.failures) or None if not o.errors else None,
            error="\n".join(visible(d.message) for d in o.errors) or None,
            skipped="no expectations: nothing checked" if o.passed and o.expectations == 0 else None))
    return out


def _expect_line(path, clause: str) -> int | None:
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    start = next((n for n, line in enumerate(lines, 1) if line.startswith("expect:")), None)
    if start is None:
        return None
    return next((n for n, line in enumerate(lines[start:], start + 1)
                 if line.strip().startswith(f"{clause}:")), start)


# --- the formats -------------------------------------------------------------------------------


def render_sarif(doc: Findings) -> str:
    rules = list(dict.fromkeys([*doc.rules, *(f.rule for f in doc.findings)]))
    index = {r: i for i, r in enumerate(rules)}
    results = []
    for f in doc.findings:
        result: dict = {"ruleId": f.rule, "ruleIndex": index[f.rule], "level": LEVELS[f.level],
                        "message": {"text": f.message}}
        if f.path:
            region = {"startLine": f.line or 1}
            if f.column:
                region["startColumn"] = f.column
            if f.end_column and f.column and f.end_column > f.column:
                region["endColumn"] = f.end_column
            result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(f.path)},
                                                         "region": region}}]
        results.append(result)
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "forcecheck", "version": __version__,
                            "rules": [{"id": r, "shortDescription": {"text": doc.rules.get(r) or r}}
                                      for r in rules]}},
        "automationDetails": {"id": f"forcecheck/{doc.command}/"},
        "results": results}]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _uri(path: str) -> str:
    """A relative path as a URI reference: '/' separators, spaces and '%' escaped."""
    from urllib.parse import quote

    return quote(path.replace("\\", "/"), safe="/._-~")


def render_junit(doc: Findings) -> str:
    suites: dict[str, list[Case]] = {}
    for c in doc.cases:
        suites.setdefault(c.suite, []).append(c)
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    total = len(doc.cases)
    failures = sum(c.failure is not None for c in doc.cases)
    errors = sum(c.error is not None for c in doc.cases)
    out.append(f'<testsuites name={quoteattr("forcecheck " + doc.command)} tests="{total}" '
               f'failures="{failures}" errors="{errors}">')
    for name, cases in suites.items():
        out.append(f'  <testsuite name={quoteattr(name)} tests="{len(cases)}" '
                   f'failures="{sum(c.failure is not None for c in cases)}" '
                   f'errors="{sum(c.error is not None for c in cases)}" '
                   f'skipped="{sum(c.skipped is not None for c in cases)}">')
        for c in cases:
            inner = ""
            if c.failure is not None:
                first = quoteattr(c.failure.splitlines()[0])
                inner += f"<failure message={first}>{escape(c.failure)}</failure>"
            if c.error is not None:
                inner += f"<error message={quoteattr(c.error.splitlines()[0])}>{escape(c.error)}</error>"
            if c.skipped is not None:
                inner += f"<skipped message={quoteattr(c.skipped)}/>"
            tag = f'<testcase classname={quoteattr(name)} name={quoteattr(c.name)}'
            out.append(f"    {tag}>{inner}</testcase>" if inner else f"    {tag}/>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def render_github(doc: Findings) -> str:
    """GitHub Actions workflow commands: '::error file=F,line=L,col=C,title=T::message'."""
    lines = []
    for f in doc.findings:
        props = []
        if f.path:
            props.append(f"file={_prop(f.path)}")
            if f.line:
                props.append(f"line={f.line}")
            if f.column:
                props.append(f"col={f.column}")
            if f.end_column and f.column and f.end_column > f.column:
                props.append(f"endColumn={f.end_column}")
        props.append(f"title={_prop(f'forcecheck {f.rule}')}")
        lines.append(f"::{GITHUB[f.level]} {','.join(props)}::{_data(f.message)}")
    return "".join(line + "\n" for line in lines)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


# Renderers for the check report (the registry's ('check', FORMAT) entries).

def check_sarif(report: Report) -> str:
    return render_sarif(from_report(report))


def check_junit(report: Report) -> str:
    return render_junit(from_report(report))


def check_github(report: Report) -> str:
    return render_github(from_report(report))

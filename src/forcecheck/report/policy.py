"""`forcecheck clauses` and `forcecheck show`: the policy itself, at 80 columns."""

from __future__ import annotations

import textwrap

from forcecheck.diagnostics import visible
from forcecheck.model import Clause, Policy
from forcecheck.report import wording as w
from forcecheck.report.model import rule_text

WIDTH = 80


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, text: str = "", indent: int = 0, hang: int = 0) -> None:
        if not text:
            self.lines.append("")
            return
        wrapped = textwrap.wrap(visible(text), WIDTH - indent, subsequent_indent=" " * hang,
                                break_long_words=False, break_on_hyphens=False) or [""]
        self.lines.extend(" " * indent + line for line in wrapped)

    def wording(self, clause: Clause, indent: int) -> None:
        for q in clause.quotes:
            self.add()
            self.add(f'"{q.text}"', indent=indent, hang=1)
            self.add(f"-- {w.citation(q)}", indent=indent + 2, hang=3)
            if w.caveat(q):
                self.add(w.caveat(q) or "", indent=indent + 2, hang=3)
        if clause.reading:
            self.add()
            self.add(f"How forcecheck reads it: {clause.reading}", indent=indent, hang=4)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def render_clauses(policy: Policy) -> str:
    """Each clause with strength, title and citations."""
    out = _Lines()
    out.add(f"{policy.id}: {policy.title} ({policy.document}, {policy.version})", hang=2)
    for c in policy.clauses:
        out.add()
        out.add(f"{c.id} [{c.strength}]")
        out.add(c.title, indent=2, hang=2)
        out.add("; ".join(w.citation(q) for q in c.quotes), indent=4, hang=2)
    out.add()
    out.add("Documents:")
    for d in policy.documents.values():
        out.add(f"{d.id}: {d.title}", indent=2, hang=4)
    return out.text()


def render_clause(c: Clause) -> str:
    """Quotes, citations, provenance, reading and the rule."""
    out = _Lines()
    out.add(f"{c.id} [{c.strength}]: {c.title}", hang=2)
    out.wording(c, indent=2)
    out.add()
    for part in rule_text(c).split("\n"):
        out.add(part, indent=2, hang=4)
    out.add(f"defined at {c.span}", indent=2)
    return out.text()

"""`forcecheck clauses` and `forcecheck show`: the policy itself, at 80 columns."""

from __future__ import annotations

import textwrap

from forcecheck.diagnostics import visible
from forcecheck.policy.model import Clause, Policy, rule_text
from forcecheck.policy.model import fact_readers as readers
from forcecheck.report import wording as w

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


_SUBJECTS = {"incident": "the incident (write: FACT)", "event": "each event (write: EVENT.FACT)",
             "person": "each person (write: PERSON.FACT)"}


def render_vocabulary(policy: Policy) -> str:
    """`forcecheck vocabulary`: what a scenario can say under this policy, and what reads it."""
    out = _Lines()
    out.add(f"What a scenario can state under {policy.id} ({policy.title})", hang=2)
    out.add()
    out.add("Roles (people: role):")
    for k, v in policy.roles.items():
        out.add(f"{k}: {v}", indent=2, hang=4)
    out.add()
    out.add("Actions (events: action):")
    for k, v in policy.actions.items():
        out.add(f"{k}: {v}", indent=2, hang=4)
    read_by = readers(policy)
    subjects = list(dict.fromkeys(f.subject for f in policy.facts.values()))
    for subject in subjects:
        out.add()
        out.add(f"Facts about {_SUBJECTS.get(subject, f'each {subject} (write: PERSON.FACT)')}:")
        for f in (f for f in policy.facts.values() if f.subject == subject):
            kind = {"yes_no": "yes or no", "number": "a number", "text": "text"}.get(
                f.kind, " | ".join(f.values))
            out.add(f"{f.name} ({kind})", indent=2, hang=4)
            out.add(f.question, indent=4, hang=2)
            clauses = read_by.get(f.key, [])
            out.add("read by: " + (", ".join(clauses) if clauses else "no clause (a constraint or "
                                   "definition only)"), indent=4, hang=4)
    if policy.unsettled:
        out.add()
        out.add("Open questions of the policy (no scenario states them; try --assume NAME=yes):")
        for u in policy.unsettled.values():
            out.add(f"{u.name}: {u.question}", indent=2, hang=4)
    return out.text()


def render_name(policy: Policy, name: str) -> str | None:
    """`forcecheck show NAME` for what is not a clause: a definition, fact, action or role."""
    out = _Lines()
    if name in policy.definitions:
        d = policy.definitions[name]
        params = ", ".join(f"{p}: {t}" for p, t in d.params)
        out.add(f"definition {d.name}({params}): {d.title}", hang=2)
        if d.reading:
            out.add()
            out.add(f"How forcecheck reads it: {d.reading}", indent=2, hang=4)
        out.add()
        out.add(f"means {' '.join(d.body.source.split())}", indent=2, hang=4)
        for x in d.exceptions:
            out.add(f"except {' '.join(x.condition.source.split())}", indent=2, hang=4)
            out.add(f'"{x.quote.text}" -- {w.citation(x.quote)}', indent=4, hang=1)
        out.add(f"defined at {d.span}", indent=2)
        return out.text()
    fact_name = name.rpartition(".")[2]
    facts = [f for f in policy.facts.values() if f.name == fact_name]
    if facts:
        read_by = readers(policy)
        for f in facts:
            kind = {"yes_no": "yes or no", "number": "a number", "text": "text"}.get(
                f.kind, " | ".join(f.values))
            out.add(f"fact {f.key} ({kind})", hang=2)
            out.add(f.question, indent=2, hang=2)
            out.add("read by: " + (", ".join(read_by.get(f.key, [])) or "no clause"), indent=2, hang=4)
            out.add(f"declared at {f.span}", indent=2)
        return out.text()
    if name in policy.actions:
        out.add(f"action {name}: {policy.actions[name]}", hang=2)
        return out.text()
    if name in policy.roles:
        out.add(f"role {name}: {policy.roles[name]}", hang=2)
        return out.text()
    if name in policy.unsettled:
        spec = policy.unsettled[name]
        out.add(f"open question {name}: {spec.question}", hang=2)
        if spec.verbatim is not None:
            text = "yes" if spec.verbatim else "no"
            out.add(f"The policy's text as found answers {text}; `check --settle {name}={text}` reads every "
                    f"account so.", hang=2)
        return out.text()
    return None


def render_policies(shipped: list[tuple[str, Policy]]) -> str:
    """`forcecheck policies`: each shipped policy's name, document, version and sources, and
    how many of its quotes carry each provenance label."""
    out = []
    for name, p in shipped:
        labels: dict[str, int] = {}
        for c in p.clauses:
            for q in c.quotes:
                labels[q.provenance] = labels.get(q.provenance, 0) + 1
        shown = ", ".join(f"{n} {label}" for label, n in sorted(labels.items()))
        many = "s" if len(p.clauses) != 1 else ""
        out += [f"{name}: {p.title}", f"  id {p.id}; {len(p.clauses)} clause{many}; quotes: {shown}",
                f"  document: {p.document}", f"  version: {p.version}"]
        out += [f"  source {d.id}: {d.title}" for d in p.documents.values()]
        out.append("")
    out.append("Check a scenario under several: forcecheck check SCENARIO --policy dhs --policy doj "
               "--policy cfr-287-8")
    return "\n".join(textwrap.fill(line, 100, subsequent_indent="    ") if line else line
                     for line in out) + "\n"

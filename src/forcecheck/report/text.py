"""The terminal report: a summary table, then every implicated clause with its trace.

Plain text that reads at 80 columns with or without colour; colour only marks verdicts.
"""

from __future__ import annotations

import textwrap

from forcecheck.analysis import MAX_SETTLE_SIZE, Unknown
from forcecheck.evaluate import (
    ClauseVerdict,
    ItemVerdict,
    ScenarioResult,
    Step,
    definition_readings,
    prune,
)
from forcecheck.report import wording as w

WIDTH = 80
_COLOURS = {"met": "32", "breached": "31;1", "undetermined": "33", "not_applicable": "2"}


class TextReport:
    def __init__(self, colour: bool = False, explain: str = "short"):
        self.colour = colour
        self.explain = explain
        self.lines: list[str] = []

    def paint(self, text: str, verdict: str) -> str:
        if not self.colour:
            return text
        return f"\x1b[{_COLOURS.get(verdict, '0')}m{text}\x1b[0m"

    def add(self, text: str = "", indent: int = 0, hang: int = 0) -> None:
        if not text:
            self.lines.append("")
            return
        wrapped = textwrap.wrap(text, WIDTH - indent, subsequent_indent=" " * hang,
                                break_long_words=False, break_on_hyphens=False) or [""]
        self.lines.extend(" " * indent + line for line in wrapped)

    def render(self, results: list[ScenarioResult]) -> str:
        for i, r in enumerate(results):
            if i:
                self.lines += ["", "=" * WIDTH, ""]
            self.scenario(r)
        self.add()
        self.add(w.DISCLAIMER)
        return "\n".join(self.lines) + "\n"

    def scenario(self, r: ScenarioResult) -> None:
        sc = r.scenario.model
        self.add(f"{sc.title}", hang=2)
        meta = ", ".join(x for x in (sc.date, sc.time, sc.place) if x)
        self.add(f"scenario {sc.id} ({sc.kind}){': ' + meta if meta else ''}", hang=2)
        self.add(f"policy {r.policy.id}: {r.policy.title}, {r.policy.document}", hang=2)
        self.add()
        self.add("Accounts:")
        for a in r.accounts:
            self.add(f"{a.account.id}: {a.account.name}", indent=2, hang=4)
        if r.hypothetical:
            self.hypothesis(r)
        self.add()
        self.summary(r)
        implicated = [c for c in r.clauses if r.implicated(c.id)]
        if not implicated:
            self.add()
            self.add("No clause applies under any account.")
        for clause in implicated:
            self.add()
            self.add("-" * WIDTH)
            self.clause(r, clause.id)
        self.questions(r)

    def hypothesis(self, r: ScenarioResult) -> None:
        h = r.hypothetical
        names = {a.account.id: a.account.name for a in r.accounts}
        start = f"the {names.get(h.base, h.base)} account" if h.base else "the undisputed facts only"
        self.add()
        self.add(f"Hypothetical (not an account): {start}, with these assumptions:", hang=2)
        for c in h.changes:
            self.add(f"- {w.subject_question(c.subject, c.question)}", indent=2, hang=2)
            if c.subject == "policy":
                was = "the policy text leaves it open"
            elif c.before is None:
                was = "no account states it" if h.base else "the undisputed facts do not state it"
            else:
                was = f"{start} gives {w.value_word(c.before)}"
            self.add(f"assumed {w.value_word(c.after)}; {was}", indent=4, hang=2)

    def summary(self, r: ScenarioResult) -> None:
        ids = [a.account.id for a in r.accounts] + (["hypothetical"] if r.hypothetical else [])
        name_w = max([len("clause")] + [len(c.id) for c in r.clauses]) + 2
        columns = [*r.accounts, *([r.hypothetical.result] if r.hypothetical else [])]
        cells = {(a.account.id, c.id): w.possible_cell(a.clause(c.id).possible, c)
                 for a in columns for c in r.clauses}
        col_w = max([16] + [len(i) + 2 for i in ids] + [len(x) + 2 for x in cells.values()])
        self.lines.append(("clause".ljust(name_w) + "".join(i.ljust(col_w) for i in ids)).rstrip())
        any_contested = False
        any_changed = False
        any_open = False
        for clause in r.clauses:
            row = clause.id.ljust(name_w)
            for a in columns:
                v = a.clause(clause.id).verdict
                any_open = any_open or v == "undetermined"
                row += self.paint(cells[(a.account.id, clause.id)].ljust(col_w), v)
            if r.contested(clause.id):
                row = row.rstrip() + "  *"
                any_contested = True
            if r.hypothetical and _changed(r, clause.id):
                row = row.rstrip() + "  ~"
                any_changed = True
            self.lines.append(row.rstrip())
        if any_open:
            self.add("? undetermined: the verdicts still possible over every completion of the "
                     "unknown facts and open policy questions (n/a: not applicable).")
        if any_contested:
            self.add("* contested: the accounts lead to different possible verdicts.")
        if any_changed:
            self.add("~ the hypothetical's verdict differs from the one it starts from.")

    def clause(self, r: ScenarioResult, clause_id: str) -> None:
        clause = next(c for c in r.clauses if c.id == clause_id)
        strength = {"must": "must", "must not": "must not", "should": "should: guidance"}[clause.strength]
        head = f"{clause.id} [{strength}]" + ("  * contested" if r.contested(clause_id) else "")
        self.add(head)
        self.add(clause.title, indent=2, hang=2)
        self.wording(clause, quote_indent=4)
        for d in definition_readings(r, clause_id):
            self.add()
            self.add(f"How forcecheck reads \"{d.title}\": {d.reading}", indent=2, hang=4)
        self.disputes(r, clause_id)
        for a in r.accounts:
            cv = a.clause(clause_id)
            self.add()
            verdict = self.paint(w.possible_words(cv.possible, clause), cv.verdict)
            self.add(f"Under the {a.account.name} account ({a.account.id}): {verdict}", indent=2, hang=4)
            self.items(r, cv)
        if r.hypothetical:
            cv = r.hypothetical.result.clause(clause_id)
            self.add()
            verdict = self.paint(w.possible_words(cv.possible, clause), cv.verdict)
            self.add(f"Under the {r.hypothetical.result.account.name}: {verdict}", indent=2, hang=4)
            self.items(r, cv)

    def wording(self, clause, quote_indent: int) -> None:
        """The clause's quotes with citation and provenance caveat, then how it is read."""
        for q in clause.quotes:
            self.add()
            self.add(f'"{q.text}"', indent=quote_indent, hang=1)
            self.add(f"-- {w.citation(q)}", indent=quote_indent + 2, hang=3)
            if w.caveat(q):
                self.add(w.caveat(q), indent=quote_indent + 2, hang=3)
        if clause.reading:
            self.add()
            self.add(f"How forcecheck reads it: {clause.reading}", indent=2, hang=4)

    def items(self, r: ScenarioResult, cv: ClauseVerdict) -> None:
        if not cv.items:
            self.add("The clause applies to nothing in this account.", indent=4, hang=2)
            return
        for item in cv.items:
            self.item(r, cv, item)

    def item(self, r: ScenarioResult, cv: ClauseVerdict, item: ItemVerdict) -> None:
        on = ", ".join(f"{var} = {i}" for var, i in item.on) or "the incident"
        if len(cv.items) > 1 or item.on:
            words = w.possible_words(item.possible, cv.clause)
            self.add(f"for {on}: {self.paint(words, item.verdict)}", indent=4, hang=4)
        if item.trigger is not None and item.trigger.value is True and self.explain == "short":
            # It applies: say on which facts, not how the trigger is built (--explain full).
            facts = _facts(prune(item.trigger))
            self.add("it applies, resting on:" if facts else "it applies (from the timeline alone)",
                     indent=6)
            for f in facts:
                self._step(r, f, 8)
        elif item.trigger is not None:
            self.add("it applies when:", indent=6)
            self.step(r, item.trigger, 8)
        self.add("it requires:" if cv.clause.requirement_kind == "requires" else "it forbids:", indent=6)
        self.step(r, item.requirement.children[0] if item.requirement.kind == "forbids"
                  else item.requirement, 8)
        if item.cases:
            self.by_cases(item, cv.clause)
        if not item.exact:
            self.add("(a bound of the search cut in: the verdicts shown may include some that no "
                     "completion gives)", indent=6, hang=2)
        if item.verdict == "undetermined":
            self.settlements(item)

    def by_cases(self, item: ItemVerdict, clause) -> None:
        """Why a verdict is settled although the trace shows unknown facts."""
        self.add(f"{w.possible_words(item.possible, clause)} whichever way the unknown facts go:",
                 indent=6, hang=2)
        u = item.case_on
        for case in item.cases:
            lead = f"- if {w.subject_question(u.subject, u.question)} -- {w.value_word(case.value)}: "
            if case.ruled_out_by:
                given = ", ".join(f"{s}.{f}" for s, f in case.given)
                names = ", ".join(f"'{n}'" for n in case.ruled_out_by)
                self.add(f"{lead}ruled out by the policy's constraint {names}"
                         + (f", given {given}" if given else ""), indent=8, hang=2)
            else:
                self.add(lead + w.possible_words(case.possible.verdicts, clause), indent=8, hang=2)

    def settlements(self, item: ItemVerdict) -> None:
        self.add("what would decide it:", indent=6)
        for st in item.settlements:
            words = w.VERDICT_WORDS[st.verdict]
            self.add(f"- {words}, if{' all of' if len(st.assignments) > 1 else ''}:", indent=8, hang=2)
            for u, value in st.assignments:
                self.add(f"{w.subject_question(u.subject, u.question)} -- {w.value_word(value)}",
                         indent=10, hang=2)
        cannot = [u for u in item.unknowns if not u.values]
        if not item.settlements:
            self.add(f"no answer to up to {MAX_SETTLE_SIZE} of the unknown facts settles it",
                     indent=8, hang=2)
        elif not item.search_complete:
            self.add("(the search was bounded; other combinations of facts may settle it too)",
                     indent=8, hang=2)
        for u in cannot:
            self.add(f"- also waits on: {w.subject_question(u.subject, u.question)}", indent=8, hang=4)

    def disputes(self, r: ScenarioResult, clause_id: str) -> None:
        names = {a.account.id: a.account.name for a in r.accounts}
        for d in r.disputes.get(clause_id, ()):
            self.add()
            what = "these facts" if len(d.facts) > 1 else "this fact"
            lead = (f"Why the accounts differ: {w.conflict(what)}. With the {names[d.to_account]} "
                    f"account's answer{'s' if len(d.facts) > 1 else ''} instead of the "
                    f"{names[d.from_account]} account's, the verdict goes from "
                    f"{w.possible_words(d.from_possible)} to {w.possible_words(d.to_possible)}")
            lead += "." if d.smallest else " (a set found greedily; a smaller one may exist)."
            self.add(lead, indent=2, hang=2)
            for f in d.facts:
                self.add(f"- {w.subject_question(f.subject, f.question)}", indent=4, hang=2)
                for pos in f.positions:
                    said = w.statement(pos.stated_by, r.scenario.source_title(pos.source) or pos.source,
                                       pos.quote, pos.note, r.scenario, pos.inferred)
                    self.add(f"{names[pos.account]}: {w.value_word(pos.value)} -- {said}",
                             indent=6, hang=4)

    def questions(self, r: ScenarioResult, limit: int | None = 5) -> None:
        shown = r.questions if limit is None else r.questions[:limit]
        if not shown:
            return
        self.add()
        self.add("-" * WIDTH)
        more = f" (the first {limit} of {len(r.questions)}; see --questions)" \
            if limit is not None and len(r.questions) > limit else ""
        self.add(f"Open questions, most decisive first{more}:")
        for n, q in enumerate(shown, 1):
            self.add()
            u = q.unknown
            self.add(f"{n}. {w.subject_question(u.subject, u.question)}", indent=0, hang=3)
            count = len(q.decides)
            self.add(f"helps settle {count} undetermined verdict{'s' if count != 1 else ''}"
                     + (":" if limit is None else ""), indent=3, hang=2)
            if limit is None:
                for account, clause_id, label in q.decides:
                    ways = _ways(r, account, clause_id, label, u)
                    self.add(f"- {account}: {clause_id} ({label}){ways}", indent=5, hang=4)

    def step(self, r: ScenarioResult, step: Step, indent: int) -> None:
        if self.explain == "short":
            step = prune(step)
        self._step(r, step, indent)

    def _step(self, r: ScenarioResult, step: Step, indent: int) -> None:
        mark = f"[{w.value_word(step.value)}]"
        self.add(f"{mark} {w.step_line(step)}", indent=indent, hang=len(mark) + 1)
        if step.fact is not None:
            self.add(f"-> {w.who_states(step.fact, r.scenario)}", indent=indent + len(mark) + 1, hang=3)
        if step.quote is not None:
            self.add(f'"{step.quote.text}" -- {w.citation(step.quote)}',
                     indent=indent + len(mark) + 1, hang=1)
        for c in step.children:
            self._step(r, c, indent + 2)


def _facts(step: Step) -> list[Step]:
    """The fact steps of a trace, each once, in the order they first appear."""
    out: list[Step] = []
    seen: set[str | None] = set()
    todo = [step]
    while todo:
        s = todo.pop(0)
        if s.fact is not None and s.ref not in seen:
            seen.add(s.ref)
            out.append(s)
        todo[:0] = list(s.children)
    return out


def _changed(r: ScenarioResult, clause_id: str) -> bool:
    h = r.hypothetical
    if h.base is not None:
        base = next((a for a in r.accounts if a.account.id == h.base), None)
        if base is None:
            return False
        return base.clause(clause_id).possible != h.result.clause(clause_id).possible
    return False


def _ways(r: ScenarioResult, account: str, clause_id: str, label: str, u: Unknown) -> str:
    """': yes -> met; no -> breached' from the settlements that need this fact alone."""
    acc = next(a for a in r.accounts if a.account.id == account)
    item = next(i for i in acc.clause(clause_id).items if i.label == label)
    alone = [(v, s.verdict) for s in item.settlements for x, v in s.assignments
             if len(s.assignments) == 1 and x.key == u.key]
    if not alone:
        return ": with other facts"
    return ": " + "; ".join(f"if {w.value_word(v)}, {w.VERDICT_WORDS[verdict]}" for v, verdict in alone)


def render_text(results: list[ScenarioResult], colour: bool = False, explain: str = "short") -> str:
    return TextReport(colour, explain).render(results)


def render_questions(results: list[ScenarioResult]) -> str:
    """The investigator's view: only the open questions, each with the verdicts it decides."""
    report = TextReport(False, "short")
    for i, r in enumerate(results):
        if i:
            report.add()
        report.add(f"{r.scenario.model.title} ({r.scenario.id})", hang=2)
        if not r.questions:
            report.add("No verdict waits on an unknown fact.")
        report.questions(r, limit=None)
    return "\n".join(report.lines) + "\n"


def render_clauses(policy) -> str:
    """`forcecheck clauses`: each clause with strength, title and citations, at 80 columns."""
    report = TextReport()
    report.add(f"{policy.id}: {policy.title} ({policy.document}, {policy.version})", hang=2)
    for c in policy.clauses:
        report.add()
        report.add(f"{c.id} [{c.strength}]", indent=0)
        report.add(c.title, indent=2, hang=2)
        report.add("; ".join(w.citation(q) for q in c.quotes), indent=4, hang=2)
    return "\n".join(report.lines) + "\n"


def render_clause(c) -> str:
    """`forcecheck show CLAUSE`: quotes, citations, provenance, reading and the rule."""
    report = TextReport()
    report.add(f"{c.id} [{c.strength}]: {c.title}", hang=2)
    report.wording(c, quote_indent=2)
    binds = ", ".join(f"each {b.role or b.domain} {b.var}" for b in c.bindings) or "the incident"
    report.add()
    report.add(f"applies to {binds}" + (f" where {c.where.source}" if c.where else ""), indent=2, hang=4)
    report.add(f"{c.requirement_kind} {c.requirement.source}", indent=2, hang=4)
    report.add(f"defined at {c.span}", indent=2)
    return "\n".join(report.lines) + "\n"

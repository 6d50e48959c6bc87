"""The terminal report: a summary table, then every implicated clause with its trace.

Plain text that reads at 80 columns with or without colour; colour only marks verdicts.
"""

from __future__ import annotations

import textwrap

from forcecheck.evaluate import ClauseVerdict, ItemVerdict, ScenarioResult, Step
from forcecheck.report import wording as w

WIDTH = 80
_COLOURS = {"met": "32", "breached": "31;1", "undetermined": "33", "not_applicable": "2"}


def prune(step: Step) -> Step:
    """Keep only the conditions that make a value what it is (the 'short' explanation).

    A true 'at least one of' needs only its true branches, a false 'all of' only its false
    ones. An unknown result keeps everything: what is known explains it as much as what is not.
    """
    kids = step.children
    if step.kind in ("any", "definition", "all", "quantifier", "member", "exception"):
        if step.kind == "any" and step.value is True or step.kind != "any" and step.value is False:
            keep = [c for c in kids if c.value is step.value]
            kids = tuple(keep) or kids
        if step.kind == "definition" and step.value is not False:
            kids = tuple(c for c in kids if not (c.kind == "exception" and c.value is False))
    pruned = tuple(prune(c) for c in kids)
    # An 'all of' / 'any of' left with one condition says nothing the condition does not.
    if step.kind in ("all", "any") and len(pruned) == 1:
        return pruned[0]
    return Step(step.kind, step.text, step.rule, step.value, pruned, step.fact, step.quote)


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

    def summary(self, r: ScenarioResult) -> None:
        ids = [a.account.id for a in r.accounts]
        name_w = max([len("clause")] + [len(c.id) for c in r.clauses]) + 2
        col_w = max([16] + [len(i) + 2 for i in ids])
        self.lines.append(("clause".ljust(name_w) + "".join(i.ljust(col_w) for i in ids)).rstrip())
        any_contested = False
        for clause in r.clauses:
            row = clause.id.ljust(name_w)
            for a in r.accounts:
                v = a.clause(clause.id).verdict
                word = "breached" if v == "breached" and clause.binding else (
                    "not followed" if v == "breached" else w.VERDICT_WORDS[v])
                row += self.paint(word.ljust(col_w), v)
            if r.contested(clause.id):
                row = row.rstrip() + "  *"
                any_contested = True
            self.lines.append(row.rstrip())
        if any_contested:
            self.add("* contested: the accounts lead to different verdicts.")

    def clause(self, r: ScenarioResult, clause_id: str) -> None:
        clause = next(c for c in r.clauses if c.id == clause_id)
        strength = {"must": "must", "must not": "must not", "should": "should: guidance"}[clause.strength]
        head = f"{clause.id} [{strength}]" + ("  * contested" if r.contested(clause_id) else "")
        self.add(head)
        self.add(clause.title, indent=2, hang=2)
        for q in clause.quotes:
            self.add()
            self.add(f'"{q.text}"', indent=4, hang=1)
            self.add(f"-- {w.citation(q)}", indent=6, hang=3)
            if w.caveat(q):
                self.add(w.caveat(q), indent=6, hang=3)
        if clause.reading:
            self.add()
            self.add(f"How forcecheck reads it: {clause.reading}", indent=2, hang=4)
        for a in r.accounts:
            cv = a.clause(clause_id)
            self.add()
            verdict = self.paint(w.verdict_words(cv.verdict, clause), cv.verdict)
            self.add(f"Under the {a.account.name} account ({a.account.id}): {verdict}", indent=2, hang=4)
            self.items(r, cv)

    def items(self, r: ScenarioResult, cv: ClauseVerdict) -> None:
        if not cv.items:
            self.add("The clause applies to nothing in this account.", indent=4, hang=2)
            return
        for item in cv.items:
            self.item(r, cv, item)

    def item(self, r: ScenarioResult, cv: ClauseVerdict, item: ItemVerdict) -> None:
        on = ", ".join(f"{var} = {i}" for var, i in item.on) or "the incident"
        if len(cv.items) > 1 or item.on:
            words = w.verdict_words(item.verdict, cv.clause)
            self.add(f"for {on}: {self.paint(words, item.verdict)}", indent=4, hang=4)
        if item.trigger is not None:
            self.add("it applies when:", indent=6)
            self.step(r, item.trigger, 8)
        self.add("it requires:" if cv.clause.requirement_kind == "requires" else "it forbids:", indent=6)
        self.step(r, item.requirement.children[0] if item.requirement.kind == "forbids"
                  else item.requirement, 8)
        if item.deciders:
            self.add("what would decide it:", indent=6)
            for d in item.deciders:
                subject = "" if d.subject in ("incident", "policy") else f"{d.subject}: "
                self.add(f"- {subject}{d.question}", indent=8, hang=2)
                if d.outcomes:
                    self.add(w.conditional(d.outcomes), indent=10, hang=2)
                else:
                    self.add("no single value can be tried; its value matters", indent=10, hang=2)

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


def render_text(results: list[ScenarioResult], colour: bool = False, explain: str = "short") -> str:
    return TextReport(colour, explain).render(results)

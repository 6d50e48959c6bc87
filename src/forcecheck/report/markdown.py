"""The Markdown report, for an article draft or an issue tracker.

Title, incident summary, sources with their addresses, the accounts and their timelines, the
table, the contested clauses with the facts that decide them, the open questions, then each
clause that applies with its quotes, citation, provenance, reading and a prose trace.

Text from scenario and policy files is escaped: it cannot open a link, an HTML tag or a
table cell of its own.
"""

from __future__ import annotations

from forcecheck.report import wording as w
from forcecheck.report.answer import account_title
from forcecheck.report.escape import cell, code, md
from forcecheck.report.model import ClauseCard, Report, ScenarioReport
from forcecheck.report.prose import Shown, explain


class Markdown:
    def __init__(self, explain_level: str):
        self.out: list[str] = []
        self.short = explain_level != "full"
        self.everything = explain_level == "full"
        self.shown = Shown()
        self.refs: dict[str, str] = {}

    def add(self, *lines: str) -> None:
        self.out.extend(lines)

    def render(self, report: Report) -> str:
        for s in report.scenarios:
            self.scenario(s, report)
        p = report.policy
        self.add("---", "")
        if p:
            self.add(f"Policy {code(p.id)}: {md(p.title)}, {md(p.document)} ({md(p.version)}), "
                     f"SHA-256 {code(p.sha256[:16])}. Made by forcecheck {md(report.tool.version)}.", "")
        self.add(f"*{md(report.disclaimer)}*", "")
        return "\n".join(self.out).rstrip("\n") + "\n"

    def scenario(self, s: ScenarioReport, report: Report) -> None:
        self.refs = {q.key: q.ref for q in s.questions}
        names = {a.id: a.name for a in s.accounts}
        self.add(f"# {md(s.title)}", "")
        # Mid-line, a date needs no escape ('\\2026-01-07' would show its backslash).
        meta = ", ".join(cell(x) for x in (s.date, s.time, s.place) if x)
        kind = "Real incident, as reported" if s.kind == "real" else "Teaching case"
        self.add(f"{kind}{': ' + meta if meta else ''}. Scenario {code(s.id)}.", "")
        if s.answer:
            self.add("**The answer.** " + " ".join(md(x) for x in s.answer), "")
        if report.status:
            self.add(f"*{md(report.status)}*", "")
        if s.answered:
            self.add(f"**{md(w.answered_line(s.answered))}**", "")
        self.add(md(s.summary), "")
        if s.sources:
            self.add("## Sources", "")
            for src in s.sources:
                url = w.safe_url(src.url)
                title = f"[{md(src.title)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)" if url \
                    else md(src.title) + (f" ({md(src.url)})" if src.url else "")
                who = f"{md(src.publisher)}: " if src.publisher else ""
                self.add(f"- {code(src.id)}: {who}{title}" + (f" ({md(src.date)})" if src.date else ""))
            self.add("")
        self.add("## Accounts", "")
        for a in s.accounts:
            srcs = f" Sources: {', '.join(code(x) for x in a.sources)}." if a.sources else ""
            cov = f" *{md(a.coverage.words)}*" if a.coverage else ""
            self.add(f"- **{md(a.name)}** ({code(a.id)}).{srcs}" + (f" {md(a.summary)}" if a.summary else "")
                     + cov)
        self.add("")
        self.timeline(s, names)
        if s.hypothetical:
            h = s.hypothetical
            self.add(f"## Hypothetical: {md(h.name)}", "",
                     f"Not an account: {md(h.start)}, with these assumptions:", "")
            for a in h.assumptions:
                question = md(w.subject_question(a.subject, a.question))
                self.add(f"- {question} **{md(w.value_word(a.assumed))}** ({md(a.was)})")
            self.add("")
        self.table(s, names)
        if s.analysis_cut:
            self.add(f"*{md(w.budget_note(s.analysis_cut))}*", "")
        self.contested(s, names)
        self.questions(s)
        self.add("## Clauses that apply", "")
        if not s.clauses:
            self.add("No clause applies under any account.", "")
        for card in s.clauses:
            self.card(card)

    def timeline(self, s: ScenarioReport, names: dict[str, str]) -> None:
        if not s.events:
            return
        self.add("## Timeline", "", "Each account's order of events; — where an account does not have "
                 "the event. Rows marked † differ between accounts.", "")
        self.add("| # | event | " + " | ".join(md(names[a.id]) for a in s.accounts) + " | clauses |")
        self.add("|---|---|" + "---|" * len(s.accounts) + "---|")
        places = {a.id: {e: i for i, e in enumerate(a.timeline, 1)} for a in s.accounts}
        for e in s.events:
            cells = [str(places[a.id][e.id]) if e.id in places[a.id] else "—" for a in s.accounts]
            mark = " †" if e.differs else ""
            clauses = ", ".join(f"[{c}](#{c})" for c in e.clauses)
            rest = e.description[len(e.title):].strip() if e.description.startswith(e.title) else \
                e.description
            self.add(f"| {e.position}{mark} | {code(e.id)}: **{cell(e.title)}** {cell(rest)} | "
                     + " | ".join(cells) + f" | {clauses} |")
        self.add("")

    def table(self, s: ScenarioReport, names: dict[str, str]) -> None:
        self.add("## Verdicts", "")
        cols = [c.account for c in s.table[0].cells] if s.table else []
        self.add("| clause | " + " | ".join(md(account_title(names[c]) if c in names else "hypothetical")
                                            for c in cols) + " | |")
        self.add("|---|" + "---|" * len(cols) + "---|")
        deciding = {c.clause: c.facts for c in s.contested}
        for row in s.table:
            cells = [f"**{c.short}**" if c.verdict == "breached" else c.short for c in row.cells]
            marks = " ".join(["contested", *deciding.get(row.clause, [])]) if row.contested else ""
            if row.changed:
                marks += " changed"
            if row.restates:
                marks += f" restates {row.restates} (counted there)"
            self.add(f"| {row.clause} | " + " | ".join(cells) + f" | {marks} |")
        self.add("", "? undetermined: the verdicts still possible, whatever the unknown facts and open "
                 "policy questions turn out to be; n/a: not applicable.", "")

    def contested(self, s: ScenarioReport, names: dict[str, str]) -> None:
        if not s.contested:
            return
        self.add("## Contested clauses", "")
        for c in s.contested:
            said = "; ".join(f"{md(names[x.account])}: {x.words}" for x in c.cells)
            self.add(f"- [{c.clause}](#{c.clause}): {said}. Decided by {', '.join(c.facts) or '—'}.")
        self.add("", "### The facts that decide them", "")
        for f in s.disputed_facts:
            who = f"{md(f.subject_label)}: " if f.subject not in ("incident", "policy") else ""
            self.add(f"**{f.ref}.** {who}{md(f.question)} ({code(f.key)})", "")
            for p in f.positions:
                self.add(f"- {md(names[p.account])}: **{p.value_text}**: {md(w.position(p))}")
            self.add("")

    def questions(self, s: ScenarioReport) -> None:
        if not s.questions:
            return
        self.add("## Open questions, most decisive first", "")
        for q in s.questions:
            who = f"{md(q.subject_label)}: " if q.subject not in ("incident", "policy") else ""
            n = len(q.decides)
            how = f"; try {code('--assume ' + q.assume)}" if q.assume else ""
            many = f"{n} verdict{'s' if n != 1 else ''}"
            self.add(f"{q.ref[1:]}. **{q.ref}** {who}{md(q.question)} ({many}{how})")
        self.add("")

    def ask(self, key: str, subject: str, question: str) -> str:
        ref = self.refs.get(key)
        return f"{ref} ({key})" if ref else f"{w.subject_question(subject, question)} --"

    def card(self, card: ClauseCard) -> None:
        contested = " — contested" if card.contested else ""
        self.add(f'<a id="{card.id}"></a>', "", f"### {card.id} ({card.strength}){contested}",
                 "", f"**{md(card.title)}**", "")
        for q in card.quotes:
            if self.shown.first("", "quote", q.text, None):
                caveat = f". *{md(q.caveat)}*" if q.caveat else ""
                self.add(f"> {md(q.text)}", ">", f"> — {md(q.citation)}{caveat}", "")
            else:
                self.add(f"(Quoted above: {md(q.citation)}.)", "")
        if card.reading:
            self.add(f"*How forcecheck reads it:* {md(card.reading)}", "")
        for d in card.definition_readings:
            if self.shown.first("", "reading", d.definition, None):
                self.add(f"*How forcecheck reads \u201c{md(d.title)}\u201d:* {md(d.reading)}", "")
        if self.everything:
            self.add("The rule:", "", "```text", card.rule, "```", "")
        if card.facts:
            self.add(f"Decided by the disputed facts {', '.join(card.facts)}.", "")
        for v in [*card.verdicts, *([card.hypothetical] if card.hypothetical else [])]:
            self.add(f"#### {md(v.name)}: {v.words}", "")
            if not v.items:
                self.add("The clause applies to nothing in this account.", "")
            for item in v.items:
                if len(v.items) > 1 or item.on:
                    self.add(f"*{md(item.about)}: {item.words}*", "")
                for block in explain(item, v.account, self.shown, self.short, self.ask):
                    self.add(md(block.title), "")
                    for ln in block.lines:
                        step = ln.step
                        again = " (as above)" if ln.again else ""
                        self.add(f"{'  ' * ln.depth}- {md(step.text)}: **{step.value_text}**{again}")
                        if ln.said:
                            self.add(f"{'  ' * (ln.depth + 1)}- *{md(ln.said)}*")
                    for b in block.bullets:
                        self.add(f"- {md(b)}")
                    self.add("")


def render_markdown(report: Report, explain: str = "short") -> str:
    return Markdown(explain).render(report)

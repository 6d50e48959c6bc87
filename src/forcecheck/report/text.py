"""The terminal report, rendered with rich from the report model.

By default the answer fits on a screen: the incident in two lines, the clause × account
table, the contested clauses with the facts that decide them, the open questions, and each
clause that is breached, contested or could be breached in a line per account. `--explain
short` adds each such clause's wording and a prose trace; `--explain full` every condition,
every implicated clause and the rule as written.

Width comes from the terminal, or is FIXED_WIDTH when the output is not a terminal, so the
same input gives the same bytes. Colour only marks verdicts, and a `should` not followed is
styled apart from a `must` breached.
"""

from __future__ import annotations

import io
import re
from typing import NamedTuple

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from forcecheck.report import wording as w
from forcecheck.report.answer import ABBREVIATIONS, account_title
from forcecheck.report.model import (
    AccountVerdict,
    ClauseCard,
    Item,
    Question,
    QuestionsReport,
    Report,
    ScenarioReport,
)
from forcecheck.report.prose import Shown, explain

FIXED_WIDTH = 100
DEFAULT_QUESTIONS = 4
STYLES = {"met": "green", "breached": "bold red", "not followed": "bold magenta",
          "undetermined": "yellow", "not_applicable": "dim", "n/a": "dim", "?": "yellow"}

# rich's SIMPLE_HEAD (a line under the header), drawn with '-' for terminals without Unicode.
ASCII_HEAD = box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)
VALUE_STYLES = {"yes": "green", "no": "red", "unknown": "yellow"}


def console(width: int, colour: bool) -> Console:
    return Console(file=io.StringIO(), width=width, height=10_000,
                   color_system="standard" if colour else None, force_terminal=colour,
                   no_color=not colour, highlight=False, markup=False,
                   emoji=False, soft_wrap=False, legacy_windows=False, force_jupyter=False,
                   force_interactive=False, _environ={})


def _cell_style(short: str, verdict: str) -> str:
    if verdict == "breached":
        return STYLES["not followed"] if short == "not followed" else STYLES["breached"]
    return STYLES.get(verdict, "")


class TextReport:
    def __init__(self, width: int = FIXED_WIDTH, colour: bool = False, explain: str = "summary",
                 ascii_only: bool = False):
        self.c = console(width, colour)
        self.ascii = ascii_only  # a terminal that cannot show box drawing
        self.explain = explain
        self.shown = Shown()
        self.question_refs: dict[str, str] = {}

    def text(self) -> str:
        out = self.c.file.getvalue()  # type: ignore[attr-defined]
        return "\n".join(line.rstrip() for line in out.rstrip("\n").split("\n"))

    def line(self, *parts: str | tuple[str, str], indent: int = 0) -> None:
        t = Text.assemble(*parts) if parts else Text("")
        self.c.print(Padding(t, (0, 0, 0, indent)) if indent else t)

    def hang(self, label: str | Text, body: Text | str, indent: int = 0, gap: int = 1) -> None:
        """A label, and text that wraps under itself, not under the label."""
        grid = Table.grid(padding=(0, gap, 0, 0))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        grid.add_row(label, body)
        self.c.print(Padding(grid, (0, 0, 0, indent)) if indent else grid)

    def verdict(self, words: str, verdict: str) -> tuple[str, str]:
        style = STYLES["not followed"] if "not followed" in words and verdict == "breached" else \
            STYLES.get(verdict, "")
        return (words, style)

    # -- the whole report --------------------------------------------------------------------

    def render(self, report: Report) -> str:
        for i, s in enumerate(report.scenarios):
            if i:
                self.line()
                self.line("=" * 40)
                self.line()
            self.scenario(s, report)
        self.line()
        if report.status:
            self.line(report.status)
        self.line((report.disclaimer, "dim"))
        if self.explain == "summary":
            self.line(("More: --explain short or full (wording, and why in prose); --format "
                       "markdown, html or json.", "dim"))
        return self.text()

    def scenario(self, s: ScenarioReport, report: Report) -> None:
        self.question_refs = {q.key: q.ref for q in s.questions}
        self.header(s, report)
        self.answer(s)
        self.table(s)
        for a in s.accounts:
            if a.coverage:
                self.hang("-", f"{a.name}: {a.coverage.words}", indent=0)
        if s.analysis_cut:
            self.line((w.budget_note(s.analysis_cut), "italic"))
        self.contested(s)
        self.questions(s, DEFAULT_QUESTIONS if self.explain == "summary" else None)
        # The default explains what needs attention; asked for explanations, every clause that applies.
        cards = [c for c in s.clauses if c.highlighted or self.explain != "summary"]
        if not s.clauses:
            self.line()
            self.line("No clause applies under any account.")
        elif not cards:
            self.line()
            self.line("No clause is breached, contested or could be breached under any account.")
        elif self.explain == "summary":
            self.summaries(s, cards)
        else:
            for card in cards:
                self.card(s, card)

    def header(self, s: ScenarioReport, report: Report) -> None:
        self.line((s.title, "bold"))
        when = ", ".join(x for x in (s.date, s.place) if x)
        policy = report.policy
        pol = f"policy {policy.id}" if policy else ""
        kind = "real incident" if s.kind == "real" else "teaching case"
        self.line((" - " if self.ascii else " · ").join(x for x in (when, kind, pol) if x))
        if s.answered:
            self.line(w.answered_line(s.answered))
        if s.hypothetical:
            h = s.hypothetical
            self.line()
            self.line((f"Hypothetical (not an account): {h.start}, with these assumptions:", "bold"))
            for a in h.assumptions:
                who = w.subject_question(a.subject, a.question)
                self.hang("-", f"{who} -- assumed {w.value_word(a.assumed)}; {a.was}.", indent=2)

    def answer(self, s: ScenarioReport) -> None:
        """The answer in sentences, before the table."""
        if not s.answer:
            return
        self.line()
        for sentence in s.answer:
            self.line(sentence)

    def table(self, s: ScenarioReport) -> None:
        """The clause x account table, always one table so the accounts compare row by row. When
        the full layout does not fit the width, the contested marks shrink to a bare '*' (the
        facts are named in the contested section), then the cells to abbreviations ('? met/br/n/a',
        with a key), then the clause ids and cells wrap at '-' and '/'."""
        self.line()
        names = {a.id: account_title(a.name) for a in s.accounts}
        columns = [c.account for c in s.table[0].cells] if s.table else []
        headers = [names.get(acc, "hypothetical") for acc in columns]
        deciding = {c.clause: c.facts for c in s.contested}
        layout = _fit(s, headers, deciding, self.c.width)
        if any(max(len(x) for x in h.split()) > wd for h, wd in zip(headers, layout.cells, strict=True)):
            # Too narrow for the names: letters, with a key above the table.
            key = [chr(ord("A") + i) for i in range(len(headers))]
            self.line("Columns: " + "; ".join(f"{k}: {h}" for k, h in zip(key, headers, strict=True)))
            headers = key
        t = Table(box=ASCII_HEAD if self.ascii else box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  expand=False, header_style="bold", collapse_padding=True)
        t.add_column("clause", width=layout.clause, overflow="fold")
        for h, wd in zip(headers, layout.cells, strict=True):
            t.add_column(h, width=wd, overflow="fold")
        t.add_column("", width=layout.marks, overflow="fold")
        any_open = any_contested = any_changed = False
        for row in s.table:
            cells = [Text(_cell_text(c.short, layout.level, wd), style=_cell_style(c.short, c.verdict))
                     for c, wd in zip(row.cells, layout.cells, strict=True)]
            any_open = any_open or any(c.verdict == "undetermined" for c in row.cells)
            facts = deciding.get(row.clause, []) if layout.level == 0 else []
            marks = " ".join(["*", *facts] if row.contested else []) + (" ~" if row.changed else "") \
                + (" =" if row.restates else "")
            any_contested = any_contested or row.contested
            any_changed = any_changed or row.changed
            t.add_row(_wrap_id(row.clause, layout.clause), *cells, marks.strip())
        self.c.print(t)
        legend = []
        if any_open:
            legend.append("? undetermined: the verdicts still possible, whatever the unknown facts "
                          "and open policy questions turn out to be; n/a: not applicable.")
        if layout.level >= 2:
            legend.append("br: breached; nf: guidance not followed.")
        if any_contested:
            legend.append("* contested, decided by the facts F1... below." if layout.level == 0 else
                          "* contested: the facts that decide it are below.")
        if legend:
            self.line((" ".join(legend), "dim"))
        if any_changed:
            self.line("~ the hypothetical's verdict differs from the one it starts from.")
        for row in s.table:
            if row.restates:
                self.line((f"= {row.clause} restates {row.restates}: breached exactly when it is, "
                           "and counted once, there.", "dim"))

    def contested(self, s: ScenarioReport) -> None:
        """The facts the accounts give differently that decide the contested clauses (the
        table says which clause each decides), with what each account says and its source."""
        if not s.disputed_facts:
            return
        names = {a.id: a.name for a in s.accounts}
        decides = {f.ref: [c.clause for c in s.contested if f.ref in c.facts] for f in s.disputed_facts}
        self.line()
        n = len(s.contested)
        self.line((f"Contested: {n} clause{'s' if n != 1 else ''}. The facts that decide "
                   f"{'them' if n != 1 else 'it'}:", "bold"))
        for f in s.disputed_facts:
            who = f"{f.subject_label}: " if f.subject not in ("incident", "policy") else ""
            d = decides[f.ref]
            which = "" if len(d) == n or self.explain == "summary" else f"; decides {', '.join(d)}"
            # A silent account's line says so; a conflict is said once, up front.
            lead = "The accounts conflict. " if f.conflict else ""
            self.hang(f.ref, Text.assemble((lead, "bold"), f"{who}{f.question} ",
                                           (f"({f.key}{which})", "dim")), indent=2)
            for p in f.positions:
                self.hang(f"{names[p.account]}:", Text.assemble((p.value_text, "bold"), " -- ",
                                                                w.position(p, self.explain != "summary")),
                          indent=5)

    def questions(self, s: ScenarioReport, limit: int | None) -> None:
        """The open questions, most decisive first: by default the first few and every one
        the clause lines below refer to, so no ref is left unexplained."""
        if not s.questions:
            return
        if limit is None:
            shown = s.questions
        else:
            referred = {ref for c in s.clauses if c.highlighted
                        for v in [*c.verdicts, *([c.hypothetical] if c.hypothetical else [])]
                        for ref in _question_refs(v.why)}
            shown = s.questions[:limit]
            brief = [q for q in s.questions[limit:] if q.ref in referred]
        self.line()
        self.line(("Open questions, most decisive first", "bold"))
        for q in shown:
            self.question(q)
        if limit is not None and brief:
            n = len(s.questions) - limit
            self.c.print(Padding(Text.assemble(
                ("Also referred to below (each in words, with the verdicts it settles: "
                 "--questions): ", "dim"),
                ", ".join(f"{q.key} ({q.ref})" for q in brief) + "."
                + (f" {n - len(brief)} more with --questions." if n > len(brief) else "")), (0, 0, 0, 2)))

    def _assume(self, q: Question, indent: int) -> str:
        """The --assume argument as it fits a line. One too long to fit (an enumeration's every
        value) would be cut mid-word, so it is given as KEY=VALUE, with the values listed unless
        the question already names each of them."""
        arg = q.assume or ""
        if len("--assume " + arg) <= self.c.width - indent:
            return arg
        key, values = arg.split("=", 1)
        listed = values.split("|")
        if all(v in q.question for v in listed):
            return f"{key}=VALUE"
        return f"{key}=VALUE, VALUE one of {', '.join(listed)}"

    def question(self, q: Question, ways: bool = False) -> None:
        who = f"{q.subject_label}: " if q.subject not in ("incident", "policy") else ""
        n = len(q.decides)
        tail = f" ({n} verdict{'s' if n != 1 else ''}"
        tail += f"; --assume {self._assume(q, indent=2 + len(q.ref) + 1)})" if q.assume else ")"
        self.hang(q.ref, Text.assemble(f"{who}{q.question}", (tail, "dim")), indent=2)
        if ways:
            for d in q.decides:
                self.hang("-", f"{d.account}: {d.clause} ({d.on}): {d.ways}", indent=5)

    # -- clauses -------------------------------------------------------------------------------

    def summaries(self, s: ScenarioReport, cards: list[ClauseCard]) -> None:
        """Each clause once: its title and, per account, the verdict and what it rests or
        waits on (fact refs F1.., question refs Q1..)."""
        self.line()
        self.line(("Clauses breached, contested or possibly breached", "bold"))
        for card in cards:
            self.line((card.id, "bold"), f" {card.title}", indent=2)
            # Accounts that say the same thing share a line.
            groups: dict[tuple[str, str, str], list[str]] = {}
            for v in [*card.verdicts, *([card.hypothetical] if card.hypothetical else [])]:
                groups.setdefault((v.words, v.verdict, v.why), []).append(v.name)
            for (words, verdict, why), who in groups.items():
                words = words.removeprefix("undetermined: ")
                self.hang(f"{', '.join(who)}:", Text.assemble(self.verdict(words, verdict),
                                                              f"; {why}" if why else ""), indent=4)

    def card(self, s: ScenarioReport, card: ClauseCard) -> None:
        self.line()
        self.c.rule(style="dim", characters="-" if self.ascii else "─")
        mark = "  contested" if card.contested else ""
        self.line((card.id, "bold"), f" [{card.strength}]{mark}")
        self.line(card.title, indent=2)
        for q in card.quotes:
            if self.shown.first("", "quote", q.text, None):
                self.hang("", Text.assemble(f'"{q.text}"', (f" -- {q.citation}", "dim")), indent=2, gap=0)
                if q.caveat:
                    self.line((q.caveat, "italic"), indent=4)
            else:
                self.line((f"(quoted above: {q.citation})", "dim"), indent=4)
        if card.reading:
            self.line(("How forcecheck reads it: ", "italic"), card.reading, indent=2)
        for d in card.definition_readings:
            if self.shown.first("", "reading", d.definition, None):
                self.line((f'How forcecheck reads "{d.title}": ', "italic"), d.reading, indent=2)
            else:
                self.line((f'"{d.title}": read as above.', "dim"), indent=2)
        if self.explain == "full":
            self.hang("The rule:", card.rule.replace("\n", "; "), indent=2)
        if card.facts:
            self.line(f"Decided by the disputed facts {', '.join(card.facts)} (above).", indent=2)
        for v in [*card.verdicts, *([card.hypothetical] if card.hypothetical else [])]:
            self.account(card, v)

    def account(self, card: ClauseCard, v: AccountVerdict) -> None:
        self.line()
        self.line((f"{v.name}: ", "bold"), self.verdict(v.words, v.verdict), indent=2)
        if not v.items:
            self.line("The clause applies to nothing in this account.", indent=4)
        for item in v.items:
            self.item(card, v, item, several=len(v.items) > 1 or bool(item.on))

    def item(self, card: ClauseCard, v: AccountVerdict, item: Item, several: bool = True,
             indent: int = 4) -> None:
        if several:
            self.hang("-", Text.assemble(f"{item.about}: ", self.verdict(item.words, item.verdict)),
                      indent=indent)
            indent += 2
        for block in explain(item, v.account, self.shown, self.explain != "full", self.ask):
            self.line(block.title, indent=indent)
            self.trace(block.lines, indent + 2)
            for b in block.bullets:
                self.hang("-", b, indent=indent + 2)

    def ask(self, key: str, subject: str, question: str) -> str:
        """An open question by its ref when the report lists it ('Q2 (shots.force_reasonable)')."""
        ref = self.question_refs.get(key)
        return f"{ref} ({key})" if ref else w.subject_question(subject, question) + " --"

    def trace(self, trace_lines, indent: int) -> None:
        for ln in trace_lines:
            s = ln.step
            at = min(indent + 2 * ln.depth, self.c.width - 40)  # a deep trace stays readable
            value = Text(s.value_text, style=VALUE_STYLES.get(s.value_text, ""))
            again = Text(" (as above)", style="dim") if ln.again else Text("")
            self.c.print(Padding(Text.assemble(s.text, " -- ", value, again), (0, 0, 0, at)))
            if ln.said:
                self.c.print(Padding(Text(ln.said, style="dim"), (0, 0, 0, at + 4)))
            if s.quote is not None and s.kind == "exception":
                self.c.print(Padding(Text(f'"{s.quote.text}" -- {s.quote.citation}', style="dim"),
                                     (0, 0, 0, at + 4)))


def _question_refs(why: str) -> list[str]:
    """The Q refs a 'waits on Q2, Q5' line names."""
    return re.findall(r"\bQ[0-9]+\b", why) if why.startswith("waits on") else []


class _Layout(NamedTuple):
    level: int  # 0 full; 1 bare '*'; 2 abbreviated cells; 3 wrapped clause ids; 4 wrapped cells
    clause: int
    cells: list[int]
    marks: int




def _short(cell: str, level: int) -> str:
    """A table cell at a layout level: '? met/breached/n/a' -> '? met/br/n/a' ->
    '?met/ br/ n/a' (wraps at '/')."""
    if level < 2:
        return cell
    if cell.startswith("? "):
        out = "? " + "/".join(ABBREVIATIONS.get(p, p) for p in cell[2:].split("/"))
    else:
        out = cell if level < 3 else ABBREVIATIONS.get(cell, cell)
    if level >= 4:
        out = out.replace("n/a", "\0").replace("/", "/ ").replace("\0", "n/a").replace("? ", "?")
    return out


def _cell_text(cell: str, level: int, width: int) -> str:
    """The cell at its level; wrapped at '/' only when the abbreviation does not fit."""
    if level >= 4 and len(_short(cell, 3)) <= width:
        return _short(cell, 3)
    return _short(cell, level)


def _wrap_id(ident: str, width: int) -> str:
    """A clause id broken after '-' so that each line fits `width` (never inside a word when a
    word fits)."""
    if len(ident) <= width:
        return ident
    lines, cur = [], ""
    for part in ident.replace("-", "-\0").split("\0"):
        if cur and len(cur) + len(part) > width:
            lines.append(cur)
            cur = ""
        cur += part
    return "\n".join([*lines, cur])


def _fit(s: ScenarioReport, headers: list[str], deciding: dict[str, list[str]], width: int) -> _Layout:
    """The first layout whose table fits `width`: each column as wide as its widest cell (an
    account's header wraps at its words), two columns between columns."""
    rows = s.table
    clause_w = max([len("clause"), *(len(r.clause) for r in rows)])
    gaps = 2 * (len(headers) + 1)
    for level in range(5):
        cells = []
        for i, h in enumerate(headers):
            texts = [_short(r.cells[i].short, level) for r in rows]
            widest = max([1, *(len(x) for t in texts for x in (t.split() if level >= 4 else [t]))])
            longest_word = max([1, *(len(x) for x in h.split())])
            cells.append(max(widest, min(longest_word, 12 if level < 4 else widest)))
        marks = max([1, *(len(" ".join(["*", *(deciding.get(r.clause, []) if level == 0 else [])]))
                          + (2 if r.changed else 0) + (2 if r.restates else 0) for r in rows)])
        if level == 4:  # the clause column takes what the cells leave, the cells share the rest
            clause = min(clause_w, 14)
            share = (width - clause - marks - gaps) // max(1, len(cells))
            cells = [max(c, share) for c in cells]
        elif level == 3:
            clause = max(12, min(clause_w, width - sum(cells) - marks - gaps))
        else:
            clause = clause_w
        if clause + sum(cells) + marks + gaps <= width or level == 4:
            return _Layout(level, clause, cells, marks)
    raise AssertionError("unreachable")


def render_text(report: Report, width: int = FIXED_WIDTH, colour: bool = False,
                explain: str = "summary", ascii_only: bool = False) -> str:
    return TextReport(width, colour, explain, ascii_only).render(report) + "\n"


def render_questions(report: QuestionsReport, width: int = FIXED_WIDTH, colour: bool = False) -> str:
    """The investigator's view: every open question, each with the verdicts it decides."""
    r = TextReport(width, colour)
    for i, s in enumerate(report.scenarios):
        if i:
            r.line()
        r.line((f"{s.title} ({s.id})", "bold"))
        if not s.questions:
            r.line("No verdict waits on an unknown fact.")
        else:
            r.line("Open questions, most decisive first, each with the verdicts it helps settle:")
        for q in s.questions:
            r.line()
            r.question(q, ways=True)
    return r.text() + "\n"

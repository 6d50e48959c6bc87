"""The corpus report: what a policy's clauses say across many checked records.

Input is the JSON Lines of a batch check (`forcecheck.record/1`). Per clause: how many records
it applies to, and of those how many are met, breached, undetermined with a breach possible, or
undetermined otherwise; the unknown facts that hold up the most undetermined verdicts (what a
researcher should go and find out); filters on any imported field; and the records behind any
cell. Rendered as text, Markdown or one self-contained HTML page with inline SVG bars.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from pydantic import ValidationError

from forcecheck.diagnostics import Diagnostic, InputError, Span, did_you_mean, visible
from forcecheck.report import corpus_sections as sections
from forcecheck.report.corpus_parts import COLOURS, LABELS, STATUSES, Filter
from forcecheck.report.documents import CorpusReport, ErrorRecord, Record
from forcecheck.report.escape import code, md

__all__ = ["COLOURS", "LABELS", "STATUSES", "Corpus", "aggregate", "status"]
TOP_QUESTIONS = 10
MAX_SEEN_VALUES = 1000  # values remembered per --where field, for "no record has this value"


MAX_RECORD_BYTES = 32 * 1024 * 1024  # one record line; a record with --explain holds a whole report


@dataclass
class Corpus:
    records: int = 0  # records checked and kept by the filters
    errors: int = 0  # records that could not be checked
    filtered_out: int = 0
    policy: dict = field(default_factory=dict)
    databases: Counter = field(default_factory=Counter)
    clauses: dict[str, Counter] = field(default_factory=dict)  # clause -> status -> records
    cells: dict[tuple[str, str], list[dict]] = field(default_factory=dict)  # only when drilling down
    questions: dict[str, dict] = field(default_factory=dict)  # fact -> question, records, verdicts
    filters: tuple[Filter, ...] = ()
    fields: set[str] = field(default_factory=set)  # the imported fields some record has
    problems: list[Diagnostic] = field(default_factory=list)  # lines that are not records
    policies: Counter = field(default_factory=Counter)  # policy id -> records checked under it
    mappings: Counter = field(default_factory=Counter)  # mapping name -> records imported by it
    attribution: dict[str, dict[str, str]] = field(default_factory=dict)  # database -> title, ...
    codes: dict[str, dict[str, Counter]] = field(default_factory=dict)  # clause -> status -> codes
    seen: dict[str, Counter] = field(default_factory=dict)  # --where field -> values seen
    by: str | None = None
    groups: dict[str, dict] = field(default_factory=dict)  # group -> records, clause -> statuses
    only: str | None = None  # the clause a breakdown shows (--clause without --status)
    keep: bool = False  # keep each record's statuses and codes (for --against)
    kept: dict[str, tuple[dict, list[str]]] = field(default_factory=dict)
    against: dict | None = None  # `corpus_parts.compare` of this corpus with an older one
    # Set from the mapping: clause -> notes on outcomes fixed by the mapping, and clause -> the
    # codes whose readings state what it reads (code -> reading, secondary)
    structure: dict[str, list[str]] | None = None
    relevant: dict[str, dict[str, dict]] | None = None

    @property
    def bad_lines(self) -> list[int]:
        return [d.span.line for d in self.problems if d.span is not None]


def status(rec: Record, clause: str) -> str:
    """The record's status for one clause, across its accounts, most serious first."""
    possible = rec.possible.get(clause, {})
    found = set()
    for account, verdict in rec.verdicts[clause].items():
        if verdict == "undetermined":
            found.add("breach_possible" if "breached" in possible.get(account, []) else "undetermined")
        else:
            found.add(verdict)
    return next(s for s in STATUSES if s in found) if found else "not_applicable"


def field_value(rec: Record, name: str) -> str | None:
    fields = rec.record.fields if rec.record else {}
    if name in fields:
        return fields[name]
    if name == "year":
        date = fields.get("date") or ""
        return date[:4] or None
    return None


def record_lines(f: TextIO, limit: int = MAX_RECORD_BYTES) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of each line of a records file, reading at most `limit` characters
    of any one line: an over-long line is given as None and skipped to its end."""
    n = 0
    while True:
        line = f.readline(limit + 1)
        if not line:
            return
        n += 1
        if len(line) > limit and not line.endswith("\n"):
            while (rest := f.readline(limit)) and not rest.endswith("\n"):
                pass
            yield n, None
        else:
            yield n, line


def parse_record(line: str | None, path: str, n: int) -> Record | ErrorRecord:
    """One line as a `forcecheck.record/1` record, or R001 located at its line."""
    def bad(message: str, column: int = 1) -> InputError:
        return InputError([Diagnostic(Span(path, n, column), "R001", message,
                                      "give the output of `forcecheck check PATH... --format json` "
                                      "(several files or --jobs); the other lines are counted")])

    if line is None:
        raise bad(f"a line longer than {MAX_RECORD_BYTES:,} characters")
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise bad(f"not a JSON record: {exc.msg}", exc.colno) from None
    except (ValueError, RecursionError):
        raise bad("not a JSON record: a number too long or nesting too deep") from None
    if not isinstance(data, dict) or data.get("format") != "forcecheck.record/1":
        raise bad("not a forcecheck.record/1 record")
    try:
        return ErrorRecord.model_validate(data) if "errors" in data else Record.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the record"
        raise bad(f"not a forcecheck.record/1 record: {visible(where)}: {first['msg']}") from None


def aggregate(lines: Iterable[tuple[int, str | None]], path: str, filters=(),
              drill: tuple[str, str] | None = None, by: str | None = None, keep: bool = False) -> Corpus:
    """Read records (line number, text) and count; a line that is not a record is a problem
    located at its line (`Corpus.problems`), and the others are counted. `filters` are
    `corpus_parts.Filter`s (or (field, value) pairs); `by` a field to break the counts down by;
    `keep` keeps each record's statuses, for a comparison."""
    given = tuple(f if isinstance(f, Filter) else Filter(f[0], f"{f[0]}={f[1]}", (f[1],)) for f in filters)
    corpus = Corpus(filters=given, by=by, keep=keep)
    for n, line in lines:
        if line is not None and not line.strip():
            continue
        try:
            rec = parse_record(line, path, n)
        except InputError as exc:
            corpus.problems += exc.diagnostics
            continue
        if isinstance(rec, ErrorRecord):
            corpus.errors += 1
            continue
        _count(corpus, rec, drill)
    return corpus


def _count(corpus: Corpus, rec: Record, drill: tuple[str, str] | None) -> None:
    fields = rec.record.fields if rec.record else {}
    corpus.fields.update(visible(k) for k in fields)
    if "date" in fields:
        corpus.fields.add("year")
    for f in corpus.filters:
        seen = corpus.seen.setdefault(f.field, Counter())
        value = field_value(rec, f.field)
        if value is not None and (value in seen or len(seen) < MAX_SEEN_VALUES):
            seen[value] += 1
    if not all(f.matches(field_value(rec, f.field)) for f in corpus.filters):
        corpus.filtered_out += 1
        return
    corpus.records += 1
    corpus.policy = rec.policy.model_dump() or corpus.policy
    corpus.policies[rec.policy.id] += 1
    if rec.record and rec.record.mapping:
        corpus.mappings[rec.record.mapping] += 1
    database = rec.record.database if rec.record else "(not imported)"
    corpus.databases[database] += 1
    if rec.record and rec.record.attribution and database not in corpus.attribution:
        corpus.attribution[database] = dict(rec.record.attribution)
    group = None
    if corpus.by is not None:
        group = corpus.groups.setdefault(field_value(rec, corpus.by) or "(none)",
                                         {"records": 0, "clauses": {}})
        group["records"] += 1
    codes = rec.record.codes if rec.record else []
    statuses = {}
    for clause in rec.verdicts:
        st = statuses[clause] = status(rec, clause)
        corpus.clauses.setdefault(visible(clause), Counter())[st] += 1
        by_code = corpus.codes.setdefault(visible(clause), {}).setdefault(st, Counter())
        by_code.update(codes)
        if group is not None:
            group["clauses"].setdefault(visible(clause), Counter())[st] += 1
        if drill is not None and drill == (clause, st):
            corpus.cells.setdefault(drill, []).append(
                {"path": rec.path, "scenario": rec.scenario, "title": rec.title,
                 "record": rec.record.id if rec.record else None})
    if corpus.keep:
        key = f"{rec.record.database}:{rec.record.id}" if rec.record else rec.scenario
        corpus.kept[key] = (statuses, list(codes))
    for q in rec.open_questions:
        entry = corpus.questions.setdefault(q.fact, {"question": q.question, "records": 0, "verdicts": 0})
        entry["records"] += 1
        entry["verdicts"] += q.waiting


def unknown_filters(corpus: Corpus) -> list[Diagnostic]:
    """A --where field no record has is a mistake to name, not an empty result."""
    known = sorted(corpus.fields)
    return [Diagnostic(None, "U009", f"--where {visible(k)}: no record has the field '{visible(k)}'",
                       did_you_mean(k, known) or (f"fields: {', '.join(known)}" if known
                                                  else "no record was imported with fields"))
            for k in [f.field for f in corpus.filters] + ([corpus.by] if corpus.by else [])
            if k not in corpus.fields]


def never_seen(corpus: Corpus) -> list[str]:
    """A note for each --where that no record's value meets (the field exists)."""
    out = []
    for f in corpus.filters:
        seen = corpus.seen.get(f.field, Counter())
        if f.field in corpus.fields and not any(f.hits(v) for v in seen):
            values = ", ".join(sorted(seen)[:12]) + (", ..." if len(seen) > 12 else "")
            out.append(f"--where {visible(f.text)}: no record has such a value of '{visible(f.field)}' "
                       f"(values: {visible(values)})")
    return out


def top_questions(corpus: Corpus) -> list[tuple[str, dict]]:
    return sorted(corpus.questions.items(), key=lambda kv: (-kv[1]["verdicts"], kv[0]))[:TOP_QUESTIONS]


def framing(corpus: Corpus) -> str:
    title = corpus.policy.get("title") or corpus.policy.get("id") or "the policy"
    sources = ", ".join(sorted(corpus.databases)) or "no records"
    return (f"What {title} would say of these records as coded (source: {sources}), taking each "
            "record's codes as true. A database may record incidents the policy does not govern "
            "(shootings by police generally, checked against a policy that binds one agency's "
            "officers): these are the clauses' verdicts on the coded facts, not findings about any "
            "incident or officer. Each imported statement carries the mapping's reading of its code."
            + "".join(f" {credit(a)}" for _, a in sorted(corpus.attribution.items())))


def credit(a: dict[str, str]) -> str:
    """The database's attribution as one sentence: title, publisher, address, licence."""
    said = [a.get("title", "")] + [a[k] for k in ("publisher", "url") if a.get(k)]
    licence = f", licensed {a['licence']}" if a.get("licence") else ""
    return f"Data: {'; '.join(x for x in said if x)}{licence}."


def _filters(corpus: Corpus) -> str:
    return ", ".join(f.text for f in corpus.filters) or "none"


def render_text(corpus: Corpus, width: int = 100) -> str:
    out = [f"Corpus: {corpus.records:,} records checked (filters: {_filters(corpus)}; "
           f"{corpus.filtered_out:,} left out by them; {corpus.errors:,} could not be checked)", ""]
    out += _wrap(framing(corpus), width) + [""]
    name_w = max([len(c) + 2 for c in corpus.clauses] + [6])
    out.append(f"{'clause':{name_w}}  applies  {'met':>6}  {'breached':>8}  {'breach?':>7}  "
               f"{'open':>6}   bar")
    for clause, counts in corpus.clauses.items():
        applies = corpus.records - counts["not_applicable"]
        bar = _bar(counts, applies, 30)
        name = f"{clause} *" if sections.marked(corpus, clause) else clause
        out.append(f"{name:{name_w}}  {applies:7,}  {counts['met']:6,}  {counts['breached']:8,}  "
                   f"{counts['breach_possible']:7,}  {counts['undetermined']:6,}   {bar}")
    out += ["", "breach?: undetermined, and a breach is possible under some account; open: undetermined, "
            "no breach possible. Bar: # breached, ? breach possible, . open, = met."]
    out += sections.text(corpus, width)
    out += ["", "Facts that would settle the most undetermined verdicts (go and find these out):"]
    for fact, q in top_questions(corpus):
        out.append(f"  {fact}: {q['verdicts']:,} verdicts in {q['records']:,} records")
        out += ["    " + line for line in _wrap(visible(q["question"]), width - 4)]
    for (clause, st), rows in corpus.cells.items():
        out += ["", f"Records where {clause} is {LABELS[st]} ({len(rows):,}):"]
        out += [f"  {r['path']}: {visible(r['title'])}" for r in rows]
    return "\n".join(out) + "\n"


def _bar(counts: Counter, applies: int, width: int) -> str:
    if not applies:
        return ""
    parts = [("#", counts["breached"]), ("?", counts["breach_possible"]), (".", counts["undetermined"]),
             ("=", counts["met"])]
    return "".join(ch * round(width * n / applies) for ch, n in parts)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def document(corpus: Corpus) -> CorpusReport:
    """The counts as a document (`forcecheck.corpus/1`), for a notebook or a chart of one's own."""
    return CorpusReport(
        records=corpus.records, errors=corpus.errors, bad_lines=corpus.bad_lines,
        filtered_out=corpus.filtered_out, policy=corpus.policy,
        filters={f.field: f.text[len(f.field) + 1:] for f in corpus.filters},
        framing=framing(corpus), databases=dict(sorted(corpus.databases.items())),
        clauses={c: {s: counts[s] for s in STATUSES} for c, counts in corpus.clauses.items()},
        questions=[{"fact": f, **q} for f, q in top_questions(corpus)],
        cells=[{"clause": c, "status": s, "records": rows} for (c, s), rows in corpus.cells.items()],
        attribution=corpus.attribution, **sections.data(corpus))


def _title(corpus: Corpus) -> str:
    policy = corpus.policy.get("title") or corpus.policy.get("id") or "a policy"
    data = ", ".join(a.get("title", d) for d, a in sorted(corpus.attribution.items())) or \
        ", ".join(sorted(corpus.databases)) or "no records"
    return f"Corpus report: {policy} on {data}"


def render_json(corpus: Corpus) -> str:
    return json.dumps(document(corpus).model_dump(), indent=2, ensure_ascii=False) + "\n"


def render_markdown(corpus: Corpus) -> str:
    """Every string from the records through `md` (no markup, no HTML), ids and paths as code."""
    out = ["# Corpus report", "", f"{corpus.records:,} records checked (filters: {md(_filters(corpus))}; "
           f"{corpus.filtered_out:,} left out by them; {corpus.errors:,} could not be checked).", "",
           f"> {md(framing(corpus))}", "",
           "| clause | applies to (or may) | met | breached | undetermined, breach possible "
           "| undetermined, no breach possible |",
           "|---|---|---|---|---|---|"]
    for clause, counts in corpus.clauses.items():
        applies = corpus.records - counts["not_applicable"]
        mark = " \\*" if sections.marked(corpus, clause) else ""
        out.append(f"| {code(clause)}{mark} | {applies:,} | {counts['met']:,} | {counts['breached']:,} | "
                   f"{counts['breach_possible']:,} | {counts['undetermined']:,} |")
    if corpus.structure:
        out += ["", "\\* fixed by the mapping, whatever the data: see below."]
    out += sections.markdown(corpus)
    out += ["", "## Facts that would settle the most undetermined verdicts", "",
            "| fact | question | verdicts waiting | records |", "|---|---|---|---|"]
    for fact, q in top_questions(corpus):
        out.append(f"| {code(fact)} | {md(q['question'])} | {q['verdicts']:,} | {q['records']:,} |")
    for (clause, st), rows in corpus.cells.items():
        out += ["", f"## Records where {code(clause)} is {LABELS[st]} ({len(rows):,})", ""]
        out += [f"- {code(r['path'])}: {md(r['title'])}" for r in rows]
    return "\n".join(out) + "\n"


def render_html(corpus: Corpus, readings: list[tuple[str, str, str]] = ()) -> str:
    """One self-contained page: the framing, a stacked bar per clause (inline SVG), the table,
    the top questions, the drill-down, and the mapping's readings when given."""
    e = html.escape
    rows = []
    bar_w, bar_h = 360, 18
    for clause, counts in corpus.clauses.items():
        applies = corpus.records - counts["not_applicable"]
        x = 0.0
        rects = []
        for st in ("breached", "breach_possible", "undetermined", "met"):
            n = counts[st]
            if not n or not applies:
                continue
            w = bar_w * n / applies
            rects.append(f'<rect class="seg seg-{st}" data-status="{st}" data-count="{n}" x="{x:.1f}" y="0" '
                         f'width="{w:.1f}" height="{bar_h}" fill="{COLOURS[st]}">'
                         f"<title>{e(LABELS[st])}: {n:,}</title></rect>")
            x += w
        svg = (f'<svg class="bar" role="img" aria-label="{e(clause)}" width="{bar_w}" height="{bar_h}" '
               f'viewBox="0 0 {bar_w} {bar_h}" preserveAspectRatio="none">{"".join(rects)}</svg>')
        fixed = sections.marked(corpus, clause)
        mark = ' <a href="#structural" title="fixed by the mapping, whatever the data">*</a>' if fixed else ""
        cls = ' class="fixed"' if fixed else ""
        rows.append(f'<tr data-clause="{e(clause)}"{cls}><th scope="row">'
                    f'{e(clause)}{mark}</th><td>{applies:,}</td>'
                    f"<td>{counts['met']:,}</td><td>{counts['breached']:,}</td>"
                    f"<td>{counts['breach_possible']:,}</td><td>{counts['undetermined']:,}</td><td>{svg}</td></tr>")
    legend = " ".join(f'<span class="key"><i style="background:{COLOURS[s]}"></i>{e(LABELS[s])}</span>'
                      for s in ("breached", "breach_possible", "undetermined", "met"))
    questions = "".join(f"<tr><td><code>{e(f)}</code></td><td>{e(visible(q['question']))}</td>"
                        f"<td>{q['verdicts']:,}</td><td>{q['records']:,}</td></tr>"
                        for f, q in top_questions(corpus))
    drill = "".join(f'<section class="drill"><h2>Records where {e(c)} is {e(LABELS[s])} '
                    f"({len(rs):,})</h2><ul>"
                    + "".join(f"<li><code>{e(r['path'])}</code> {e(visible(r['title']))}</li>" for r in rs)
                    + "</ul></section>" for (c, s), rs in corpus.cells.items())
    reading_rows = "".join(f"<tr><td>{e(c)}</td><td>{e(v)}</td><td>{e(r)}</td></tr>" for c, v, r in readings)
    readings_html = (f'<details id="readings"><summary>How the mapping reads each code</summary><table>'
                     f"<tr><th>column</th><th>value</th><th>reading</th></tr>{reading_rows}</table></details>"
                     if readings else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(_title(corpus))}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }}
table {{ border-collapse: collapse; margin: 1rem 0; display: block; overflow-x: auto; max-width: 100%; }}
p, li, dd, summary, td {{ overflow-wrap: anywhere; }}
th, td {{ padding: .25rem .6rem; text-align: left; border-bottom: 1px solid #ddd; vertical-align: top; }}
#clauses td:nth-child(n+2):not(:last-child), #questions td:nth-child(n+3) {{ text-align: right; }}
#clauses th[scope=row] {{ white-space: nowrap; }}
.framing {{ border-left: 4px solid #ef8f00; padding: .5rem 1rem; background: #fff8e1; }}
.key {{ margin-right: 1rem; }}
tr.fixed td {{ font-style: italic; color: #555; }}
.scroll {{ overflow-x: auto; max-width: 100%; }}
.key i {{ display: inline-block; width: .9rem; height: .9rem; margin-right: .3rem; vertical-align: -2px; }}
body {{ padding: 0 1rem; }}
svg.bar {{ width: 100%; min-width: 5rem; max-width: 360px; height: 18px; }}
#clauses, #questions {{ display: block; overflow-x: auto; max-width: 100%; }}
@media print {{ .framing {{ background: none; }} }}
</style></head><body>
<h1>Corpus report</h1>
<p>{corpus.records:,} records checked (filters: {e(_filters(corpus))}; {corpus.filtered_out:,} left out by
them; {corpus.errors:,} could not be checked).</p>
<p class="framing" id="framing">{e(framing(corpus))}</p>
<p>{legend}</p>
<table id="clauses"><tr><th>clause</th><th>applies to (or may)</th><th>met</th><th>breached</th>
<th>undetermined, breach possible</th><th>undetermined, no breach possible</th><th></th></tr>
{"".join(rows)}</table>
<h2>Facts that would settle the most undetermined verdicts</h2>
<table id="questions"><tr><th>fact</th><th>question</th><th>verdicts waiting</th><th>records</th></tr>
{questions}</table>
{sections.to_html(corpus)}
{drill}
{readings_html}
</body></html>
"""

"""The corpus report's sections that say how its numbers were made, and the breakdowns: the
outcomes the mapping fixes whatever the data (marked on their clauses), the codes each count
rests on with their readings (a secondary event said as such), the breakdown by a field with
its unknown rates (a chart over the groups in HTML), and the comparison with an older corpus.
As data (`data`, for JSON) and in text, Markdown and HTML; `corpus` places them in its report.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

from forcecheck.diagnostics import visible
from forcecheck.report import corpus_parts as parts
from forcecheck.report.corpus_parts import SHORT, STATUSES
from forcecheck.report.escape import code, md

FIXED_HEAD = "Fixed by the mapping, not found in the data"
FIXED_WHY = ("these outcomes hold for every record the mapping can produce, whatever the database says "
             "(worked out from the mapping alone)")
FIXED = f"{FIXED_HEAD}: {FIXED_WHY}"


def marked(corpus: Any, clause: str) -> bool:
    return bool(corpus.structure and corpus.structure.get(clause))


def data(corpus: Any) -> dict:
    """The sections as data, for the JSON document."""
    resting = {}
    for clause in corpus.clauses:
        found = parts.resting(corpus.codes, corpus.relevant, clause)
        if found:
            resting[clause] = {st: [{"code": c, "records": n, "secondary": sec,
                                     "reading": corpus.relevant[clause][c]["reading"]} for c, n, sec in codes]
                               for st, codes in found}
    groups = [{"clause": c, "rows": parts.breakdown_rows(corpus.groups, c)}
              for c in parts.varying(corpus.clauses, corpus.only)] if corpus.by else []
    against = None
    if corpus.against is not None:
        a = corpus.against
        against = {"joined": a["joined"], "only_new": a["only_new"], "only_old": a["only_old"],
                   "transitions": [{**r, "codes": [{"change": ch, "records": n} for ch, n in r["codes"]]}
                                   for r in parts.comparison_rows(a)]}
    return {"structural": dict(corpus.structure or {}), "resting": resting, "by": corpus.by,
            "groups": groups, "against": against}


def _wrap(text: str, width: int, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ") or [""]


def _secondary(sec: bool) -> str:
    return " (adds a secondary event)" if sec else ""


def text(corpus: Any, width: int = 100) -> list[str]:
    d = data(corpus)
    out: list[str] = []
    if d["structural"]:
        out += ["", f"* {FIXED}:"]
        for clause, notes in d["structural"].items():
            out += [line for note in notes for line in _wrap(visible(f"{clause}: {note}"), width)]
    if d["resting"]:
        out += ["", "What the counts rest on (per clause and outcome, the codes of its records whose "
                "readings state what the clause reads):"]
        readings: dict[str, str] = {}
        for clause, by in d["resting"].items():
            said = "; ".join(f"{SHORT[st]} " + ", ".join(f"{c['code']} {c['records']:,}"
                                                          f"{_secondary(c['secondary'])}" for c in codes)
                             for st, codes in by.items())
            out += _wrap(visible(f"{clause}: {said}"), width)
            readings.update({c["code"]: c["reading"] for codes in by.values() for c in codes})
        out += ["", "Readings of those codes (the mapping's):"]
        out += [line for c, r in sorted(readings.items()) for line in _wrap(visible(f"{c}: {r}"), width)]
    for g in d["groups"]:
        out += ["", f"{g['clause']} by {d['by']} (unknown: the share of the records it applies to that are "
                "undetermined):",
                f"  {d['by']:>10}  {'records':>7}  {'applies':>7}  {'met':>6}  {'breached':>8}  "
                f"{'breach?':>7}  {'open':>6}  {'unknown':>7}"]
        for r in g["rows"]:
            out.append(f"  {visible(r['group'])[:10]:>10}  {r['records']:7,}  {r['applies']:7,}  "
                       f"{r['met']:6,}  {r['breached']:8,}  {r['breach_possible']:7,}  "
                       f"{r['undetermined']:6,}  {parts.rate(r['unknown_rate']):>7}")
    a = d["against"]
    if a is not None:
        out += ["", f"Against the older corpus: {a['joined']:,} records in both (joined on record id), "
                f"{a['only_new']:,} only in this one, {a['only_old']:,} only in the older."]
        if not a["transitions"]:
            out.append("  No record's outcome changed on any clause.")
        for t in a["transitions"]:
            out.append(visible(f"  {t['clause']}: {SHORT[t['from']]} -> {SHORT[t['to']]}: {t['records']:,} "
                               "record(s); codes changed: " +
                               ", ".join(f"{c['change']} ({c['records']:,})" for c in t["codes"])))
    return out


def markdown(corpus: Any) -> list[str]:
    d = data(corpus)
    out: list[str] = []
    if d["structural"]:
        out += ["", f"## {FIXED_HEAD}", "", md(FIXED_WHY[0].upper() + FIXED_WHY[1:]) + ".", ""]
        out += [f"- {code(c)}: {md(n)}" for c, notes in d["structural"].items() for n in notes]
    if d["resting"]:
        out += ["", "## What the counts rest on", "", "| clause | outcome | code | records | reading |",
                "|---|---|---|---|---|"]
        out += [f"| {code(cl)} | {SHORT[st]} | {code(c['code'])}{_secondary(c['secondary'])} | "
                f"{c['records']:,} | {md(c['reading'])} |"
                for cl, by in d["resting"].items() for st, codes in by.items() for c in codes]
    for g in d["groups"]:
        out += ["", f"## {code(g['clause'])} by {md(d['by'])}", "",
                f"| {md(d['by'])} | records | applies | met | breached | breach possible | open | unknown |",
                "|---|---|---|---|---|---|---|---|"]
        out += [f"| {md(r['group'])} | {r['records']:,} | {r['applies']:,} | {r['met']:,} | "
                f"{r['breached']:,} | {r['breach_possible']:,} | {r['undetermined']:,} | "
                f"{parts.rate(r['unknown_rate'])} |"
                for r in g["rows"]]
    a = d["against"]
    if a is not None:
        out += ["", "## Against the older corpus", "",
                f"{a['joined']:,} records in both (joined on record id), {a['only_new']:,} only in this one, "
                f"{a['only_old']:,} only in the older.", "",
                "| clause | from | to | records | codes changed |", "|---|---|---|---|---|"]
        out += [f"| {code(t['clause'])} | {SHORT[t['from']]} | {SHORT[t['to']]} | {t['records']:,} | "
                + md(", ".join(f"{c['change']} ({c['records']:,})" for c in t["codes"])) + " |"
                for t in a["transitions"]]
    return out


def to_html(corpus: Any) -> str:
    e = html.escape
    d = data(corpus)
    out = []
    if d["structural"]:
        items = "".join(f"<li><code>{e(c)}</code>: {e(n)}</li>" for c, notes in d["structural"].items()
                        for n in notes)
        out.append(f'<section id="structural"><h2>{e(FIXED_HEAD)}</h2>'
                   f"<p>{e(FIXED_WHY[0].upper() + FIXED_WHY[1:])}.</p><ul>{items}</ul></section>")
    if d["resting"]:
        def codes_html(codes: list[dict]) -> str:
            return ", ".join(f'<span title="{e(c["reading"])}"><code>{e(c["code"])}</code></span> '
                             f"{c['records']:,}{e(_secondary(c['secondary']))}" for c in codes)

        rows = "".join(f"<tr><td><code>{e(cl)}</code></td><td>{SHORT[st]}</td><td>{codes_html(codes)}"
                       "</td></tr>" for cl, by in d["resting"].items() for st, codes in by.items())
        out.append('<section id="resting"><h2>What the counts rest on</h2><p>Per clause and outcome, the '
                   "codes of its records whose readings state what the clause reads, with how many records "
                   "have each (a code's reading shows on hover, and all of them below).</p>"
                   '<div class="scroll"><table><tr><th>clause</th><th>outcome</th><th>codes (records)</th>'
                   f"</tr>{rows}</table></div></section>")
    for g in d["groups"]:
        rows = "".join(f"<tr><td>{e(r['group'])}</td><td>{r['records']:,}</td><td>{r['applies']:,}</td>"
                       + "".join(f"<td>{r[s]:,}</td>" for s in STATUSES[:4])
                       + f"<td>{parts.rate(r['unknown_rate'])}</td></tr>" for r in g["rows"])
        out.append(f'<section class="breakdown" data-clause="{e(g["clause"])}"><h2><code>{e(g["clause"])}'
                   f"</code> by {e(d['by'])}</h2><p>Share of the records it applies to, per {e(d['by'])}: "
                   f"met (green), open (grey), breach possible (orange), breached (red).</p>"
                   f"{parts.chart_svg(g['rows'], g['clause'])}<div class=\"scroll\"><table>"
                   f"<tr><th>{e(d['by'])}</th><th>records</th><th>applies</th><th>breached</th>"
                   "<th>breach possible</th><th>open</th><th>met</th><th>unknown</th></tr>"
                   f"{rows}</table></div></section>")
    a = d["against"]
    if a is not None:
        rows = "".join(f"<tr><td><code>{e(t['clause'])}</code></td><td>{SHORT[t['from']]}</td>"
                       f"<td>{SHORT[t['to']]}</td><td>{t['records']:,}</td><td>"
                       + e(", ".join(f"{c['change']} ({c['records']:,})" for c in t["codes"])) + "</td></tr>"
                       for t in a["transitions"])
        out.append(f'<section id="against"><h2>Against the older corpus</h2><p>{a["joined"]:,} records in '
                   f"both (joined on record id), {a['only_new']:,} only in this one, {a['only_old']:,} only "
                   'in the older.</p><div class="scroll"><table><tr><th>clause</th><th>from</th>'
                   f"<th>to</th><th>records</th><th>codes changed</th></tr>{rows}</table></div></section>")
    return "\n".join(out)

"""One scenario under several policies, side by side.

For each policy, its clauses under every account (the same facts, read by each policy's own
clauses); then, for each concept the policies share (deadly force, fleeing, moving vehicles,
threats only to self or property, the duties to intervene and to render aid), each account's
verdict under each policy that has a clause for it (several clauses of one policy combined:
breached if any is, could be breached if any could be). Where the policies come out
differently on the same facts, the report quotes each policy's wording and its reading, which
is where the difference lies. Text and JSON (`forcecheck.compare/1`).
"""

from __future__ import annotations

import json

from forcecheck.diagnostics import visible
from forcecheck.evaluation.results import ScenarioResult
from forcecheck.report import wording as w
from forcecheck.report.documents import Comparison
from forcecheck.report.escape import code, md

FORMAT = "forcecheck.compare/1"


def _short(verdict: str, possible: tuple[str, ...], binding: bool) -> str:
    names = {"met": "met", "breached": "breached" if binding else "not followed",
             "not_applicable": "n/a", "undetermined": "undetermined"}
    if verdict != "undetermined":
        return names[verdict] if verdict != "not_applicable" else "not applicable"
    return "? " + "/".join(names[p] for p in possible)


def _outcome(verdict: str, possible: list[str]) -> str:
    """What matters when policies are compared: breached, could be breached, or not breached
    (met, not applicable, or undetermined with no breach possible). A 'should' not followed
    counts as breached: the policies' strengths are compared in their wording."""
    if verdict == "breached":
        return "breached"
    return "could be breached" if "breached" in possible else "not breached"


def _combine(parts: list[dict], binding: bool) -> tuple[str, list[str], str]:
    """Several clauses of one policy for one concept, as one verdict: breached if any is; could
    be breached if any could be; met if one is met and none can be breached; not applicable if
    none applies; otherwise undetermined over what the clauses can still become."""
    if len(parts) == 1:
        return parts[0]["verdict"], parts[0]["possible"], parts[0]["short"]
    verdicts = [p["verdict"] for p in parts]
    union = [v for v in ("met", "breached", "not_applicable")
             if any(v in p["possible"] for p in parts)]
    if "breached" in verdicts:
        verdict, possible = "breached", ["breached"]
    elif "breached" not in union and "met" in verdicts:
        verdict, possible = "met", ["met"]
    elif all(v == "not_applicable" for v in verdicts):
        verdict, possible = "not_applicable", ["not_applicable"]
    else:
        possible = [v for v in union if v != "not_applicable" or "met" not in verdicts]
        verdict = possible[0] if len(possible) == 1 else "undetermined"
    return verdict, possible, _short(verdict, tuple(possible), binding)


def _parts(cell: dict) -> str:
    """A combined cell's clauses, each with its verdict: ' (a met + b ? met/breached)'."""
    if len(cell["clauses"]) < 2:
        return ""
    return " (" + " + ".join(f"{p['clause']} {p['short']}" for p in cell["clauses"]) + ")"


def _reading(r: ScenarioResult, result, clauses) -> str | None:
    """'met on the policy's text; breached only if ...' when the concept's one clause waits
    only on an open policy question (`wording.text_reading`)."""
    if len(clauses) != 1:
        return None
    cv = result.clause(clauses[0].id)
    open_items = [i for i in cv.items if i.verdict == "undetermined"]
    if len(open_items) != 1 or not open_items[0].search_complete:
        return None
    return w.text_reading([(st.verdict, st.assignments) for st in open_items[0].settlements],
                          clauses[0], r.policy.unsettled)


def build(results: list[ScenarioResult]) -> Comparison:
    """The comparison document (what JSON writes and every format renders)."""
    first = results[0]
    accounts = [a.account for a in first.accounts]
    policies = [{"id": r.policy.id, "title": r.policy.title, "sha256": r.policy.digest} for r in results]
    tables = []
    for r in results:
        rows = []
        for clause in r.clauses:
            rows.append({"clause": clause.id, "title": clause.title, "strength": clause.strength,
                         "concept": clause.concept, "cells": [
                             {"account": a.account.id, "verdict": a.clause(clause.id).verdict,
                              "possible": list(a.clause(clause.id).possible),
                              "short": _short(a.clause(clause.id).verdict, a.clause(clause.id).possible,
                                              clause.binding)} for a in r.accounts]})
        tables.append({"policy": r.policy.id, "rows": rows})
    concepts: list[str] = []
    for r in results:
        for clause in r.clauses:
            if clause.concept and clause.concept not in concepts:
                concepts.append(clause.concept)
    shared = []
    for concept in concepts:
        # A concept may map to several clauses of one policy (DHS's deadly-force standard and
        # its general feasible-alternative rule both bear on necessity), combined per account.
        holders = [(r, [c for c in r.clauses if c.concept == concept]) for r in results
                   if any(c.concept == concept for c in r.clauses)]
        if len(holders) < 2:
            continue
        for account in accounts:
            cells = []
            for r, clauses in holders:
                result = next(a for a in r.accounts if a.account.id == account.id)
                parts = [{"clause": clause.id, "verdict": result.clause(clause.id).verdict,
                          "possible": list(result.clause(clause.id).possible),
                          "short": _short(result.clause(clause.id).verdict,
                                          result.clause(clause.id).possible, clause.binding)}
                         for clause in clauses]
                verdict, possible, short = _combine(parts, any(c.binding for c in clauses))
                cells.append({"policy": r.policy.id, "clause": " + ".join(c.id for c in clauses),
                              "verdict": verdict, "possible": possible, "short": short,
                              "clauses": parts, "reading": _reading(r, result, clauses)})
            differs = len({_outcome(c["verdict"], c["possible"]) for c in cells}) > 1
            entry = {"concept": concept, "account": account.id, "account_name": visible(account.name),
                     "cells": cells, "differs": differs}
            if differs:
                entry["wording"] = _wording(holders, cells)
            shared.append(entry)
    model = first.scenario.model
    return Comparison.model_validate({
        "format": FORMAT, "scenario": model.id, "title": visible(model.title),
        "accounts": [{"id": a.id, "name": visible(a.name)} for a in accounts],
        "policies": policies, "tables": tables, "concepts": shared})


def _wording(holders, cells: list[dict]) -> list[dict]:
    """The wording that makes a difference: each clause's first quote and reading. When the
    difference is whether the clauses apply at all (one policy's clause only 'not applicable'
    where another's applies), it lies in the definitions their triggers call: then the quote of
    each exception such a definition makes (DHS's "aiming is not deadly force") and, for the
    clauses that apply and could be breached, their definitions' readings; clause sentences that
    do not differ are left out (review 2026-12, G14)."""
    parts = {(c["policy"], p["clause"]): p for c in cells for p in c["clauses"]}
    clauses_of = {(r.policy.id, c.id): (r.policy, c) for r, cs in holders for c in cs}
    # A clause only 'not applicable' whose trigger goes through a definition with an exception
    # (the difference may lie there), while another policy's clause could be breached.
    na = {k for k, p in parts.items() if p["possible"] == ["not_applicable"]
          and any(d.exceptions for d in _trigger_definitions(*clauses_of[k]))}
    excepted_names = {d.name for k in na for d in _trigger_definitions(*clauses_of[k]) if d.exceptions}
    breachable = {k for k, p in parts.items() if "breached" in p["possible"]}
    by_definition = bool(na) and any(k[0] not in {n[0] for n in na} for k in breachable)
    out = []
    for r, clauses in holders:
        for clause in clauses:
            key = (r.policy.id, clause.id)
            q = clause.quotes[0]
            row = {"policy": r.policy.id, "clause": clause.id, "document": q.document,
                   "section": q.section, "provenance": q.provenance, "quote": q.text,
                   "reading": clause.reading}
            if not by_definition:
                out.append(row)
                continue
            defs = [d for d in _trigger_definitions(r.policy, clause) if d.name in excepted_names]
            excepted = [(d, x.quote) for d in defs for x in d.exceptions]
            if key in na:
                out += [{"policy": r.policy.id, "clause": f"definition of {d.title}",
                         "document": xq.document, "section": xq.section, "provenance": xq.provenance,
                         "quote": xq.text, "reading": d.reading} for d, xq in excepted]
            elif key in breachable:
                read = [d.reading for d in defs if d.reading]
                out.append({**row, "reading": " ".join(read) if read else clause.reading})
    return out


def _trigger_definitions(policy, clause) -> list:
    """The definitions a clause's `applies to ... where` calls, directly or through others,
    in the order first met."""
    from forcecheck.policy import model as m

    found: list = []
    todo = [clause.where]
    while todo:
        n = todo.pop(0)
        if n is None:
            continue
        if isinstance(n, m.DefCall):
            d = policy.definitions[n.name]
            if d not in found:
                found.append(d)
                todo.append(d.body)
            todo.extend(n.args)
            continue
        for attr in ("operands", "args"):
            todo.extend(getattr(n, attr, ()) or ())
        for attr in ("operand", "left", "right", "body", "subject"):
            child = getattr(n, attr, None)
            if child is not None and not isinstance(child, str | int | float | bool):
                todo.append(child)
    return found


def _data(doc: Comparison) -> dict:
    """The document as plain data, as the JSON output has it (no `wording` where none differs)."""
    data = doc.model_dump()
    for entry in data["concepts"]:
        if entry["wording"] is None:
            del entry["wording"]
    return data


def render_json(doc: Comparison) -> str:
    return json.dumps(_data(doc), indent=2, ensure_ascii=False) + "\n"


def render_text(doc: Comparison, width: int = 100) -> str:
    doc = _data(doc)
    import textwrap

    names = {a["id"]: a["name"] for a in doc["accounts"]}
    out = [doc["title"], f"side by side under {', '.join(p['id'] for p in doc['policies'])}", ""]
    for table in doc["tables"]:
        out.append(f"{table['policy']}")
        w = max(len(r["clause"]) for r in table["rows"]) + 2
        # each column as wide as its widest cell (account name or verdict) plus a gap
        cw = max(14, *(max(len(names[c["account"]]), len(c["short"])) + 2
                       for r in table["rows"] for c in r["cells"]))
        out.append(("  " + "clause".ljust(w) + "".join(names[c["account"]].ljust(cw)
                                                       for c in table["rows"][0]["cells"])).rstrip())
        for r in table["rows"]:
            cells = "".join(c["short"].ljust(cw) for c in r["cells"])
            out.append(("  " + r["clause"].ljust(w) + cells).rstrip())
        out.append("")
    out.append("The concepts the policies share, on the same facts")
    policies = [p["id"] for p in doc["policies"]]
    for account in doc["accounts"]:
        out.append(f"  {account['name']}:")
        for entry in (e for e in doc["concepts"] if e["account"] == account["id"]):
            by = {c["policy"]: c for c in entry["cells"]}
            cells = "; ".join(f"{p} {by[p]['short']}{_parts(by[p])}" for p in policies if p in by)
            mark = "  <- differs" if entry["differs"] else ""
            out += textwrap.wrap(f"{entry['concept']}: {cells}{mark}", width, initial_indent="    ",
                                 subsequent_indent="      ", break_on_hyphens=False)
    differing = [e for e in doc["concepts"] if e["differs"]]
    if differing:
        out += ["", "Where the policies differ, and the wording that makes the difference"]
        for e in differing:
            out.append(f"  {e['concept']}, under {e['account_name']}: " + "; ".join(
                f"{c['policy']} {c['short']}" for c in e["cells"]))
            for c in (c for c in e["cells"] if c.get("reading")):
                out += textwrap.wrap(f"{c['policy']}: {c['reading']}", width, initial_indent="    ",
                                     subsequent_indent="      ")
            for wd in e["wording"]:
                out += textwrap.wrap(f"{wd['policy']} {wd['clause']} ({wd['document']}, {wd['section']}, "
                                     f"{wd['provenance']}): \"{wd['quote']}\"", width,
                                     initial_indent="    ", subsequent_indent="      ")
                if wd["reading"]:
                    out += textwrap.wrap(f"read as: {wd['reading']}", width, initial_indent="      ",
                                         subsequent_indent="      ")
    out += [""] + textwrap.wrap("Each policy reads the same facts through its own clauses; a verdict says "
                                "what that policy's text implies if an account is taken as true, not what "
                                "happened. A concept differs when one policy's verdict is breached, or "
                                "could be, and another's is not.", width)
    return "\n".join(out) + "\n"


def render_markdown(doc: Comparison) -> str:
    """Every string from a file through `md` (no markup, no HTML), ids as code."""
    doc = _data(doc)
    names = {a["id"]: a["name"] for a in doc["accounts"]}
    policies = [p["id"] for p in doc["policies"]]
    out = [f"# {md(doc['title'])}", "", f"Side by side under {', '.join(code(p) for p in policies)}.", ""]
    for table in doc["tables"]:
        accounts = [c["account"] for c in table["rows"][0]["cells"]] if table["rows"] else []
        header = "| clause | " + " | ".join(md(names[a]) for a in accounts) + " |"
        out += [f"## {code(table['policy'])}", "", header, "|---|" + "---|" * len(accounts)]
        out += [f"| {code(r['clause'])} | " + " | ".join(md(c["short"]) for c in r["cells"]) + " |"
                for r in table["rows"]]
        out.append("")
    out += ["## The concepts the policies share, on the same facts", "",
            "| account | concept | " + " | ".join(code(p) for p in policies) + " | |",
            "|---|---|" + "---|" * (len(policies) + 1)]
    for e in doc["concepts"]:
        by = {c["policy"]: md(c["short"] + _parts(c)) for c in e["cells"]}
        mark = "**differs**" if e["differs"] else ""
        out.append(f"| {md(e['account_name'])} | {md(e['concept'])} | " +
                   " | ".join(by.get(p, "") for p in policies) + f" | {mark} |")
    differing = [e for e in doc["concepts"] if e["differs"]]
    if differing:
        out += ["", "## Where the policies differ, and the wording that makes the difference"]
        for e in differing:
            out += ["", f"**{md(e['concept'])}, under {md(e['account_name'])}**: " +
                    "; ".join(f"{code(c['policy'])} {md(c['short'])}" for c in e["cells"]), ""]
            out += [f"- {code(c['policy'])}: {md(c['reading'])}" for c in e["cells"] if c.get("reading")]
            for w in e["wording"]:
                out.append(f"- {code(w['policy'])} {code(w['clause'])} ({md(w['document'])}, "
                           f"{md(w['section'])}, {w['provenance']}): \"{md(w['quote'])}\""
                           + (f" *Read as:* {md(w['reading'])}" if w["reading"] else ""))
    out += ["", "*Each policy reads the same facts through its own clauses; a verdict says what that "
            "policy's text implies if an account is taken as true, not what happened.*"]
    return "\n".join(out) + "\n"


def render_html(doc: Comparison) -> str:
    """One self-contained page: every string escaped, no script, no network."""
    doc = _data(doc)
    import html

    e = html.escape
    names = {a["id"]: a["name"] for a in doc["accounts"]}
    policies = [p["id"] for p in doc["policies"]]
    parts = [f"<h1>{e(doc['title'])}</h1>", f"<p>Side by side under {e(', '.join(policies))}.</p>"]
    for table in doc["tables"]:
        accounts = [c["account"] for c in table["rows"][0]["cells"]] if table["rows"] else []
        head = "".join(f"<th>{e(names[a])}</th>" for a in accounts)
        rows = "".join(f'<tr data-clause="{e(r["clause"])}"><th scope="row">{e(r["clause"])}</th>' +
                       "".join(f'<td class="v-{e(c["verdict"])}">{e(c["short"])}</td>' for c in r["cells"]) +
                       "</tr>" for r in table["rows"])
        parts.append(f'<h2>{e(table["policy"])}</h2><table data-policy="{e(table["policy"])}">'
                     f"<tr><th>clause</th>{head}</tr>{rows}</table>")
    rows = "".join(f'<tr class="{"differs" if c["differs"] else ""}" data-concept="{e(c["concept"])}">'
                   f"<td>{e(c['account_name'])}</td><td>{e(c['concept'])}</td>" +
                   "".join(f"<td>{e(next((x['short'] for x in c['cells'] if x['policy'] == p), ''))}</td>"
                           for p in policies) + "</tr>" for c in doc["concepts"])
    parts.append("<h2>The concepts the policies share, on the same facts</h2><table id=\"concepts\">"
                 "<tr><th>account</th><th>concept</th>" + "".join(f"<th>{e(p)}</th>" for p in policies) +
                 f"</tr>{rows}</table>")
    for c in (x for x in doc["concepts"] if x["differs"]):
        items = "".join(f"<li><b>{e(w['policy'])}</b> {e(w['clause'])} ({e(w['document'])}, "
                        f"{e(w['section'] or '')}, {e(w['provenance'])}): <q>{e(w['quote'])}</q>" +
                        (f"<br><i>Read as:</i> {e(w['reading'])}" if w["reading"] else "") + "</li>"
                        for w in c["wording"])
        readings = "".join(f"<p><b>{e(x['policy'])}</b>: {e(x['reading'])}</p>" for x in c["cells"]
                           if x.get("reading"))
        parts.append(f'<section class="difference"><h3>{e(c["concept"])}, under {e(c["account_name"])}</h3>'
                     f"{readings}<ul>{items}</ul></section>")
    parts.append("<p><i>Each policy reads the same facts through its own clauses; a verdict says what "
                 "that policy's text implies if an account is taken as true, not what happened.</i></p>")
    style = ("body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#222}"
             "table{border-collapse:collapse;margin:1rem 0}th,td{padding:.25rem .6rem;text-align:left;"
             "border-bottom:1px solid #ddd}.differs{background:#fff3cd}.v-breached{color:#c62828}"
             ".v-met{color:#2e7d32}.v-undetermined{color:#a15c00}q{font-style:italic}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(doc["title"])}</title>'
            f"<style>{style}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")

"""The casebook: real incidents side by side, one row each, with each account's verdicts on the
headline clauses (deadly force, fleeing, moving vehicles, medical aid) and what the accounts
disagree on; a link to each incident's full report.

Built from the same results as everything else (each incident checked at the "verdicts" depth,
with the facts the accounts state differently behind each contested clause). Text, Markdown
(scenarios/real/README.md is one, kept current by a test), one self-contained HTML page, JSON
(`forcecheck.casebook/1`).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from forcecheck.evaluation.results import ScenarioResult
from forcecheck.report.documents import Casebook, CasebookAccount, CasebookIncident, PolicyRef
from forcecheck.report.escape import cell, code, md

HEADLINE = ("deadly-force-imminent-threat", "fleeing-subject", "moving-vehicle-operator", "medical-aid")
SHORT = {"met": "met", "breached": "breached", "not_applicable": "n/a", "undetermined": "?"}
FRAMING = ("Each column says what the policy's text implies if that account is taken as true; it never "
           "says what happened or that anyone is guilty. `?` is undetermined (the verdicts still "
           "possible follow it); n/a, not applicable. An account marked \"read in part\" or \"omits, "
           "does not deny\" is silent, not contrary, where it states nothing.")


def _shown(verdict: str, possible: tuple[str, ...], binding: bool) -> str:
    names = {**SHORT, "breached": "breached" if binding else "not followed"}
    if verdict != "undetermined":
        return names[verdict]
    return "? " + "/".join(names[p] for p in possible)


def build(results: list[tuple[str, ScenarioResult]], reports: dict[str, str] | None = None) -> Casebook:
    """(file, result) of each incident, in the order given; `reports` maps a scenario id to where
    its full report was written."""
    policy = results[0][1].policy if results else None
    clauses = [c for c in HEADLINE if policy is not None and policy.clause(c) is not None]
    incidents = []
    for file, r in sorted(results, key=lambda fr: (fr[1].scenario.model.date or "", fr[0])):
        model = r.scenario.model
        accounts = []
        for a in r.accounts:
            verdicts = {c: _shown(a.clause(c).verdict, a.clause(c).possible, a.clause(c).clause.binding)
                        for c in clauses}
            breached = [cv.clause.id for cv in a.clauses if cv.verdict == "breached" and cv.clause.counted]
            partial = a.account.coverage[0] if a.account.coverage else None
            accounts.append(CasebookAccount(id=a.account.id, name=a.account.name, partial=partial,
                                            verdicts=verdicts, breached=breached))
        agencies = sorted({p.agency for p in model.people if p.role == "officer" and p.agency})
        incidents.append(CasebookIncident(
            scenario=model.id, title=model.title, date=model.date, place=model.place, agencies=agencies,
            accounts=accounts, contested={c: list(k) for c, k in r.differing.items() if c in clauses},
            report=(reports or {}).get(model.id), file=file))
    return Casebook(policy=PolicyRef(id=policy.id if policy else "", title=policy.title if policy else ""),
                    clauses=clauses, incidents=incidents)


def render_json(doc: Casebook) -> str:
    return json.dumps(doc.model_dump(), indent=2, ensure_ascii=False) + "\n"


PARTIAL = {"source_read_in_part": "read in part", "omits": "omits, does not deny"}


def _name(a: CasebookAccount) -> str:
    """The account's name, and, for one marked partial, that its silence is not a denial."""
    return f"{a.name} ({PARTIAL[a.partial]})" if a.partial else a.name


def _disagree(i: CasebookIncident) -> str:
    """The headline clauses the accounts' verdicts differ on, and the facts they state
    differently that those clauses read, each once."""
    if not i.contested:
        return "none of these clauses"
    facts = sorted({k for keys in i.contested.values() for k in keys})
    return f"{', '.join(i.contested)}; on the facts {', '.join(facts)}" if facts else ", ".join(i.contested)


def render_text(doc: Casebook, width: int = 100) -> str:
    import textwrap

    def wrap(text: str, indent: str = "    ") -> list[str]:
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ",
                             break_on_hyphens=False)

    out = [f"Casebook: {len(doc.incidents)} real incidents under {doc.policy.title}", ""]
    for i in doc.incidents:
        out += wrap(f"{i.date or '?'}  {i.title}", "")
        out += wrap(f"{i.place or 'place not stated'} · {', '.join(i.agencies) or 'agency not stated'}")
        for a in i.accounts:
            out += wrap(f"{_name(a)}: " + "; ".join(f"{c} {a.verdicts[c]}" for c in doc.clauses))
        out += wrap(f"the accounts disagree on: {_disagree(i)}")
        out.append("")
    out += textwrap.wrap(FRAMING.replace("`", ""), width)
    return "\n".join(out) + "\n"


def render_markdown(doc: Casebook) -> str:
    head = "| date | incident | account | " + " | ".join(code(c) for c in doc.clauses) + " |"
    out = ["# The casebook", "", f"{len(doc.incidents)} real incidents under {md(doc.policy.title)}, one "
           "row per account. Written by `forcecheck casebook scenarios/real --format markdown`.", "",
           f"*{FRAMING}*", "", head, "|---|---|---|" + "---|" * len(doc.clauses)]
    for i in doc.incidents:
        link = f"[{md(i.title)}]({i.report or Path(i.file).name})"
        for n, a in enumerate(i.accounts):
            first = (f"{cell(i.date or '')} | {link}<br>{cell(i.place or '')}; {cell(', '.join(i.agencies))}"
                     if n == 0 else " | ")
            out.append(f"| {first} | {cell(_name(a))} | "
                       + " | ".join(cell(a.verdicts[c]) for c in doc.clauses) + " |")
    out += ["", "## What the accounts disagree on", ""]
    out += [f"- {md(i.title)}: {md(_disagree(i))}" for i in doc.incidents]
    return "\n".join(out) + "\n"


def render_html(doc: Casebook) -> str:
    """One self-contained page: every string escaped, no script, no network; links only to the
    incidents' own report files."""
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in doc.clauses)
    rows = []
    for i in doc.incidents:
        title = f'<a href="{e(i.report)}">{e(i.title)}</a>' if i.report else e(i.title)
        for n, a in enumerate(i.accounts):
            lead = (f'<td rowspan="{len(i.accounts)}">{e(i.date or "")}</td>'
                    f'<td rowspan="{len(i.accounts)}">{title}<br><small>{e(i.place or "")}; '
                    f'{e(", ".join(i.agencies))}</small></td>' if n == 0 else "")
            cells = "".join(f'<td class="v-{e(a.verdicts[c].split()[0].strip("?") or "open")}">'
                            f"{e(a.verdicts[c])}</td>" for c in doc.clauses)
            rows.append(f'<tr data-incident="{e(i.scenario)}">{lead}<td>{e(_name(a))}</td>{cells}</tr>')
    disagree = "".join(f"<li>{e(i.title)}: {e(_disagree(i))}</li>" for i in doc.incidents)
    framing = e(FRAMING.replace("`", ""))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Casebook</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 80rem; color: #222;
  padding: 0 1rem; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ padding: .25rem .5rem; text-align: left; border-bottom: 1px solid #ddd; vertical-align: top; }}
.v-met {{ background: #e8f5e9; }} .v-breached {{ background: #ffebee; }}
.v-open, .v- {{ background: #fff8e1; }}
.framing {{ border-left: 4px solid #ef8f00; padding: .5rem 1rem; background: #fff8e1; }}
</style></head><body>
<h1>The casebook</h1>
<p>{len(doc.incidents)} real incidents under {e(doc.policy.title)}.</p>
<p class="framing">{framing}</p>
<table id="casebook"><tr><th>date</th><th>incident</th><th>account</th>{head}</tr>
{"".join(rows)}</table>
<h2>What the accounts disagree on</h2>
<ul id="disagree">{disagree}</ul>
</body></html>
"""

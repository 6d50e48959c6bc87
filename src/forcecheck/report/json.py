"""The JSON report: a public contract, versioned by its `format` field (docs/json-format.md).

Keys come in a fixed order and lists in policy, scenario and timeline order, so the same
input gives the same bytes.
"""

from __future__ import annotations

import json

from forcecheck.analysis import Dispute, Settlement, Unknown
from forcecheck.evaluate import FactUse, ItemVerdict, ScenarioResult, Step, definition_readings
from forcecheck.model import Clause, QuoteRef
from forcecheck.report import wording as w

FORMAT = "forcecheck.check/2"


def _value(v: object) -> object:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _quote(q: QuoteRef) -> dict:
    return {"document": q.document, "section": q.section, "provenance": q.provenance,
            "text": q.text, "caveat": w.caveat(q)}


def _fact(f: FactUse) -> dict:
    return {"subject": f.subject, "fact": f.fact, "question": f.question, "value": _value(f.value),
            "stated_by": f.stated_by, "source": f.source, "quote": f.quote, "note": f.note,
            "inferred": f.inferred}


def _step(s: Step) -> dict:
    out: dict = {"kind": s.kind, "text": s.text, "rule": s.rule, "value": _value(s.value)}
    if s.fact is not None:
        out["fact"] = _fact(s.fact)
    if s.quote is not None:
        out["quote"] = _quote(s.quote)
    out["children"] = [_step(c) for c in s.children]
    return out


def _unknown(u: Unknown) -> dict:
    return {"subject": u.subject, "fact": u.fact, "question": u.question,
            "values": [_value(v) for v in u.values]}


def _settlement(st: Settlement) -> dict:
    return {"verdict": st.verdict,
            "if": [{"subject": u.subject, "fact": u.fact, "value": _value(v)} for u, v in st.assignments]}


def _item(i: ItemVerdict) -> dict:
    return {"on": {var: ident for var, ident in i.on}, "verdict": i.verdict,
            "possible": list(i.possible), "exact": i.exact,
            "cases": [{"subject": i.case_on.subject, "fact": i.case_on.fact, "value": _value(c.value),
                       "possible": list(c.possible.verdicts), "ruled_out_by": list(c.ruled_out_by),
                       "given": [f"{s}.{f}" for s, f in c.given]} for c in i.cases],
            "trigger": _step(i.trigger) if i.trigger else None,
            "requirement": _step(i.requirement),
            "unknowns": [_unknown(u) for u in i.unknowns],
            "settlements": [_settlement(st) for st in i.settlements],
            "search_complete": i.search_complete}


def _dispute(d: Dispute) -> dict:
    return {"from": d.from_account, "to": d.to_account,
            "from_possible": list(d.from_possible), "to_possible": list(d.to_possible),
            "smallest": d.smallest,
            "facts": [{"subject": f.subject, "fact": f.fact, "question": f.question,
                       "positions": [{"account": p.account, "value": _value(p.value),
                                      "stated_by": p.stated_by, "source": p.source,
                                      "quote": p.quote, "note": p.note, "inferred": p.inferred}
                                     for p in f.positions]}
                      for f in d.facts]}


def _clause(c: Clause) -> dict:
    return {"id": c.id, "title": c.title, "strength": c.strength,
            "quotes": [_quote(q) for q in c.quotes], "reading": c.reading}


def scenario_dict(r: ScenarioResult) -> dict:
    sc = r.scenario.model
    return {
        "id": sc.id, "title": sc.title, "kind": sc.kind, "file": r.scenario.path,
        "accounts": [{"id": a.account.id, "name": a.account.name, "sources": list(a.account.sources)}
                     for a in r.accounts],
        "summary": [{"clause": c.id, "strength": c.strength, "verdicts": r.verdicts(c.id),
                     "possible": {k: list(v) for k, v in r.possible(c.id).items()},
                     "contested": r.contested(c.id)} for c in r.clauses],
        "clauses": [
            {**_clause(c), "contested": r.contested(c.id),
             "definition_readings": [{"definition": d.name, "title": d.title, "reading": d.reading}
                                     for d in definition_readings(r, c.id)],
             "disputes": [_dispute(d) for d in r.disputes.get(c.id, ())],
             "verdicts": [{"account": a.account.id, "verdict": a.clause(c.id).verdict,
                           "possible": list(a.clause(c.id).possible), "exact": a.clause(c.id).exact,
                           "items": [_item(i) for i in a.clause(c.id).items]} for a in r.accounts]}
            for c in r.clauses if r.implicated(c.id)
        ],
        "questions": _questions(r),
        "hypothetical": None if r.hypothetical is None else {
            "base": r.hypothetical.base,
            "name": r.hypothetical.result.account.name,
            "assumptions": [{"subject": c.subject, "fact": c.fact, "question": c.question,
                             "before": _value(c.before), "assumed": _value(c.after)}
                            for c in r.hypothetical.changes],
            "verdicts": [{"clause": cv.clause.id, "verdict": cv.verdict,
                          "possible": list(cv.possible), "exact": cv.exact,
                          "items": [_item(i) for i in cv.items]}
                         for cv in r.hypothetical.result.clauses],
        },
        "breached": r.breached,
    }


def render_json(results: list[ScenarioResult]) -> str:
    policy = results[0].policy if results else None
    doc = {
        "format": FORMAT,
        "policy": None if policy is None else {"id": policy.id, "title": policy.title,
                                               "document": policy.document, "version": policy.version},
        "scenarios": [scenario_dict(r) for r in results],
        "breached": any(r.breached for r in results),
        "disclaimer": w.DISCLAIMER,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _questions(r: ScenarioResult) -> list:
    return [{**_unknown(q.unknown),
             "decides": [{"account": a, "clause": c, "on": on} for a, c, on in q.decides]}
            for q in r.questions]


def render_questions_json(results: list[ScenarioResult]) -> str:
    doc = {"format": "forcecheck.questions/1",
           "scenarios": [{"id": r.scenario.id, "questions": _questions(r)} for r in results]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

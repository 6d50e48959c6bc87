"""The JSON report: a public contract, versioned by its `format` field (docs/json-format.md).

Keys come in a fixed order and lists in policy, scenario and timeline order, so the same
input gives the same bytes.
"""

from __future__ import annotations

import json

from forcecheck.evaluate import Decider, FactUse, ItemVerdict, ScenarioResult, Step
from forcecheck.model import Clause, QuoteRef
from forcecheck.report import wording as w

FORMAT = "forcecheck.check/1"


def _value(v: object) -> object:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _quote(q: QuoteRef) -> dict:
    return {"document": q.document, "section": q.section, "provenance": q.provenance,
            "text": q.text, "caveat": w.caveat(q)}


def _fact(f: FactUse) -> dict:
    return {"subject": f.subject, "fact": f.fact, "question": f.question, "value": _value(f.value),
            "stated_by": f.stated_by, "source": f.source, "quote": f.quote, "note": f.note}


def _step(s: Step) -> dict:
    out: dict = {"kind": s.kind, "text": s.text, "rule": s.rule, "value": _value(s.value)}
    if s.fact is not None:
        out["fact"] = _fact(s.fact)
    if s.quote is not None:
        out["quote"] = _quote(s.quote)
    out["children"] = [_step(c) for c in s.children]
    return out


def _decider(d: Decider) -> dict:
    return {"subject": d.subject, "fact": d.fact, "question": d.question,
            "outcomes": [{"value": _value(o.value), "verdict": o.verdict} for o in d.outcomes]}


def _item(i: ItemVerdict) -> dict:
    return {"on": {var: ident for var, ident in i.on}, "verdict": i.verdict,
            "trigger": _step(i.trigger) if i.trigger else None,
            "requirement": _step(i.requirement), "deciders": [_decider(d) for d in i.deciders]}


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
                     "contested": r.contested(c.id)} for c in r.clauses],
        "clauses": [
            {**_clause(c), "contested": r.contested(c.id),
             "verdicts": [{"account": a.account.id, "verdict": a.clause(c.id).verdict,
                           "items": [_item(i) for i in a.clause(c.id).items]} for a in r.accounts]}
            for c in r.clauses if r.implicated(c.id)
        ],
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

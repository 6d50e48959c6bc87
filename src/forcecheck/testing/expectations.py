"""Compare a scenario's `expect:` block with what the policy gives.

Under an account, each clause expects one of:

    deadly-force-imminent-threat: met                       # the clause's overall verdict
    duty-to-intervene: {partner/shots: breached}            # a verdict per thing it applies to
    deadly-force-imminent-threat:                            # a verdict and its reasons
      verdict: met
      because: [driving.driven_at_person, imminent_threat]

A per-thing value may itself be a `{verdict, because}` mapping. `because` names facts
(`subject.fact`), definitions or open questions that must appear in the short explanation of
the verdict. Scenario-wide, `contested`, `deciding` and `undetermined` assert the contested
clauses, the facts that decide each, and each account's undetermined clauses.
"""

from __future__ import annotations

from dataclasses import dataclass

from forcecheck.evaluation.explain import case_refs, prune, refs
from forcecheck.evaluation.results import ItemVerdict, ScenarioResult


@dataclass(frozen=True, slots=True)
class Expected:
    """One verdict expectation, normalised."""

    account: str
    clause: str
    on: str | None  # None: the clause's overall verdict
    verdict: str
    because: tuple[str, ...] = ()
    possible: tuple[str, ...] | None = None  # for an undetermined verdict: what is still possible


@dataclass(frozen=True, slots=True)
class Mismatch:
    account: str
    clause: str
    on: str | None
    expected: str
    got: str
    items: tuple[ItemVerdict, ...] = ()  # what was got, for the trace in a diff

    def __str__(self) -> str:
        where = f"{self.clause} ({self.on})" if self.on else self.clause
        return f"{self.account}: {where}: expected {self.expected}, got {self.got}"


def _detail(value) -> tuple[str, tuple[str, ...], tuple[str, ...] | None] | None:
    if isinstance(value, str):
        return value, (), None
    if isinstance(value, dict) and "verdict" in value:
        because = value.get("because") or ()
        possible = value.get("possible")
        return (str(value["verdict"]), tuple(str(b) for b in because),
                None if possible is None else tuple(sorted(str(v) for v in possible)))
    return None


def _mine(result: ScenarioResult) -> bool:
    """The expectations are for the policy the scenario was checked under."""
    return result.scenario.model.expect.applies_to(result.policy.id)


def expected(result: ScenarioResult) -> list[Expected]:
    out: list[Expected] = []
    if not _mine(result):
        return out
    for account, by_clause in result.scenario.model.expect.by_account().items():
        for clause, wanted in (by_clause or {}).items():
            whole = _detail(wanted)
            if whole is not None:
                out.append(Expected(account, clause, None, *whole))
                continue
            for label, value in wanted.items():
                detail = _detail(value)
                if detail is not None:
                    out.append(Expected(account, clause, str(label), *detail))
    return out


def count(result: ScenarioResult) -> int:
    """How many things the scenario expects."""
    expect = result.scenario.model.expect
    if not _mine(result):
        return 0
    n = len(expected(result)) + (expect.contested is not None)
    return n + len(expect.deciding or {}) + len(expect.undetermined or {})


def mismatches(result: ScenarioResult) -> list[Mismatch]:
    out = []
    accounts = {a.account.id: a for a in result.accounts}
    for e in expected(result):
        acc = accounts.get(e.account)
        if acc is None:
            continue
        cv = acc.clause(e.clause)
        items = cv.items if e.on is None else tuple(i for i in cv.items if i.label == e.on)
        got = cv.verdict if e.on is None else (items[0].verdict if items else "not_applicable")
        if got != e.verdict:
            out.append(Mismatch(e.account, e.clause, e.on, e.verdict, got, items))
            continue
        if e.possible is not None:
            got_possible = cv.possible if e.on is None else (items[0].possible if items
                                                             else ("not_applicable",))
            if tuple(sorted(got_possible)) != e.possible:
                out.append(Mismatch(e.account, e.clause, e.on, f"{e.verdict}: {' or '.join(e.possible)}",
                                    f"{got}: {' or '.join(sorted(got_possible))}", items))
                continue
        mentioned = {r for i in items for step in (i.trigger, i.requirement) if step
                     for r in refs(prune(step))}
        mentioned |= {r for i in items for r in case_refs(i)}
        absent = [b for b in e.because if not any(r == b or r.endswith(f".{b}") for r in mentioned)]
        if absent:
            out.append(Mismatch(e.account, e.clause, e.on, f"{e.verdict} because of {_show(e.because)}",
                                f"{got}, without {_show(absent)} in its reason", items))
    if _mine(result):
        out += _set_mismatches(result)
    return out


def _show(items) -> str:
    return "[" + ", ".join(sorted(items)) + "]"


def _set_mismatches(result: ScenarioResult) -> list[Mismatch]:
    """The scenario-wide expectations: contested clauses, deciding facts, undetermined sets."""
    expect = result.scenario.model.expect
    out = []
    if expect.contested is not None:
        got = {c.id for c in result.clauses if result.contested(c.id)}
        if got != set(expect.contested):
            out.append(Mismatch("all accounts", "contested", None, _show(expect.contested), _show(got)))
    for clause_id, keys in (expect.deciding or {}).items():
        got = {f.key for d in result.disputes.get(clause_id, ()) for f in d.facts}
        if got != set(keys):
            out.append(Mismatch("all accounts", clause_id, "deciding facts", _show(keys), _show(got)))
    for acc in result.accounts:
        wanted = (expect.undetermined or {}).get(acc.account.id)
        if wanted is None:
            continue
        got = {c.clause.id for c in acc.clauses if c.verdict == "undetermined"}
        if got != set(wanted):
            out.append(Mismatch(acc.account.id, "undetermined", None, _show(wanted), _show(got)))
    return out


def unexpected(result: ScenarioResult) -> list[tuple[str, str]]:
    """Implicated clauses (under any account) that have no expectation for some account."""
    by_account = result.scenario.model.expect.by_account()
    missing = []
    for clause in result.clauses:
        if not result.implicated(clause.id):
            continue
        for acc in result.accounts:
            if clause.id not in (by_account.get(acc.account.id) or {}):
                missing.append((acc.account.id, clause.id))
    return missing

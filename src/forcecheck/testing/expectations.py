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

A file read under several policies holds a list of such blocks, each naming its `policy:`;
the block for the policy a result was checked under is the one compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from forcecheck.evaluation.explain import case_refs, prune, refs
from forcecheck.evaluation.results import ItemVerdict, ScenarioResult
from forcecheck.scenario.schema import ExpectModel


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


def block(result: ScenarioResult) -> ExpectModel | None:
    """The expectations for the policy the scenario was checked under (None: the file has none
    for it)."""
    found = result.scenario.model.expectations(result.policy.id)
    return found[0] if found else None


def expected(result: ScenarioResult) -> list[Expected]:
    out: list[Expected] = []
    expect = block(result)
    if expect is None:
        return out
    for account, by_clause in expect.by_account().items():
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
    expect = block(result)
    if expect is None:
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
    expect = block(result)
    if expect is not None:
        out += _set_mismatches(result, expect)
    return out


def _show(items) -> str:
    return "[" + ", ".join(sorted(items)) + "]"


def _set_mismatches(result: ScenarioResult, expect: ExpectModel) -> list[Mismatch]:
    """The scenario-wide expectations: contested clauses, deciding facts, undetermined sets."""
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
    """Implicated clauses (under any account) that have no expectation for some account, under
    the policy the scenario was checked under."""
    expect = block(result)
    by_account = expect.by_account() if expect is not None else {}
    missing = []
    for clause in result.clauses:
        if not result.implicated(clause.id):
            continue
        for acc in result.accounts:
            if clause.id not in (by_account.get(acc.account.id) or {}):
                missing.append((acc.account.id, clause.id))
    return missing

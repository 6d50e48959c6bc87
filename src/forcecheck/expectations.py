"""Compare a scenario's `expect:` block with what the policy gives.

An expectation names an account, a clause, and either the clause's overall verdict for that
account (`met`) or a verdict per thing it applies to (`{shots: breached}`, where the key is
the ids the clause ranges over, joined by "/").
"""

from __future__ import annotations

from dataclasses import dataclass

from forcecheck.evaluate import ScenarioResult


@dataclass(frozen=True, slots=True)
class Mismatch:
    account: str
    clause: str
    on: str | None  # None: the clause's overall verdict
    expected: str
    got: str

    def __str__(self) -> str:
        where = f"{self.clause} ({self.on})" if self.on else self.clause
        return f"{self.account}: {where}: expected {self.expected}, got {self.got}"


def mismatches(result: ScenarioResult) -> list[Mismatch]:
    out = []
    expect = result.scenario.model.expect
    by_account = expect.by_account()
    for acc in result.accounts:
        for clause_id, wanted in by_account.get(acc.account.id, {}).items():
            cv = acc.clause(clause_id)
            if isinstance(wanted, str):
                if cv.verdict != wanted:
                    out.append(Mismatch(acc.account.id, clause_id, None, wanted, cv.verdict))
                continue
            got = {i.label: i.verdict for i in cv.items}
            for label, verdict in wanted.items():
                have = got.get(label, "not_applicable")
                if have != verdict:
                    out.append(Mismatch(acc.account.id, clause_id, label, verdict, have))
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
            if clause.id not in by_account.get(acc.account.id, {}):
                missing.append((acc.account.id, clause.id))
    return missing

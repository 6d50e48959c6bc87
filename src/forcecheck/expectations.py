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
        where = f"{self.clause}[{self.on}]" if self.on else self.clause
        return f"{self.account}: {where}: expected {self.expected}, got {self.got}"


def mismatches(result: ScenarioResult) -> list[Mismatch]:
    out = []
    expect = result.scenario.model.expect
    for acc in result.accounts:
        for clause_id, wanted in expect.get(acc.account.id, {}).items():
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
    return out


def unexpected(result: ScenarioResult) -> list[tuple[str, str]]:
    """Implicated clauses (under any account) that have no expectation for some account."""
    expect = result.scenario.model.expect
    missing = []
    for clause in result.clauses:
        if not result.implicated(clause.id):
            continue
        for acc in result.accounts:
            if clause.id not in expect.get(acc.account.id, {}):
                missing.append((acc.account.id, clause.id))
    return missing

"""Verdicts only: the cheap depth of `evaluate`, for a batch of thousands of scenarios.

Each verdict is the exact one, from the same engine calls the full evaluation makes
(`clause_outcome` over the completions the constraints allow); what this depth leaves out is
the costly part of a report: traces, the smallest sets of facts that decide a contested clause,
and the answers that would settle an undetermined verdict. In their place it records, cheaply,
the facts the accounts state differently that a contested clause reads, and the unknown facts
each undetermined verdict read on its first pass.
"""

from __future__ import annotations

from forcecheck.engine.analysis import OpenQuestion, Unknown, constraint_reads, differing_facts, unknown_of
from forcecheck.engine.constraints import Constraints
from forcecheck.engine.exact import clause_outcome
from forcecheck.evaluation.results import AccountResult, Analysis, ClauseVerdict, ItemVerdict, ScenarioResult
from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy, World
from forcecheck.scenario.scenario import Account, Scenario


def verdicts_only(compiled: CompiledPolicy, scenario: Scenario, accounts: list[Account],
                  clauses: list[m.Clause]) -> ScenarioResult:
    """Every chosen clause under every chosen account: verdicts, the verdicts still possible,
    the facts behind each contested clause and the open questions, most waited on first."""
    policy = compiled.policy
    results: list[AccountResult] = []
    worlds: dict[str, World] = {}
    constraints_of: dict[str, Constraints] = {}
    unknowns: dict[tuple, Unknown | None] = {}
    waits: dict[tuple, list[tuple[str, str, str]]] = {}  # unknown -> the verdicts waiting on it
    for account in accounts:
        # The world and constraints the load's consistency check built, when they are this one's.
        found = scenario.checked.get(account.id) if not account.unsettled else None
        world, constraints = found if found else (scenario.world(account), None)
        worlds[account.id] = world
        constraints_of[account.id] = constraints = constraints or Constraints(compiled, world)
        verdicts = []
        for clause in clauses:
            outcomes, possible = clause_outcome(compiled, clause, world, constraints)
            items = []
            for o in outcomes:
                item = ItemVerdict(tuple(o.env.items()), o.verdict, None,
                                   possible=o.possible.verdicts, exact=o.possible.exact)
                if o.verdict == "undetermined":
                    for var in sorted(o.reads):
                        if var not in unknowns:
                            unknowns[var] = unknown_of(policy, world, var)
                        waits.setdefault(var, []).append((account.id, clause.id, item.label))
                items.append(item)
            verdicts.append(ClauseVerdict(clause, possible.verdict, tuple(items), possible.verdicts,
                                          possible.exact))
        results.append(AccountResult(account, tuple(verdicts)))
    result = ScenarioResult(scenario, policy, tuple(results), Analysis(questions=_questions(unknowns, waits)),
                            depth="verdicts")
    return _with_differing(result, compiled, worlds, constraints_of)


def _questions(unknowns: dict[tuple, Unknown | None],
               waits: dict[tuple, list[tuple[str, str, str]]]) -> tuple[OpenQuestion, ...]:
    """Facts a scenario can state before questions of the policy; then by how many (account,
    clause) verdicts wait on each."""
    found = [(var, u) for var, u in unknowns.items() if u is not None]
    found.sort(key=lambda vu: (vu[1].subject == "policy", -len({(a, c) for a, c, _ in waits[vu[0]]}),
                               vu[1].key))
    return tuple(OpenQuestion(u, tuple(waits[var])) for var, u in found)


def _with_differing(result: ScenarioResult, compiled: CompiledPolicy, worlds: dict[str, World],
                    constraints_of: dict[str, Constraints]) -> ScenarioResult:
    """For each contested clause, the facts the accounts state differently that it reads (or
    that a constraint ties to one it reads)."""
    ids = [a.account.id for a in result.accounts]
    tied = None
    for clause in result.clauses:
        if result.contested(clause.id):
            if tied is None:  # what the constraints read is the same for every clause
                tied = [constraint_reads(compiled, worlds[a], constraints_of[a]) for a in ids]
            keys = differing_facts(compiled, clause, [worlds[a] for a in ids], tied)
            result.differing[clause.id] = tuple(f"{s}.{f}" for s, f in keys)
    return result

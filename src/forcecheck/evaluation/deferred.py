"""The analysis of an evaluation, run once, when it is first read.

Verdicts and traces say what each account implies; the analysis says what would change that:
for each undetermined verdict the smallest answers to its unknowns that would settle it
(`engine.analysis.settle`), for each contested clause the smallest set of facts that turns
one account's verdicts into another's (`dispute`), and the open questions ranked by how many
verdicts they settle. On a large scenario it is most of what a report costs (a hundred shots
make well over a thousand undetermined verdicts, each a search), and several outputs never
read it: `validate`, whose W010 warning can usually be ruled out from the unknowns each
verdict waits on (`lints.py`), and `forcecheck test`, which compares verdicts. So `evaluate`
records what each search needs, and `Deferred` runs them all, in the order an eager
evaluation would and under the same shared work budget, the first time any of it is read:
the results are the same whichever output asks first.
"""

from __future__ import annotations

import itertools

from forcecheck.engine.analysis import (
    Budget,
    Candidates,
    Dispute,
    DisputedFact,
    OpenQuestion,
    Position,
    Unknown,
    dispute,
    settle,
)
from forcecheck.engine.constraints import Constraints
from forcecheck.engine.reads import fact_spec
from forcecheck.evaluation.results import AccountResult, Analysis, ItemVerdict
from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy, Env, World
from forcecheck.scenario.scenario import Scenario


class Deferred:
    """The searches of one evaluation's analysis, recorded as its items are made and run
    together when one of their answers is first asked for (see the module's docstring)."""

    def __init__(self, compiled: CompiledPolicy, scenario: Scenario, clauses: list[m.Clause],
                 budget: Budget, share: int = 0):
        self.compiled, self.scenario, self.clauses = compiled, scenario, clauses
        self.budget = budget
        self.share = share  # evaluations one verdict's search may spend (set once verdicts are known)
        self.pending: list[tuple[ItemVerdict, m.Clause, World, Env, Constraints, tuple[str, ...],
                                 Candidates]] = []
        self.accounts: list[AccountResult] = []
        self.worlds: dict[str, World] = {}
        self.split = 0  # where the hypothetical's items start in `pending`
        self.done: Analysis | None = None
        self.running = False

    def add(self, item: ItemVerdict, clause: m.Clause, world: World, env: Env, constraints: Constraints,
            possible: tuple[str, ...], found: Candidates) -> None:
        """A verdict whose settling search the analysis will run, into `item.settled`."""
        self.pending.append((item, clause, world, env, constraints, possible, found))

    def accounts_made(self, results: list[AccountResult], worlds: dict[str, World]) -> None:
        """The accounts are made: their disputes come next, then the hypothetical's searches."""
        self.accounts, self.worlds, self.split = results, worlds, len(self.pending)

    def __call__(self) -> Analysis:
        if self.done is not None:
            return self.done
        if self.running:
            raise RuntimeError("the analysis asked for its own answers while working them out")
        self.running = True
        try:
            disputes: dict[str, tuple[Dispute, ...]] = {}
            for n, (item, clause, world, env, constraints, possible, found) in enumerate(self.pending):
                if n == self.split:
                    disputes = self._disputes()
                _, settlements, complete = settle(self.compiled, clause, world, env, constraints, possible,
                                                  self.share, self.budget, found)
                object.__setattr__(item, "settled", (settlements, complete))
            if self.split == len(self.pending):
                disputes = self._disputes()
            self.done = Analysis(disputes, questions(self.accounts), self.budget.cut)
            self.pending = []  # nothing more to search: let the worlds and constraints go
        finally:
            self.running = False
        return self.done

    def _disputes(self) -> dict[str, tuple[Dispute, ...]]:
        return disputes(self.compiled, self.scenario, self.accounts, self.worlds, self.clauses, self.budget)


ALL_PAIRS = 6  # up to this many accounts, every pair that differs is explained


def disputes(compiled: CompiledPolicy, scenario: Scenario, results: list[AccountResult],
             worlds: dict[str, World], clauses: list[m.Clause],
             budget: Budget | None = None) -> dict[str, tuple[Dispute, ...]]:
    """For each contested clause and each pair of accounts that differ on it, a smallest
    set of facts that flips one account's verdict to the other's, in both directions when
    the two sets differ. With more than `ALL_PAIRS` accounts, the first account with each
    distinct set of possible verdicts stands for the others that share it, so the pairs
    stay few (at most 42 per clause) however many accounts there are."""
    out: dict[str, tuple[Dispute, ...]] = {}
    for clause in clauses:
        found: list[Dispute] = []
        among = results
        if len(results) > ALL_PAIRS:
            first: dict[tuple[str, ...], AccountResult] = {}
            for r in results:
                first.setdefault(r.clause(clause.id).possible, r)
            among = list(first.values())
        for a, b in itertools.permutations(among, 2):
            va, vb = a.clause(clause.id).possible, b.clause(clause.id).possible
            if va == vb:
                continue
            if budget is not None and budget.left <= 0:
                budget.cut += 1
                continue
            keys, smallest = dispute(compiled, clause, worlds[a.account.id], worlds[b.account.id], budget)
            if any(set(keys) == {(f.subject, f.fact) for f in d.facts} and
                   {d.from_account, d.to_account} == {a.account.id, b.account.id} for d in found):
                continue  # the same facts decide it both ways: say it once
            facts = tuple(disputed_fact(compiled.policy, scenario, results, worlds, k) for k in keys)
            found.append(Dispute(clause.id, a.account.id, b.account.id, va, vb, facts, smallest))
        if found:
            out[clause.id] = tuple(found)
    return out


def disputed_fact(policy: m.Policy, scenario: Scenario, results: list[AccountResult],
                  worlds: dict[str, World], key: tuple[str, str]) -> DisputedFact:
    positions = []
    question = key[1]
    for r in results:
        world = worlds[r.account.id]
        spec = fact_spec(policy, world, *key)
        question = spec.question if spec else question
        st = scenario.statement(r.account, key)
        positions.append(Position(r.account.id, world.values.get(key), st.stated_by if st else None,
                                  st.source if st else None, st.quote if st else None,
                                  st.note if st else None, st.inferred if st else False))
    return DisputedFact(key[0], key[1], question, tuple(positions))


def questions(results: list[AccountResult]) -> tuple[OpenQuestion, ...]:
    """Unknown facts ranked by how many undetermined verdicts a settlement of theirs decides."""
    decides: dict[str, list[tuple[str, str, str]]] = {}
    unknowns: dict[str, Unknown] = {}
    for r in results:
        for cv in r.clauses:
            for item in cv.items:
                keys = {u.key for s in item.settlements for u, _ in s.assignments}
                keys |= {u.key for u in item.unknowns if not u.values}
                for u in item.unknowns:
                    if u.key in keys:
                        unknowns[u.key] = u
                        decides.setdefault(u.key, []).append((r.account.id, cv.clause.id, item.label))
    # Facts a scenario can state come before questions of the policy it cannot.
    ranked = sorted(unknowns, key=lambda k: (unknowns[k].subject == "policy", -len(decides[k]), k))
    return tuple(OpenQuestion(unknowns[k], tuple(decides[k])) for k in ranked)

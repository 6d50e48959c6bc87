"""Evaluate a scenario, account by account, and explain every verdict.

For each account the world is the undisputed facts plus that account's statements; a fact
neither states is unknown. Each clause is evaluated for each thing it applies to with the
compiled closures; then the explainer (`explain.py`) walks the same nodes, asking the same
closures for their values, and writes a `Step` tree a reviewer can read without knowing the
rule language. For an undetermined verdict, each unknown fact that was read is tried with
every value it can take, to say which facts would settle the verdict and which way.

The report model is built (`report/build.py`) from the `ScenarioResult` made here
(`results.py`); renderers read only that model.
"""

from __future__ import annotations

import itertools

from forcecheck.diagnostics import Diagnostic, InputError
from forcecheck.engine.analysis import (
    MAX_EVALUATIONS,
    MIN_EVALUATIONS,
    Budget,
    Dispute,
    DisputedFact,
    OpenQuestion,
    Position,
    Unknown,
    dispute,
)
from forcecheck.engine.constraints import Constraints
from forcecheck.engine.exact import clause_outcome
from forcecheck.engine.reads import fact_spec
from forcecheck.evaluation.explain import Explainer
from forcecheck.evaluation.results import (
    AccountResult,
    Change,
    ClauseVerdict,
    HypotheticalResult,
    ScenarioResult,
)
from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy, World
from forcecheck.scenario.scenario import Account, Hypothesis, Scenario


def evaluate(compiled: CompiledPolicy, scenario: Scenario, accounts: list[str] | None = None,
             clauses: list[str] | None = None, hypothesis: Hypothesis | None = None,
             analyse: bool = True, depth: str = "full") -> ScenarioResult:
    """Every clause (or those named) under every account (or those named), why contested
    clauses differ, the open questions, and, if asked, one hypothetical. With
    `analyse=False`, verdicts and traces only (for measuring what the analysis costs); with
    `depth="verdicts"`, verdicts only, as a batch record needs them (see `verdicts.py`)."""
    policy = compiled.policy
    chosen = [c for c in policy.clauses if clauses is None or c.id in clauses]
    if depth == "verdicts":
        if hypothesis is not None:
            raise ValueError("a hypothetical needs the full depth")
        from forcecheck.evaluation.verdicts import verdicts_only

        return verdicts_only(compiled, scenario, [a for a in scenario.accounts
                                                  if accounts is None or a.id in accounts], chosen)
    if depth != "full":
        raise ValueError(f"no depth '{depth}': verdicts or full")
    budget = Budget()
    worlds: dict[str, World] = {}
    outcomes = []
    for account in scenario.accounts:
        if accounts is not None and account.id not in accounts:
            continue
        worlds[account.id] = scenario.world(account)
        outcomes.append((account, _outcomes(compiled, worlds[account.id], chosen)))
    # What would settle each open verdict shares the scenario's budget: a share per open
    # verdict while it lasts, so the analysis grows no faster than the verdicts do.
    open_items = sum(1 for _, computed in outcomes for _, items, _ in computed for o in items
                     if o.verdict == "undetermined")
    share = max(MIN_EVALUATIONS, min(MAX_EVALUATIONS, budget.left // max(1, open_items)))
    results = [_explain(compiled, scenario, account, worlds[account.id], computed, analyse, share, budget)
               for account, computed in outcomes]
    disputes = _disputes(compiled, scenario, results, worlds, chosen, budget) if analyse else {}
    hypothetical = None
    if hypothesis is not None:
        account = scenario.hypothetical(hypothesis)
        world = scenario.world(account)
        _refuse_inconsistent(compiled, world, hypothesis)
        base = next((a for a in scenario.accounts if a.id == hypothesis.base), None)

        def before(key):
            st = scenario.statement(base, key) if base else scenario.undisputed.get(key)
            return st.value if st else None

        changes = tuple(
            Change(subj, fact, _question(policy, world, subj, fact), before((subj, fact)), value)
            for subj, fact, value in hypothesis.facts
        ) + tuple(Change("policy", name, policy.unsettled[name].question, None, value)
                  for name, value in hypothesis.unsettled)
        computed = _outcomes(compiled, world, chosen)
        hypothetical = HypotheticalResult(
            _explain(compiled, scenario, account, world, computed, analyse, share, budget),
            hypothesis.base, changes)
    return ScenarioResult(scenario, policy, tuple(results), disputes, _questions(results), hypothetical,
                          budget.cut)


def _refuse_inconsistent(compiled: CompiledPolicy, world: World, hypothesis: Hypothesis) -> None:
    """A hypothesis no completion can satisfy is refused, naming the constraint it breaks."""
    constraints = Constraints(compiled, world)
    problems = []
    for group in constraints.conflicts(world):
        names = ", ".join(dict.fromkeys(f"'{i.name}'" for i in group))
        on = ", ".join(dict.fromkeys(i.label for i in group if i.label))
        problems.append(Diagnostic(None, "U006", f"the hypothesis breaks the policy's constraint "
                                   f"{names} (on {on}): {group[0].reason}",
                                   "assume values the policy allows together; see the constraint in "
                                   "the policy file"))
    if problems:
        start = f"account '{hypothesis.base}'" if hypothesis.base else "the undisputed facts"
        problems.insert(0, Diagnostic(None, "U006", f"--assume: no completion of {start} with these "
                                      "assumptions is allowed by the policy"))
        raise InputError(problems)


def _outcomes(compiled: CompiledPolicy, world: World, clauses: list[m.Clause]):
    constraints = Constraints(compiled, world)
    return [(clause, *clause_outcome(compiled, clause, world, constraints)) for clause in clauses]


def _explain(compiled: CompiledPolicy, scenario: Scenario, account: Account, world: World, computed,
             analyse: bool, share: int, budget: Budget) -> AccountResult:
    constraints = Constraints(compiled, world)
    explainer = Explainer(compiled, scenario, account, analyse, share, budget)
    verdicts = []
    for clause, outcomes, possible in computed:
        items = tuple(explainer.item(clause, world, o, constraints) for o in outcomes)
        verdicts.append(ClauseVerdict(clause, possible.verdict, items, possible.verdicts, possible.exact))
    return AccountResult(account, tuple(verdicts))


def _question(policy: m.Policy, world: World, subject: str, fact: str) -> str:
    spec = fact_spec(policy, world, subject, fact)
    return spec.question if spec else fact


ALL_PAIRS = 6  # up to this many accounts, every pair that differs is explained


def _disputes(compiled: CompiledPolicy, scenario: Scenario, results: list[AccountResult],
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
            facts = tuple(_disputed_fact(compiled.policy, scenario, results, worlds, k) for k in keys)
            found.append(Dispute(clause.id, a.account.id, b.account.id, va, vb, facts, smallest))
        if found:
            out[clause.id] = tuple(found)
    return out


def _disputed_fact(policy: m.Policy, scenario: Scenario, results: list[AccountResult],
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


def _questions(results: list[AccountResult]) -> tuple[OpenQuestion, ...]:
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

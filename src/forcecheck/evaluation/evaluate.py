"""Evaluate a scenario, account by account, and explain every verdict.

For each account the world is the undisputed facts plus that account's statements; a fact
neither states is unknown. Each clause is evaluated for each thing it applies to with the
compiled closures; then the explainer (`explain.py`) walks the same nodes, asking the same
closures for their values, and writes a `Step` tree a reviewer can read without knowing the
rule language (when the trace is first read: most outputs show few). For an undetermined
verdict, each unknown fact that was read is tried with every value it can take, to say which
facts would settle the verdict and which way: that analysis (`deferred.py`) runs, for every
verdict at once, when it is first read, or at once unless `lazy`.

The report model is built (`report/build.py`) from the `ScenarioResult` made here
(`results.py`); renderers read only that model.
"""

from __future__ import annotations

from forcecheck.diagnostics import Diagnostic, InputError
from forcecheck.engine.analysis import MAX_EVALUATIONS, MIN_EVALUATIONS, Budget
from forcecheck.engine.constraints import Constraints
from forcecheck.engine.exact import clause_outcome
from forcecheck.engine.reads import fact_spec
from forcecheck.evaluation.deferred import Deferred, questions
from forcecheck.evaluation.explain import Explainer
from forcecheck.evaluation.results import (
    AccountResult,
    Analysis,
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
             analyse: bool = True, depth: str = "full", lazy: bool = False) -> ScenarioResult:
    """Every clause (or those named) under every account (or those named), why contested
    clauses differ, the open questions, and, if asked, one hypothetical. With
    `analyse=False`, verdicts and traces only (for measuring what the analysis costs); with
    `depth="verdicts"`, verdicts only, as a batch record needs them (see `verdicts.py`). With
    `lazy`, the analysis runs when first read (`deferred.py`), with the same results."""
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
    deferred = Deferred(compiled, scenario, chosen, Budget()) if analyse else None
    worlds: dict[str, World] = {}
    outcomes = []
    for account in scenario.accounts:
        if accounts is not None and account.id not in accounts:
            continue
        world, constraints = _world(compiled, scenario, account)
        worlds[account.id] = world
        outcomes.append((account, constraints, _outcomes(compiled, world, chosen, constraints)))
    # What would settle each open verdict shares the scenario's budget: a share per open
    # verdict while it lasts, so the analysis grows no faster than the verdicts do.
    open_items = sum(1 for _, _, computed in outcomes for _, items, _ in computed for o in items
                     if o.verdict == "undetermined")
    if deferred is not None:
        left = deferred.budget.left
        deferred.share = max(MIN_EVALUATIONS, min(MAX_EVALUATIONS, left // max(1, open_items)))
    results = [_explain(compiled, scenario, account, worlds[account.id], constraints, computed, deferred)
               for account, constraints, computed in outcomes]
    if deferred is not None:
        deferred.accounts_made(results, worlds)
    hypothetical = _hypothetical(compiled, scenario, hypothesis, chosen, deferred) if hypothesis else None
    analysis = deferred or Analysis(questions=questions(results))
    result = ScenarioResult(scenario, policy, tuple(results), analysis, hypothetical)
    if not lazy:
        result.analysis  # noqa: B018 - run it now
    return result


def _world(compiled: CompiledPolicy, scenario: Scenario, account: Account) -> tuple[World, Constraints]:
    """The account's world and its constraints: those the load's consistency check built,
    when they are this account's."""
    found = scenario.checked.get(account.id) if not account.unsettled else None
    if found:
        return found
    world = scenario.world(account)
    return world, Constraints(compiled, world)


def _hypothetical(compiled: CompiledPolicy, scenario: Scenario, hypothesis: Hypothesis,
                  chosen: list[m.Clause], deferred: Deferred | None) -> HypotheticalResult:
    policy = compiled.policy
    account = scenario.hypothetical(hypothesis)
    world = scenario.world(account)
    constraints = _refuse_inconsistent(compiled, world, hypothesis)
    base = next((a for a in scenario.accounts if a.id == hypothesis.base), None)

    def before(key):
        st = scenario.statement(base, key) if base else scenario.undisputed.get(key)
        return st.value if st else None

    changes = tuple(
        Change(subj, fact, _question(policy, world, subj, fact), before((subj, fact)), value)
        for subj, fact, value in hypothesis.facts
    ) + tuple(Change("policy", name, policy.unsettled[name].question, None, value)
              for name, value in hypothesis.unsettled)
    computed = _outcomes(compiled, world, chosen, constraints)
    return HypotheticalResult(_explain(compiled, scenario, account, world, constraints, computed, deferred),
                              hypothesis.base, changes)


def _refuse_inconsistent(compiled: CompiledPolicy, world: World, hypothesis: Hypothesis) -> Constraints:
    """A hypothesis no completion can satisfy is refused, naming the constraint it breaks.
    Returns the world's constraints."""
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
    return constraints


def _outcomes(compiled: CompiledPolicy, world: World, clauses: list[m.Clause], constraints: Constraints):
    return [(clause, *clause_outcome(compiled, clause, world, constraints)) for clause in clauses]


def _explain(compiled: CompiledPolicy, scenario: Scenario, account: Account, world: World,
             constraints: Constraints, computed, deferred: Deferred | None) -> AccountResult:
    explainer = Explainer(compiled, scenario, account, deferred)
    verdicts = []
    for clause, outcomes, possible in computed:
        items = tuple(explainer.item(clause, world, o, constraints) for o in outcomes)
        verdicts.append(ClauseVerdict(clause, possible.verdict, items, possible.verdicts, possible.exact))
    return AccountResult(account, tuple(verdicts))


def _question(policy: m.Policy, world: World, subject: str, fact: str) -> str:
    spec = fact_spec(policy, world, subject, fact)
    return spec.question if spec else fact

"""Evaluate a scenario, account by account, and explain every verdict.

For each account the world is the undisputed facts plus that account's statements; a fact
neither states is unknown. Each clause is evaluated for each thing it applies to with the
compiled closures; then the explainer walks the same nodes, asking the same closures for
their values, and writes a `Step` tree a reviewer can read without knowing the rule
language. For an undetermined verdict, each unknown fact that was read is tried with every
value it can take, to say which facts would settle the verdict and which way.

The report model (`report/model.py`) is built from the `ScenarioResult` made here; renderers
read only that model. A step's `text` is the condition in words (people and events named by
what the scenario says they are), its `rule` the rule as written.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from forcecheck.diagnostics import Diagnostic, InputError
from forcecheck.engine.analysis import (
    MAX_EVALUATIONS,
    MIN_EVALUATIONS,
    Budget,
    Dispute,
    DisputedFact,
    OpenQuestion,
    Position,
    Settlement,
    Unknown,
    dispute,
    settle,
    unknown_of,
)
from forcecheck.engine.exact import (
    Case,
    Constraints,
    ItemOutcome,
    cases,
    clause_outcome,
    fact_spec,
)
from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy, Env, World
from forcecheck.scenario.load import Account, Hypothesis, Scenario, Statement


@dataclass(frozen=True, slots=True)
class FactUse:
    """A fact as it entered a verdict: the question, the value, and who stated it."""

    subject: str
    fact: str
    question: str
    value: object
    stated_by: str | None  # account id, "undisputed", or None when no one states it
    source: str | None
    source_title: str | None
    quote: str | None
    note: str | None
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """One condition in a trace, its value, and the conditions or facts it rests on."""

    kind: str
    text: str
    rule: str
    value: object
    children: tuple[Step, ...] = ()
    fact: FactUse | None = None
    quote: m.QuoteRef | None = None
    ref: str | None = None  # what the step is about: "subject.fact", a definition or question name


@dataclass(frozen=True, slots=True)
class ItemVerdict:
    """A clause's verdict for one thing it applies to, under one account."""

    on: tuple[tuple[str, str], ...]  # (variable, id)
    verdict: str  # exact: the one possible verdict, or "undetermined"
    trigger: Step | None
    requirement: Step
    unknowns: tuple[Unknown, ...] = ()  # for an undetermined verdict: what it waits on
    settlements: tuple[Settlement, ...] = ()  # and the smallest answers that would settle it
    search_complete: bool = True  # False when a bound of the search cut it short
    possible: tuple[str, ...] = ()  # every verdict some allowed completion gives
    exact: bool = True  # False when a bound left `possible` over-approximate
    # When the trace alone (unknowns and all) does not show the verdict: the unknown split
    # on first and what each of its values leaves possible ("if lethal: met; if not: met").
    case_on: Unknown | None = None
    cases: tuple[Case, ...] = ()

    @property
    def label(self) -> str:
        return "/".join(i for _, i in self.on) or "incident"


@dataclass(frozen=True, slots=True)
class ClauseVerdict:
    clause: m.Clause
    verdict: str
    items: tuple[ItemVerdict, ...]
    possible: tuple[str, ...] = ()
    exact: bool = True


@dataclass(frozen=True)
class AccountResult:
    account: Account
    clauses: tuple[ClauseVerdict, ...]

    def clause(self, clause_id: str) -> ClauseVerdict:
        return next(c for c in self.clauses if c.clause.id == clause_id)


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    policy: m.Policy
    accounts: tuple[AccountResult, ...]
    disputes: dict[str, tuple[Dispute, ...]]  # contested clause id -> why the accounts differ
    questions: tuple[OpenQuestion, ...]  # unknown facts, most decisive first
    hypothetical: HypotheticalResult | None = None  # never an account: shown apart
    analysis_cut: int = 0  # searches of the analysis the scenario's work budget cut short

    @property
    def clauses(self) -> tuple[m.Clause, ...]:
        return tuple(c.clause for c in self.accounts[0].clauses) if self.accounts else ()

    def verdicts(self, clause_id: str) -> dict[str, str]:
        return {a.account.id: a.clause(clause_id).verdict for a in self.accounts}

    def possible(self, clause_id: str) -> dict[str, tuple[str, ...]]:
        return {a.account.id: a.clause(clause_id).possible for a in self.accounts}

    def contested(self, clause_id: str) -> bool:
        """The accounts' possible verdicts differ."""
        return len(set(self.possible(clause_id).values())) > 1

    def implicated(self, clause_id: str) -> bool:
        hypo = [self.hypothetical.result.clause(clause_id).possible] if self.hypothetical else []
        return any(p != ("not_applicable",) for p in [*self.possible(clause_id).values(), *hypo])

    @property
    def breached(self) -> bool:
        """A binding clause (must / must not) breached under some account."""
        return any(c.verdict == "breached" and c.clause.binding
                   for a in self.accounts for c in a.clauses)


@dataclass(frozen=True)
class Change:
    """One assumption of a hypothetical, against the account it starts from."""

    subject: str
    fact: str
    question: str
    before: object
    after: object


@dataclass(frozen=True)
class HypotheticalResult:
    result: AccountResult
    base: str | None
    changes: tuple[Change, ...]


def evaluate(compiled: CompiledPolicy, scenario: Scenario, accounts: list[str] | None = None,
             clauses: list[str] | None = None, hypothesis: Hypothesis | None = None,
             analyse: bool = True) -> ScenarioResult:
    """Every clause (or those named) under every account (or those named), why contested
    clauses differ, the open questions, and, if asked, one hypothetical. With
    `analyse=False`, verdicts and traces only (for measuring what the analysis costs)."""
    policy = compiled.policy
    chosen = [c for c in policy.clauses if clauses is None or c.id in clauses]
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
    explainer = _Explainer(compiled, scenario, account, analyse, share, budget)
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


class Names:
    """People, events and actions as a reader knows them: by what the scenario and the
    policy's vocabulary say they are, never by rule syntax."""

    def __init__(self, policy: m.Policy, scenario: Scenario):
        self.policy = policy
        self.people = {p.id: p for p in scenario.model.people}
        self.events = {e.id: e for e in scenario.model.events}

    def person(self, pid: object) -> str:
        p = self.people.get(pid) if isinstance(pid, str) else None
        if p is None:
            return "nobody" if pid in ("", None) else str(pid)
        head = p.description.split(",", 1)[0].strip()
        return head if len(head) >= 8 else p.description

    def action(self, name: object) -> str:
        return self.policy.actions.get(name, str(name)) if isinstance(name, str) else str(name)

    def event(self, eid: object) -> str:
        """'"shots" (ICE agent standing in front of the vehicle fired a firearm at Renee Good)'."""
        e = self.events.get(eid) if isinstance(eid, str) else None
        if e is None:
            return "no event" if eid in ("", None) else str(eid)
        at = f" at {self.person(e.target)}" if e.target else ""
        return f'"{e.id}" ({self.person(e.actor)} {self.action(e.action)}{at})'

    def subject(self, sid: object) -> str:
        """A fact's subject, briefly: '"shots"' or 'Renee Nicole Good'; '' for the incident."""
        if sid in self.events:
            return f'"{sid}"'
        if sid in self.people:
            return self.person(sid)
        return "" if sid in ("incident", "policy") else str(sid)

    def value(self, v: object, type_: str | None) -> str:
        if type_ == m.PERSON:
            return self.person(v)
        if type_ == m.EVENT:
            return self.event(v)
        if type_ == m.ACTION:
            return self.action(v)
        return _show(v)

    def operand(self, n: m.Node, v: object, of: object = None) -> str:
        """A plain noun phrase for one side of a test, with its value (`of`: for an event's
        actor, target or action, the event)."""
        if isinstance(n, m.EventAttr):
            e = f'"{of}"' if isinstance(of, str) else "an unknown event"
            if n.attr == "action":
                return f"what was done in {e} ({self.action(v)})"
            if n.attr == "actor":
                return f"who acted in {e} ({self.person(v)})"
            return f"whom {e} was directed at ({self.person(v)})"
        if isinstance(n, m.Var):
            return self.value(v, n.type)
        if isinstance(n, m.Const):
            return self.value(v, n.type)
        if isinstance(n, m.FactRef):
            return f'the answer to "{n.spec.question}" ({_show(v)})'
        return _show(v)


class _Explainer:
    def __init__(self, compiled: CompiledPolicy, scenario: Scenario, account: Account,
                 analyse: bool = True, evaluations: int = MAX_EVALUATIONS, budget: Budget | None = None):
        self.names = Names(compiled.policy, scenario)
        self.budget = budget
        self.analyse = analyse
        self.evaluations = evaluations
        self.c = compiled
        self.policy = compiled.policy
        self.scenario = scenario
        self.account = account

    # -- verdicts and what would decide them ------------------------------------------------

    def item(self, clause: m.Clause, world: World, outcome: ItemOutcome,
             constraints: Constraints) -> ItemVerdict:
        env = outcome.env
        verdict, possible = outcome.verdict, outcome.possible
        trigger = self.step(clause.where, world, env) if clause.where is not None else None
        requirement = self.step(clause.requirement, world, env)
        if clause.requirement_kind == "forbids":
            requirement = Step("forbids", "this must not be so", clause.requirement.source,
                               None if requirement.value is None else not requirement.value,
                               (requirement,))
        on = tuple(env.items())
        base = dict(possible=possible.verdicts, exact=possible.exact)
        if outcome.kleene != "undetermined" or not self.analyse:
            return ItemVerdict(on, verdict, trigger, requirement, **base)
        if verdict != "undetermined":
            return ItemVerdict(on, verdict, trigger, requirement,
                               **self._cases(clause, world, env, constraints), **base)
        unknowns, settlements, complete = settle(self.c, clause, world, env, constraints,
                                                 possible.verdicts, self.evaluations, self.budget)
        return ItemVerdict(on, verdict, trigger, requirement, unknowns, settlements, complete, **base)

    def _cases(self, clause: m.Clause, world: World, env: Env, constraints: Constraints):
        split = cases(self.c, clause, world, env, constraints)
        if split is None:
            return ()
        var, by_value = split
        u = unknown_of(self.policy, world, var)
        return dict(case_on=u, cases=by_value) if u else {}

    # -- the trace --------------------------------------------------------------------------

    def step(self, n: m.Node, w: World, env: Env) -> Step:  # noqa: C901 - one case per node
        value = self.c.value(n, w, env)
        rule = _substitute(n.source, env)
        if isinstance(n, m.FactRef):
            return self._fact_step(n, w, env, value, rule)
        if isinstance(n, m.UnsettledRef):
            return Step("open", n.spec.question, n.source, value, ref=n.spec.name)
        if isinstance(n, m.DefCall):
            d = self.policy.definitions[n.name]
            args = tuple(self.c.value(a, w, env) for a in n.args)
            inner = {p: a for (p, _), a in zip(d.params, args, strict=True)}
            children = [self.step(d.body, w, inner)]
            for x in d.exceptions:
                ex = self.step(x.condition, w, inner)
                children.append(Step("exception", "except when (the policy's own words exclude it)",
                                     x.condition.source, ex.value, ex.children or (ex,), None,
                                     x.quote))
            shown = [self.names.subject(a) for a in args if a]
            label = f"{d.title} ({', '.join(shown)})" if shown else d.title
            return Step("definition", label, rule, value, _flatten(children), ref=d.name)
        if isinstance(n, m.AndNode):
            return Step("all", "all of these", rule, value,
                        tuple(self.step(o, w, env) for o in n.operands))
        if isinstance(n, m.OrNode):
            return Step("any", "at least one of these", rule, value,
                        tuple(self.step(o, w, env) for o in n.operands))
        if isinstance(n, m.NotNode):
            inner = self.step(n.operand, w, env)
            return Step("not", "it is not so that", rule, value, (inner,))
        if isinstance(n, m.QuantNode):
            return self._quantifier(n, w, env, value, rule)
        if isinstance(n, m.CompareNode | m.OrderNode):
            facts = tuple(self.step(o, w, env) for o in (n.left, n.right) if isinstance(o, m.FactRef))
            return Step("test", self._test_prose(n, w, env), n.source, value, facts)
        if isinstance(n, m.MemberNode | m.RoleNode):
            facts = (self.step(n.operand, w, env),) if isinstance(n.operand, m.FactRef) else ()
            return Step("test", self._test_prose(n, w, env), n.source, value, facts)
        return Step("value", rule, n.source, value)

    def _phrase(self, n: m.Node, w: World, env: Env) -> str:
        of = self.c.value(n.subject, w, env) if isinstance(n, m.EventAttr) else None
        return self.names.operand(n, self.c.value(n, w, env), of)

    def _test_prose(self, n: m.Node, w: World, env: Env) -> str:
        """A comparison as a sentence: 'who acted in "driving" (Renee Good) is whom "shots"
        was directed at (Renee Good)'."""
        if isinstance(n, m.CompareNode):
            op = {"==": "is", "!=": "is not", "<": "is less than", "<=": "is at most",
                  ">": "is more than", ">=": "is at least"}.get(n.op, n.op)
            return f"{self._phrase(n.left, w, env)} {op} {self._phrase(n.right, w, env)}"
        if isinstance(n, m.OrderNode):
            a, b = (self.c.value(o, w, env) for o in (n.left, n.right))
            return f"{self.names.event(a)} came {n.kind} {self.names.event(b)}"
        if isinstance(n, m.RoleNode):
            who = self._phrase(n.operand, w, env)
            article = "an" if n.role[:1] in "aeiou" else "a"
            return f"{who} {'is not' if n.negated else 'is'} {article} {n.role}"
        choices = sorted(n.choices)
        words = [self.names.action(c) if c in self.policy.actions else c for c in choices]
        return f"{self._phrase(n.operand, w, env)} is one of: {'; '.join(words)}"

    def _fact_step(self, n: m.FactRef, w: World, env: Env, value, rule: str) -> Step:
        subject = "incident" if n.subject is None else self.c.value(n.subject, w, env)
        st: Statement | None = None
        if subject is not None:
            st = self.scenario.statement(self.account, (subject, n.spec.name))
        use = FactUse(
            subject=subject or "nobody", fact=n.spec.name, question=n.spec.question, value=value,
            stated_by=st.stated_by if st else None, source=st.source if st else None,
            source_title=self.scenario.source_title(st.source) if st else None,
            quote=st.quote if st else None, note=st.note if st else None,
            inferred=st.inferred if st else False,
        )
        return Step("fact", n.spec.question, rule, value, (), use, ref=f"{use.subject}.{use.fact}")

    def _states_a_fact(self, body: m.Node, w: World, env: Env) -> bool:
        """Does some account or the undisputed facts state a fact this body reads directly?"""
        for ref in _facts_read(body):
            subject = "incident" if ref.subject is None else self.c.value(ref.subject, w, env)
            if subject and self.scenario.statement(self.account, (subject, ref.spec.name)):
                return True
        return False

    def _quantifier(self, n: m.QuantNode, w: World, env: Env, value, rule: str) -> Step:
        ids = w.ids(n.domain, n.role)
        what = "event" if n.domain == m.EVENT else (n.role or "person")
        # Show the members that make the result what it is, and those a stated fact rules
        # in or out (the car an account says was not driven at anyone); the rest is noise.
        wanted = {"any": (True, None), "none": (True, None), "all": (False, None)}[n.kind]
        children = []
        for i in ids:
            sub = {**env, n.var: i}
            if self.c.value(n.body, w, sub) in wanted or self._states_a_fact(n.body, w, sub):
                body = self.step(n.body, w, sub)
                label = self.names.value(i, n.domain)
                children.append(Step("member", f"for {label}", f"{n.var} = {i}", body.value, (body,)))
        lead = {"any": f"for at least one {what}", "all": f"for every {what}",
                "none": f"for no {what}"}[n.kind]
        if not children:
            if len(ids) == 1:
                lead += f" (the only {what} does not qualify)" if n.kind != "all" else \
                    f" (the only {what} qualifies)"
            else:
                lead += f" (none of the {len(ids)} {what}s qualifies)" if n.kind != "all" else \
                    f" (all {len(ids)} {what}s qualify)"
            if not ids:
                lead = {"any": f"for at least one {what}: there is no {what}",
                        "all": f"for every {what}: there is no {what}",
                        "none": f"for no {what}: there is no {what}"}[n.kind]
        return Step("quantifier", lead, rule, value, tuple(children))


def prune(step, rebuild=None):
    """Keep only the conditions that make a value what it is (the 'short' explanation).

    A true 'at least one of' needs only its true branches, a false 'all of' only its false
    ones. An unknown result keeps everything: what is known explains it as much as what is not.
    A definition made true by the timeline alone (no stated fact beneath it) keeps only its name.
    Works on any trace node with `kind`, `value`, `children` and `fact`; `rebuild(step,
    children)` makes the pruned node (default: a `Step`).
    """
    rebuild = rebuild or _rebuild
    kids = list(step.children)
    if step.kind in ("any", "definition", "all", "quantifier", "member", "exception"):
        if step.kind == "any" and step.value is True or step.kind != "any" and step.value is False:
            keep = [c for c in kids if c.value is step.value]
            kids = keep or kids
        if step.kind == "definition" and step.value is not False:
            kids = [c for c in kids if not (c.kind == "exception" and c.value is False)]
    if step.kind == "definition" and step.value is True and not _states(step):
        kids = []  # true from the timeline alone: the name says enough (see --explain full)
    pruned = [prune(c, rebuild) for c in kids]
    # An 'all of' / 'any of' left with one condition says nothing the condition does not.
    if step.kind in ("all", "any") and len(pruned) == 1:
        return pruned[0]
    return rebuild(step, pruned)


def _rebuild(step: Step, children: list[Step]) -> Step:
    return Step(step.kind, step.text, step.rule, step.value, tuple(children), step.fact, step.quote,
                step.ref)


def _states(step) -> bool:
    """Does some account or the undisputed facts state a fact this step rests on?"""
    if step.fact is not None and step.fact.stated_by is not None:
        return True
    return any(_states(c) for c in step.children)


def definition_readings(result: ScenarioResult, clause_id: str) -> list[m.DefinitionSpec]:
    """The definitions with a reading that the clause's verdicts rest on, in policy order."""
    used: set[str] = set()
    accounts = [*result.accounts, *([result.hypothetical.result] if result.hypothetical else [])]
    for a in accounts:
        for item in a.clause(clause_id).items:
            for step in (item.trigger, item.requirement):
                if step is not None:
                    used.update(refs(step))
    return [d for d in result.policy.definitions.values() if d.reading and d.name in used]


def case_refs(item: ItemVerdict):
    """The constraints (and the facts they read) that rule out a case of a settled verdict."""
    for case in item.cases:
        yield from case.ruled_out_by
        yield from (f"{s}.{f}" for s, f in case.given)


def refs(step: Step):
    """Every fact, definition and open question a trace mentions."""
    if step.ref:
        yield step.ref
    for c in step.children:
        yield from refs(c)


def _facts_read(n: m.Node):
    if isinstance(n, m.FactRef):
        yield n
    for child in _children(n):
        yield from _facts_read(child)


def _children(n: m.Node) -> tuple[m.Node, ...]:
    if isinstance(n, m.AndNode | m.OrNode):
        return n.operands
    if isinstance(n, m.NotNode | m.MemberNode | m.RoleNode):
        return (n.operand,)
    if isinstance(n, m.CompareNode | m.OrderNode):
        return (n.left, n.right)
    if isinstance(n, m.QuantNode):
        return (n.body,)
    if isinstance(n, m.DefCall):
        return n.args
    return ()


def _flatten(children: list[Step]) -> tuple[Step, ...]:
    """A definition whose body is a single 'all of' reads better without the extra level."""
    if len(children) == 1 and children[0].kind == "all":
        return children[0].children
    return tuple(children)


def _substitute(source: str, env: Env) -> str:
    if not env:
        return source
    return re.sub(r"\b([A-Za-z_][A-Za-z0-9_]*)\b(?=\.|\s|$|\)|,)",
                  lambda mt: env.get(mt.group(1), mt.group(1)) if mt.group(1) in env else mt.group(1),
                  source)


def _show(v: object) -> str:
    if v is True:
        return "yes"
    if v is False:
        return "no"
    if v is None:
        return "unknown"
    if v == "":
        return "nobody"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


show_value = _show


DECISIVE_SHARE = 3  # a fact is worth a warning when it helps settle a third of the open verdicts
DECISIVE_MIN = 3


def unstated_warnings(result: ScenarioResult) -> list[Diagnostic]:
    """A warning for the unstated fact most open verdicts hang on, at the person or event it
    is about: how many verdicts it helps settle and how to state it. Policy questions, which
    a scenario cannot state, never get one."""
    open_verdicts = sum(1 for a in result.accounts for c in a.clauses for i in c.items
                        if i.verdict == "undetermined")
    facts = [q for q in result.questions if q.unknown.subject != "policy"]
    if not facts:
        return []
    q = facts[0]
    count = len(q.decides)
    if count < DECISIVE_MIN or count * DECISIVE_SHARE < open_verdicts:
        return []
    u = q.unknown
    model = result.scenario.model
    loc: tuple = ()
    for group in ("people", "events"):
        ids = [x.id for x in getattr(model, group)]
        if u.subject in ids:
            loc = (group, ids.index(u.subject))
    values = " or ".join("yes" if v is True else "no" if v is False else str(v) for v in u.values)
    accounts = sorted({a for a, _, _ in q.decides})
    return [Diagnostic(result.scenario.doc.span(loc), "W010",
                       f"{u.key} is stated nowhere, and {count} of the {open_verdicts} undetermined "
                       f"verdicts (under {', '.join(accounts)}) wait on it: {u.question}",
                       f"state it under 'undisputed: facts:' (or in each account) as "
                       f"'{u.key}: {values}', with its source; leave it out only if no source says",
                       severity="warning")]

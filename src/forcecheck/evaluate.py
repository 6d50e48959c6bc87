"""Evaluate a scenario, account by account, and explain every verdict.

For each account the world is the undisputed facts plus that account's statements; a fact
neither states is unknown. Each clause is evaluated for each thing it applies to with the
compiled closures; then the explainer walks the same nodes, asking the same closures for
their values, and writes a `Step` tree a reviewer can read without knowing the rule
language. For an undetermined verdict, each unknown fact that was read is tried with every
value it can take, to say which facts would settle the verdict and which way.

Renderers (text, JSON) only read the `ScenarioResult` built here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from forcecheck import model as m
from forcecheck.compiler import CompiledPolicy, Env, World
from forcecheck.scenario import Account, Scenario, Statement

VERDICT_ORDER = ("breached", "undetermined", "met", "not_applicable")


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


@dataclass(frozen=True, slots=True)
class Outcome:
    value: object
    verdict: str


@dataclass(frozen=True, slots=True)
class Decider:
    """An unknown fact (or open question) that matters to an undetermined verdict."""

    subject: str
    fact: str
    question: str
    outcomes: tuple[Outcome, ...]  # empty for numbers and text: matters, cannot be enumerated

    @property
    def settles(self) -> bool:
        return any(o.verdict != "undetermined" for o in self.outcomes)


@dataclass(frozen=True, slots=True)
class ItemVerdict:
    """A clause's verdict for one thing it applies to, under one account."""

    on: tuple[tuple[str, str], ...]  # (variable, id)
    verdict: str
    trigger: Step | None
    requirement: Step
    deciders: tuple[Decider, ...]

    @property
    def label(self) -> str:
        return "/".join(i for _, i in self.on) or "incident"


@dataclass(frozen=True, slots=True)
class ClauseVerdict:
    clause: m.Clause
    verdict: str
    items: tuple[ItemVerdict, ...]


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

    @property
    def clauses(self) -> tuple[m.Clause, ...]:
        return tuple(c.clause for c in self.accounts[0].clauses) if self.accounts else ()

    def verdicts(self, clause_id: str) -> dict[str, str]:
        return {a.account.id: a.clause(clause_id).verdict for a in self.accounts}

    def contested(self, clause_id: str) -> bool:
        return len(set(self.verdicts(clause_id).values())) > 1

    def implicated(self, clause_id: str) -> bool:
        return any(v != "not_applicable" for v in self.verdicts(clause_id).values())

    @property
    def breached(self) -> bool:
        """A binding clause (must / must not) breached under some account."""
        return any(c.verdict == "breached" and c.clause.binding
                   for a in self.accounts for c in a.clauses)


def aggregate(verdicts) -> str:
    found = set(verdicts)
    return next((v for v in VERDICT_ORDER if v in found), "not_applicable")


def evaluate(compiled: CompiledPolicy, scenario: Scenario, accounts: list[str] | None = None,
             clauses: list[str] | None = None) -> ScenarioResult:
    """Every clause (or those named) under every account (or those named)."""
    policy = compiled.policy
    chosen = [c for c in policy.clauses if clauses is None or c.id in clauses]
    results = []
    for account in scenario.accounts:
        if accounts is not None and account.id not in accounts:
            continue
        world = scenario.world(account)
        explainer = _Explainer(compiled, scenario, account)
        verdicts = []
        for clause in chosen:
            items = [explainer.item(clause, world, env) for env in compiled.bindings(clause, world)]
            implicated = tuple(i for i in items if i.verdict != "not_applicable")
            verdicts.append(ClauseVerdict(clause, aggregate(i.verdict for i in implicated),
                                          implicated))
        results.append(AccountResult(account, tuple(verdicts)))
    return ScenarioResult(scenario, policy, tuple(results))


class _Recording(dict):
    """A values table that remembers which missing keys were asked for."""

    def __init__(self, data, missing: set):
        super().__init__(data)
        self.missing = missing

    def get(self, key, default=None):
        if key not in self:
            self.missing.add(key)
        return super().get(key, default)


class _Explainer:
    def __init__(self, compiled: CompiledPolicy, scenario: Scenario, account: Account):
        self.c = compiled
        self.policy = compiled.policy
        self.scenario = scenario
        self.account = account

    # -- verdicts and what would decide them ------------------------------------------------

    def item(self, clause: m.Clause, world: World, env: Env) -> ItemVerdict:
        verdict = self.c.verdict(clause, world, env)
        if verdict == "not_applicable":
            return ItemVerdict(tuple(env.items()), verdict, None, Step("none", "", "", None), ())
        trigger = self.step(clause.where, world, env) if clause.where is not None else None
        requirement = self.step(clause.requirement, world, env)
        if clause.requirement_kind == "forbids":
            requirement = Step("forbids", "this must not be so:", clause.requirement.source,
                               None if requirement.value is None else not requirement.value,
                               (requirement,))
        deciders = self.deciders(clause, world, env) if verdict == "undetermined" else ()
        return ItemVerdict(tuple(env.items()), verdict, trigger, requirement, deciders)

    def deciders(self, clause: m.Clause, world: World, env: Env) -> tuple[Decider, ...]:
        missing_facts: set = set()
        missing_open: set = set()
        probe = World(world.people, world.events, _Recording(world.values, missing_facts),
                      _Recording(world.unsettled, missing_open))
        self.c.verdict(clause, probe, env)
        out = []
        for name in sorted(missing_open):
            spec = self.policy.unsettled[name]
            outcomes = tuple(Outcome(v, self.c.verdict(clause, world.with_values({}, {name: v}), env))
                             for v in (True, False))
            out.append(Decider("policy", name, spec.question, outcomes))
        for key in sorted(missing_facts):
            spec = self._spec(world, *key)
            if spec is None:
                continue
            values = (True, False) if spec.kind == "yes_no" else spec.values
            outcomes = tuple(Outcome(v, self.c.verdict(clause, world.with_values({key: v}), env))
                             for v in values)
            out.append(Decider(key[0], key[1], spec.question, outcomes))
        return tuple(out)

    def _spec(self, world: World, subject: str, name: str) -> m.FactSpec | None:
        if subject == "incident":
            kind = "incident"
        elif subject in world.events:
            kind = "event"
        elif subject in world.people:
            kind = world.people[subject].role
        else:
            return None
        return self.policy.facts_about(kind).get(name)

    # -- the trace --------------------------------------------------------------------------

    def step(self, n: m.Node, w: World, env: Env) -> Step:  # noqa: C901 - one case per node
        value = self.c.value(n, w, env)
        rule = _substitute(n.source, env)
        if isinstance(n, m.FactRef):
            return self._fact_step(n, w, env, value, rule)
        if isinstance(n, m.UnsettledRef):
            return Step("open", n.spec.question, n.source, value)
        if isinstance(n, m.DefCall):
            d = self.policy.definitions[n.name]
            args = tuple(self.c.value(a, w, env) for a in n.args)
            inner = {p: a for (p, _), a in zip(d.params, args, strict=True)}
            children = [self.step(d.body, w, inner)]
            for x in d.exceptions:
                ex = self.step(x.condition, w, inner)
                children.append(Step("exception", "except when (by the policy's own words):",
                                     x.condition.source, ex.value, ex.children or (ex,), None,
                                     x.quote))
            label = f"{d.title} ({', '.join(str(a) for a in args if a)})" if any(args) else d.title
            return Step("definition", label, rule, value, _flatten(children))
        if isinstance(n, m.AndNode):
            return Step("all", "all of:", rule, value,
                        tuple(self.step(o, w, env) for o in n.operands))
        if isinstance(n, m.OrNode):
            return Step("any", "at least one of:", rule, value,
                        tuple(self.step(o, w, env) for o in n.operands))
        if isinstance(n, m.NotNode):
            inner = self.step(n.operand, w, env)
            return Step("not", "not:", rule, value, (inner,))
        if isinstance(n, m.QuantNode):
            return self._quantifier(n, w, env, value, rule)
        if isinstance(n, m.CompareNode | m.MemberNode | m.RoleNode | m.OrderNode):
            operands = [n.operand] if isinstance(n, m.MemberNode | m.RoleNode) else [n.left, n.right]
            facts, shown = [], []
            for o in operands:
                if isinstance(o, m.FactRef):
                    facts.append(self.step(o, w, env))
                elif not isinstance(o, m.Const | m.Var):
                    shown.append(f"{_substitute(o.source, env)} is {_show(self.c.value(o, w, env))}")
            if isinstance(n, m.OrderNode):
                a, b = (self.c.value(o, w, env) for o in (n.left, n.right))
                shown = [f"{x} is event {w.events[x].index + 1}" for x in (a, b) if x in w.events]
            text = rule + (f"  ({'; '.join(shown)})" if shown else "")
            return Step("test", text, n.source, value, tuple(facts))
        return Step("value", rule, n.source, value)

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
        )
        return Step("fact", n.spec.question, rule, value, (), use)

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
                children.append(Step("member", f"{n.var} = {i}:", "", body.value, (body,)))
        lead = {"any": f"for some {what} {n.var}:", "all": f"for every {what} {n.var}:",
                "none": f"for no {what} {n.var}:"}[n.kind]
        if not children:
            many = f"{len(ids)} {what}{'s' if len(ids) != 1 else ''}"
            lead += f"  (none of the {many} qualifies)" if n.kind != "all" else f"  (all {many} qualify)"
        return Step("quantifier", lead, rule, value, tuple(children))


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

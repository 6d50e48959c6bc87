"""The traces: how a verdict is explained in words, and how a trace is shortened and read.

The explainer walks the nodes a clause was evaluated on, asking the compiled closures for
their values, and writes a `Step` tree a reviewer can read without knowing the rule language;
`Names` says who and what the scenario's ids are. The report builder and the test runner
read traces back through `prune`, `refs` and `definition_readings`. A step's `text` is the
condition in words (people and events named by what the scenario says they are), its `rule`
the rule as written.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from forcecheck.engine.analysis import candidates, unknown_of
from forcecheck.engine.constraints import Constraints
from forcecheck.engine.exact import ItemOutcome, cases
from forcecheck.evaluation.results import FactUse, ItemVerdict, ScenarioResult, Step
from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy, Env, World
from forcecheck.scenario.scenario import Account, Scenario, Statement

if TYPE_CHECKING:
    from forcecheck.evaluation.deferred import Deferred


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


class Explainer:
    """Each item's verdict with its trace (made when first read) and, with a `deferred`
    analysis, what it waits on, the searches for what would settle it recorded there."""

    def __init__(self, compiled: CompiledPolicy, scenario: Scenario, account: Account,
                 deferred: Deferred | None = None):
        self.names = Names(compiled.policy, scenario)
        self.deferred = deferred
        self.c = compiled
        self.policy = compiled.policy
        self.scenario = scenario
        self.account = account
        # A step depends only on its node, the world and the values bound to it: items that
        # read the same definition with the same arguments (every shot's "had the person fired
        # before") share its steps, worked out once.
        self._steps: dict[tuple, Step] = {}

    # -- verdicts and what would decide them ------------------------------------------------

    def item(self, clause: m.Clause, world: World, outcome: ItemOutcome,
             constraints: Constraints) -> ItemVerdict:
        env = outcome.env
        verdict, possible = outcome.verdict, outcome.possible

        def traces() -> tuple[Step | None, Step]:
            trigger = self.step(clause.where, world, env) if clause.where is not None else None
            requirement = self.step(clause.requirement, world, env)
            if clause.requirement_kind == "forbids":
                requirement = Step("forbids", "this must not be so", clause.requirement.source,
                                   None if requirement.value is None else not requirement.value,
                                   (requirement,))
            return trigger, requirement

        on = tuple(env.items())
        base = dict(possible=possible.verdicts, exact=possible.exact)
        if outcome.kleene != "undetermined" or self.deferred is None:
            return ItemVerdict(on, verdict, traces, **base)
        if verdict != "undetermined":
            return ItemVerdict(on, verdict, traces, **self._cases(clause, world, env, constraints), **base)
        found = candidates(self.c, clause, world, env, constraints)
        out = ItemVerdict(on, verdict, traces, found.unknowns, self.deferred, **base)
        self.deferred.add(out, clause, world, env, constraints, possible.verdicts, found)
        return out

    def _cases(self, clause: m.Clause, world: World, env: Env, constraints: Constraints):
        split = cases(self.c, clause, world, env, constraints)
        if split is None:
            return ()
        var, by_value = split
        u = unknown_of(self.policy, world, var)
        return dict(case_on=u, cases=by_value) if u else {}

    # -- the trace --------------------------------------------------------------------------

    def step(self, n: m.Node, w: World, env: Env) -> Step:
        key = (id(n), id(w), *env.items())
        found = self._steps.get(key)
        if found is None:
            found = self._steps[key] = self._step(n, w, env)
        return found

    def _step(self, n: m.Node, w: World, env: Env) -> Step:  # noqa: C901 - one case per node
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

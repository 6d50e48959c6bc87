"""Compile a checked policy into Python closures, once, to run many times.

Every expression node becomes a function `(world, env) -> value`, where `env` maps the
clause's variables to ids of people and events and a value is True, False, a number, a
string, an id, or `UNKNOWN` (None). Unknown is a value, not an exception: `and` with a false
operand is false whatever else is unknown, `or` with a true operand is true (Kleene logic).

The closures are kept per node so that the explainer can ask any node for its value and
get exactly the number the verdict used: there is one evaluation, seen at two depths.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from forcecheck.policy import model as m
from forcecheck.policy.nodes import (
    boolean,
    event_key,
    event_limit,
    fact_free,
    free_vars,
    is_key,
    is_order,
    only_mentions,
)

UNKNOWN = None
_UNSEEN = object()  # a world's memo not decided yet
_NO_FLAGS = object()  # `World.prefix_any` cannot answer: evaluate event by event
Value = object
Env = dict[str, str]
Fn = Callable[["World", Env], Value]


@dataclass(frozen=True, slots=True)
class PersonView:
    id: str
    role: str


@dataclass(frozen=True, slots=True)
class EventView:
    id: str
    actor: str
    action: str
    target: str  # "" when the event had no target
    index: int


@dataclass
class World:
    """What one account (with the undisputed facts) says the incident was."""

    people: dict[str, PersonView]
    events: dict[str, EventView]
    values: dict[tuple[str, str], Value]  # (subject id or "incident", fact name) -> value
    unsettled: dict[str, bool] = field(default_factory=dict)

    def with_values(self, changes: dict[tuple[str, str], Value],
                    unsettled: dict[str, bool] | None = None) -> World:
        return World(self.people, self.events, {**self.values, **changes},
                     {**self.unsettled, **(unsettled or {})})

    def ids(self, domain: str, role: str | None) -> tuple[str, ...]:
        key = (domain, role)
        cached = self._ids.get(key)
        if cached is None:
            if domain == m.EVENT:
                cached = tuple(self.events)
            else:
                cached = tuple(p.id for p in self.people.values() if role is None or p.role == role)
            self._ids[key] = cached
        return cached

    def events_with(self, attr: str, value: str) -> tuple[str, ...]:
        """The events whose actor, target or action is `value`, in timeline order."""
        index = self._ids.get(("by", attr))
        if index is None:
            built: dict[str, list[str]] = {}
            for e in self.events.values():
                built.setdefault(getattr(e, attr), []).append(e.id)
            index = {k: tuple(v) for k, v in built.items()}
            self._ids[("by", attr)] = index  # type: ignore[assignment]
        return index.get(value, ())  # type: ignore[union-attr]

    def events_before(self, attr: str, value: str, limit: int) -> tuple[str, ...]:
        """`events_with(attr, value)` that come before the event at position `limit`."""
        key = ("before", attr, value, limit)
        cached = self._ids.get(key)  # type: ignore[call-overload]
        if cached is None:
            ids = self.events_with(attr, value)
            cached = tuple(i for i in ids if self.events[i].index < limit)
            self._ids[key] = cached  # type: ignore[index]
        return cached

    def events_passing(self, attr: str, value: str, limit: int, tests: tuple,
                       var: str) -> tuple[str, ...] | None:
        """`events_before(attr, value, limit)` for which every one of `tests` (fact-free
        closures of one event, bound to `var`) is true; None when one of them is unknown for
        one of these events (then nothing is skipped)."""
        key = ("passing", attr, value, limit, tests)
        cached = self._ids.get(key, False)  # type: ignore[call-overload]
        if cached is False:
            ok: list[str] | None = []
            for i in self.events_before(attr, value, limit):
                got = [t(self, {var: i}) for t in tests]
                if any(g is None for g in got):
                    ok = None
                    break
                if all(got):
                    ok.append(i)
            cached = self._ids[key] = tuple(ok) if ok is not None else None  # type: ignore[index]
        return cached

    def prefix_any(self, token: object, attr: str, value: str, limit: int, tests: tuple, var: str,
                   body: Fn) -> Value:
        """"Some event x before the one at `limit`, with x.ATTR == value, passing `tests`,
        for which `body` holds" (Kleene), from flags worked out once per world and key: the
        value for every earlier event at once ("had fired at someone before this shot"), so
        each question costs a lookup, not a pass over the earlier events. `token` names the
        quantifier; `body` reads the one event `var` and facts. Only for a world whose tables
        are plain (`memo`): a world that records what is read must see every read."""
        memo = self._memo
        if memo is _UNSEEN:
            memo = self._memo = {} if all(type(t) is dict or getattr(t, "memo_safe", False)
                                          for t in (self.values, self.unsettled)) else None
        if memo is None:
            return _NO_FLAGS
        key = (token, value)
        entry = memo.get(key)
        if entry is None:
            passing = self.events_passing(attr, value, 1 << 62, tests, var)
            entry = memo[key] = (passing, [self.events[i].index for i in passing or ()], [False])
        passing, indexes, flags = entry
        if passing is None:
            return _NO_FLAGS
        count = bisect.bisect_left(indexes, limit)
        while len(flags) <= count:
            before = flags[-1]
            if before is True:
                flags.append(True)
                continue
            v = body(self, {var: passing[len(flags) - 1]})
            flags.append(True if v is True else None if v is None or before is None else False)
        return flags[count]

    def __post_init__(self) -> None:
        self._ids: dict[tuple[str, str | None], tuple[str, ...]] = {}
        # Values worked out from this world's tables, when nothing watches what is read
        # (decided when first needed: worlds are made by the thousand and most never need it).
        self._memo: dict | None | object = _UNSEEN


def _position(target: Fn) -> Fn:
    """A closure giving the timeline position of the event `target` gives (None if unknown)."""
    def position(w, env):
        eid = target(w, env)
        return None if eid is None else w.events[eid].index

    return position


def _scan(w: World, inner: dict, var: str, ids: tuple[str, ...], body: Fn, stop: bool, kind: str) -> Value:
    """A quantifier's Kleene value over `ids` (see `_quantifier`)."""
    result = not stop
    for i in ids:
        inner[var] = i
        v = body(w, inner)
        if v is stop:
            result = stop
            break
        if v is None:
            result = None
    return kleene_not(result) if kind == "none" else result
















def kleene_and(values) -> Value:
    result: Value = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def kleene_or(values) -> Value:
    result: Value = False
    for v in values:
        if v is True:
            return True
        if v is None:
            result = None
    return result


def kleene_not(v: Value) -> Value:
    return None if v is None else not v


def _kleene_fn(fns: list[Fn], stop: bool) -> Fn:
    """Kleene 'and' (stop=False) or 'or' (stop=True) over compiled operands: the first operand
    equal to `stop` decides; otherwise unknown if any was unknown, else `not stop`."""
    if len(fns) == 2:  # the common case, without a loop
        f, g = fns

        def two(w, env):
            a = f(w, env)
            if a is stop:
                return stop
            b = g(w, env)
            if b is stop:
                return stop
            return None if a is None or b is None else not stop

        return two

    def many(w, env):
        result: Value = not stop
        for fn in fns:
            v = fn(w, env)
            if v is stop:
                return stop
            if v is None:
                result = None
        return result

    return many


_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge}


@dataclass
class CompiledPolicy:
    """A policy ready to evaluate: one closure per node, one per definition."""

    policy: m.Policy
    fns: dict[int, Fn]
    definitions: dict[str, Callable[[World, Env], Value]]
    notes: dict = field(default_factory=dict)  # what later stages learn once about the policy

    def value(self, node: m.Node, world: World, env: Env) -> Value:
        return self.fns[id(node)](world, env)

    def bindings(self, clause: m.Clause | m.Constraint, world: World) -> Iterator[Env]:
        if not clause.bindings:  # a clause about the incident: one binding, of nothing
            yield {}
            return
        domains = [world.ids(b.domain, b.role) for b in clause.bindings]
        for combo in itertools.product(*domains):
            env = {b.var: i for b, i in zip(clause.bindings, combo, strict=True)}
            # Two variables over the same domain name two different things.
            if len(set(combo)) == len(combo):
                yield env

    def verdict(self, clause: m.Clause, world: World, env: Env) -> str:
        trigger = self.value(clause.where, world, env) if clause.where is not None else True
        if trigger is False:
            return "not_applicable"
        held = self.value(clause.requirement, world, env)
        if clause.requirement_kind == "forbids":
            held = kleene_not(held)
        if held is None or trigger is None:
            return "undetermined"
        return "met" if held else "breached"


def compile_policy(policy: m.Policy) -> CompiledPolicy:
    compiled = CompiledPolicy(policy, {}, {})
    builder = _ClosureCompiler(compiled)
    for d in policy.definitions.values():
        compiled.definitions[d.name] = builder.definition(d)
    for c in [*policy.clauses, *policy.constraints]:
        if c.where is not None:
            builder.node(c.where)
        builder.node(c.requirement)
    return compiled


class _ClosureCompiler:
    """Compiles nodes into closures. Which closure a node gets is decided here, once, by its
    kind (one method per kind); the closures themselves never dispatch, since they run for
    every binding of every verdict."""

    def __init__(self, compiled: CompiledPolicy):
        self.c = compiled

    def definition(self, d: m.DefinitionSpec) -> Callable[[World, Env], Value]:
        body = self.node(d.body)
        excepts = [self.node(x.condition) for x in d.exceptions]

        excepted = _kleene_fn(excepts, stop=True) if excepts else None

        def run(w: World, env: Env) -> Value:
            held = body(w, env)
            if held is False or excepted is None:
                return held
            ex = excepted(w, env)
            if ex is True:
                return False
            return None if ex is None else held

        return run

    def node(self, n: m.Node) -> Fn:
        fn = self._build(n)
        self.c.fns[id(n)] = fn
        return fn

    def _build(self, n: m.Node) -> Fn:
        for kind, build in self._KINDS:
            if isinstance(n, kind):
                return build(self, n)
        raise AssertionError(f"cannot compile {type(n).__name__}")

    def _const(self, n: m.Const) -> Fn:
        v = n.value
        return lambda w, env: v

    def _var(self, n: m.Var) -> Fn:
        name = n.name
        return lambda w, env: env[name]

    def _event_attr(self, n: m.EventAttr) -> Fn:
        sub, attr = self.node(n.subject), n.attr

        def event_attr(w, env):
            eid = sub(w, env)
            return None if eid is None else getattr(w.events[eid], attr)

        return event_attr

    def _fact(self, n: m.FactRef) -> Fn:
        name = n.spec.name
        if n.subject is None:
            key = ("incident", name)
            return lambda w, env: w.values.get(key)
        sub = self.node(n.subject)

        def fact(w, env):
            sid = sub(w, env)
            return None if sid is None else w.values.get((sid, name))

        return fact

    def _unsettled(self, n: m.UnsettledRef) -> Fn:
        name = n.spec.name
        return lambda w, env: w.unsettled.get(name)

    def _call(self, n: m.DefCall) -> Fn:
        args = [self.node(a) for a in n.args]
        defs, name = self.c.definitions, n.name
        params = [p for p, _ in self.c.policy.definitions[name].params]
        if len(args) == 1:
            (p0,), (a0,) = params, args
            return lambda w, env: defs[name](w, {p0: a0(w, env)})
        pairs = list(zip(params, args, strict=True))
        return lambda w, env: defs[name](w, {p: a(w, env) for p, a in pairs})

    def _not(self, n: m.NotNode) -> Fn:
        x = self.node(n.operand)
        return lambda w, env: kleene_not(x(w, env))

    def _and(self, n: m.AndNode) -> Fn:
        return _kleene_fn([self.node(o) for o in n.operands], stop=False)

    def _or(self, n: m.OrNode) -> Fn:
        return _kleene_fn([self.node(o) for o in n.operands], stop=True)

    def _compare(self, n: m.CompareNode) -> Fn:
        left, right, op = self.node(n.left), self.node(n.right), _OPS[n.op]

        def compare(w, env):
            a, b = left(w, env), right(w, env)
            return None if a is None or b is None else op(a, b)

        return compare

    def _member(self, n: m.MemberNode) -> Fn:
        x, choices = self.node(n.operand), n.choices

        def member(w, env):
            v = x(w, env)
            return None if v is None else v in choices

        return member

    def _role(self, n: m.RoleNode) -> Fn:
        x, role, negated = self.node(n.operand), n.role, n.negated

        def role_is(w, env):
            pid = x(w, env)
            if pid is None:
                return None
            person = w.people.get(pid)  # "" is an event's absent target: nobody
            return (person is not None and person.role == role) != negated

        return role_is

    def _order(self, n: m.OrderNode) -> Fn:
        left, right = self.node(n.left), self.node(n.right)
        before = n.kind == "before"

        def order(w, env):
            a, b = left(w, env), right(w, env)
            if a is None or b is None:
                return None
            ia, ib = w.events[a].index, w.events[b].index
            return ia < ib if before else ia > ib

        return order

    def _quantifier(self, n: m.QuantNode) -> Fn:
        body, var, domain, role, kind = self.node(n.body), n.var, n.domain, n.role, n.kind

        stop = kind != "all"  # the value that settles the result: False for all, True otherwise
        keyed = self._event_key(n) if domain == m.EVENT and kind != "all" else None
        key_attr, key_fn = keyed if keyed else (None, None)
        limit_fn = self._event_limit(n) if keyed else None
        plan = self._event_plan(n) if limit_fn is not None else None
        static, rest = plan if plan is not None else ((), None)
        # The rest reads only the event x (and facts): its value per event is the world's, so
        # the flags of `World.prefix_any` answer for every later event at once.
        closed = rest is not None and all(free_vars(c) <= {var}
                                          for c in n.body.operands[self._first_fact(n):])  # type: ignore[attr-defined]
        token = object()

        def quantify(w, env):
            result = not stop
            inner = dict(env)
            ids = w.ids(domain, role)
            if key_fn is not None:
                # "some event x with x.actor == ..." looks only at that person's events:
                # for any other, the body's conjunct is false, which decides nothing.
                k = key_fn(w, env)
                if k is not None:
                    if limit_fn is not None:
                        # "... and x before e": only those before e, for the same reason (a
                        # later one's body is false before it reads any fact).
                        limit = limit_fn(w, env)
                        if limit is None:
                            ids = w.events_with(key_attr, k)
                        elif closed and w._memo is not None and (got := w.prefix_any(
                                token, key_attr, k, limit, static, var, rest)) is not _NO_FLAGS:
                            return kleene_not(got) if kind == "none" else got
                        elif rest is not None:
                            # The conjuncts before the first that reads a fact hold for these
                            # events (the key, the order, and those about the event alone,
                            # worked out once per timeline): only the rest is evaluated.
                            ids = w.events_passing(key_attr, k, limit, static, var)
                            if ids is not None:
                                return _scan(w, inner, var, ids, rest, stop, kind)
                            ids = w.events_before(key_attr, k, limit)
                        else:
                            ids = w.events_before(key_attr, k, limit)
                    else:
                        ids = w.events_with(key_attr, k)
            for i in ids:
                inner[var] = i
                v = body(w, inner)
                if v is stop:
                    result = stop
                    break
                if v is None:
                    result = None
            return kleene_not(result) if kind == "none" else result

        return quantify

    _KINDS = (
        (m.Const, _const), (m.Var, _var), (m.EventAttr, _event_attr), (m.FactRef, _fact),
        (m.UnsettledRef, _unsettled), (m.DefCall, _call), (m.NotNode, _not), (m.AndNode, _and),
        (m.OrNode, _or), (m.CompareNode, _compare), (m.MemberNode, _member), (m.RoleNode, _role),
        (m.OrderNode, _order), (m.QuantNode, _quantifier),
    )

    def _event_plan(self, n: m.QuantNode):
        """For a keyed, ordered conjunction (`_event_key`, `_event_limit`): when every conjunct
        before the first that reads a fact is the key, the order, or a test of the event alone
        (`x.action == fire_firearm`), the closures of those tests (worked out once per event
        and timeline) and of the conjunction of the rest; else None."""
        static, rest = [], []
        for c in n.body.operands:  # type: ignore[attr-defined]
            if rest or not fact_free(c):
                rest.append(c)
            elif only_mentions(c, n.var):
                static.append(self.node(c))
            elif not (is_key(c, n.var) or is_order(c, n.var)):
                return None
        if not rest:
            return None
        fns = [self.node(c) for c in rest]
        return tuple(static), (fns[0] if len(fns) == 1 and boolean(rest[0]) else _kleene_fn(fns, stop=False))

    @staticmethod
    def _first_fact(n: m.QuantNode) -> int:
        """The position of the first conjunct of `n`'s body that reads a fact."""
        return next(i for i, c in enumerate(n.body.operands) if not fact_free(c))  # type: ignore[attr-defined]

    def _event_limit(self, n: m.QuantNode):
        """For a conjunction `... and x before E and ...` (or `E after x`) whose conjuncts before
        that one read no fact: a closure giving E's position in the timeline (None when E is
        unknown), so that the events from E on, whose body is false before it reads any fact,
        are not visited. (The Kleene value and the unknowns read are the same.)"""
        found = event_limit(n)
        return None if found is None else _position(self.node(found))

    def _event_key(self, n: m.QuantNode):
        """`nodes.event_key`, with E as the closure computing it."""
        found = event_key(n)
        return None if found is None else (found[0], self.node(found[1]))

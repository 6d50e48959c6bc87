"""Generate Python source for a checked policy's clauses, once, for the exact-verdict search.

As a template engine compiles a template, each clause's trigger and requirement (definitions
inlined) become the text of one Python function, built here from the checked policy's nodes and
`compile()`d once: the text is kept with the compiled policy, its bytecode in the policy cache
(`Generated.code`). Nothing the policy's author wrote becomes code: variables are renamed `v0`,
`v1`..., names of facts, roles, actions and questions and every constant appear only as `repr()`
literals (or as named constants of the module), and comments carry the policy's wording only
through `repr()`, which never holds a line break.

A generated function takes the world `w` (people and events), the values table `V`, the open
questions `U`, a dict `R` and the ids bound to the clause's variables, and returns the Kleene
values (True, False or None for unknown) of the trigger and of the requirement (None for the
requirement when the trigger is false: it was not read). Each unknown it reads is counted in `R`
inline, in the order first read, exactly as the closures' recorders count them: that order and
those counts decide the engine's splits and its read-once shortcut, so both paths search alike.
The closures (`compiler.py`) stay what explanations and traces read; `tests/test_codegen.py`
proves both give the same verdicts. With `record_all` the function records every value it reads
(known ones too), which is what a verdict depends on: the engine's memo is keyed by it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import CodeType

from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy
from forcecheck.policy.nodes import (
    boolean,
    event_key,
    event_limit,
    fact_free,
    is_key,
    is_order,
    only_mentions,
)

GENERATOR = "forcecheck-codegen/1"  # printed in the module's first line
MAX_INDENT = 60  # deeper than this, the clause keeps its closures (the tokenizer allows 100)
_ATTRS = ("actor", "target", "action")  # the only attributes of an event the code reads
_OPS = ("==", "!=", "<", "<=", ">", ">=")


class Unsupported(Exception):
    """A clause this generator does not turn into source (it keeps its closures)."""


@dataclass
class Generated:
    """The generated module of one policy: its text and, per clause id, the function, made from
    that clause's part of the text when first asked for: its bytecode read from the policy
    cache, or compiled (without a cache, only the clauses evaluated are compiled)."""

    source: str
    texts: dict[str, str]  # clause id -> the text of its function
    names: dict[str, str]  # clause id -> function name in `source`
    namespace: dict[str, object]  # the module's constants (and nothing else: no builtins)
    policy_id: str
    record_all: bool = False
    skipped: dict[str, str] = field(default_factory=dict)  # clause id -> why it kept its closures
    compiled: dict[str, Callable] = field(default_factory=dict)
    codes: dict[str, CodeType] | None = None  # clause id -> bytecode, once compiled or read

    def function(self, clause_id: str) -> Callable | None:
        fn = self.compiled.get(clause_id)
        if fn is None and clause_id in self.texts:
            exec(self.code(clause_id), self.namespace)  # noqa: S102 - our own text, from the checked policy
            fn = self.compiled[clause_id] = self.namespace[self.names[clause_id]]  # type: ignore[assignment]
        return fn

    def code(self, clause_id: str) -> CodeType:
        """The bytecode of a clause's function: from the policy cache when it holds the bytecode
        of exactly this text (compiling is most of what the exact search costs on one
        scenario), else compiled; with a cache, every clause at once, and stored there."""
        if self.codes is None:
            self.codes = _cached_codes(self)
        found = self.codes.get(clause_id)
        if found is None:
            found = self.codes[clause_id] = compile(self.texts[clause_id], self.where(clause_id), "exec")
        return found

    def where(self, clause_id: str) -> str:
        return f"<forcecheck policy {self.policy_id}: {self.names[clause_id]}>"


def _cached_codes(gen: Generated) -> dict[str, CodeType]:
    """Every clause's bytecode, from the policy cache or compiled and stored there; an empty
    dict (each clause compiled when first used) when there is no cache."""
    from forcecheck.policy import cache

    return cache.bytecode(GENERATOR, {k: (gen.where(k), text) for k, text in gen.texts.items()})


def generated(compiled: CompiledPolicy, record_all: bool = False) -> Generated:
    """The policy's generated module, built on first use and kept with the compiled policy."""
    key = "generated-all" if record_all else "generated"
    found = compiled.notes.get(key)
    if found is None:
        found = compiled.notes[key] = generate(compiled, record_all)
    return found


def generate(compiled: CompiledPolicy, record_all: bool = False) -> Generated:
    policy = compiled.policy
    consts: dict[str, object] = {}
    header = [f"# {GENERATOR}: policy {policy.id!r}",
              "# Generated from the checked policy; read by the exact-verdict search."
              + (" Records every value read." if record_all else ""), ""]
    parts: list[str] = []
    texts: dict[str, str] = {}
    names: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for index, clause in enumerate(policy.clauses):
        name = f"clause_{index}"
        try:
            text = _Clause(compiled, consts, record_all).function(clause, name)
        except (Unsupported, RecursionError) as exc:
            skipped[clause.id] = str(exc) or type(exc).__name__
            continue
        names[clause.id] = name
        texts[clause.id] = text
        parts.append(text)
    lines = [*header, *(f"# {k}: {text}" for k, (_, text) in consts.items())]
    source = "\n".join(lines) + ("\n\n\n" if consts else "\n\n") + "\n\n".join(parts)
    namespace: dict[str, object] = {"__builtins__": {}, **{k: v for k, (v, _) in consts.items()}}
    return Generated(source, texts, names, namespace, policy.id, record_all, skipped)


def clause_source(compiled: CompiledPolicy, clause_id: str) -> str | None:
    """The generated source of one clause's function (None when it keeps its closures)."""
    gen = generated(compiled)
    name = gen.names.get(clause_id)
    if name is None:
        return None
    start = gen.source.index(f"def {name}(")
    end = gen.source.find("\n\n\ndef ", start)
    body = gen.source[start:] if end < 0 else gen.source[start:end + 1]
    used = [line for line in gen.source.splitlines() if line[2:3] in ("S", "C")
            and re.search(r"\b" + line[2:].split(":", 1)[0] + r"\b", body)]
    return "\n".join([gen.source.splitlines()[0], *used, "", body.rstrip("\n")]) + "\n"


def _literal(v: object) -> str | None:
    """`v` as Python source, for the types a policy's constant can have; None for others."""
    if v is None or isinstance(v, bool | int | str):
        return repr(v)
    if isinstance(v, float) and math.isfinite(v):
        return repr(v)
    return None


def _comment(text: str) -> str:
    shown = repr(" ".join(text.split()))
    assert "\n" not in shown and "\r" not in shown
    return "# " + shown


class _Clause:
    """Emits one clause's function: statements, each node's value in a temporary `tN`."""

    def __init__(self, compiled: CompiledPolicy, consts: dict[str, object], record_all: bool):
        self.compiled, self.consts, self.record_all = compiled, consts, record_all
        self.lines: list[str] = []
        self.count = 0
        self.inlining: list[str] = []
        self.sure: set[str] = set()  # names that hold an id, never None (bound variables)
        self.hoist: dict[str, str] | None = None  # incident facts read once at the top: read -> name
        self.record = True  # count the unknowns read (off where the count cannot matter)

    def unless_none(self, x: str, text: str) -> str:
        """`text`, or None when `x` is None (not tested for a bound variable)."""
        return text if x in self.sure else f"None if {x} is None else {text}"

    def function(self, clause: m.Clause, name: str) -> str:
        params = [f"v{i}" for i in range(len(clause.bindings))]
        scope = {b.var: p for b, p in zip(clause.bindings, params, strict=True)}
        self.sure.update(params)
        self.emit(0, f"def {name}(w, V, U, R{''.join(', ' + p for p in params)}):")
        self.emit(1, f"{_comment('clause ' + clause.id)}")
        for b, p in zip(clause.bindings, params, strict=True):
            self.emit(1, f"# {p}: {_comment(b.var)[2:]} ({b.domain}{', ' + repr(b.role) if b.role else ''})")
        self.emit(1, "P = w.people")
        self.emit(1, "E = w.events")
        self.emit(1, "G = V.get")
        if clause.where is not None:
            self.emit(1, _comment("applies where " + clause.where.source))
            t = self.value(clause.where, scope, 1)
            self.emit(1, f"if {t} is False:")
            self.emit(2, "return False, None")
        else:
            t = "True"
        self.emit(1, _comment(f"{clause.requirement_kind} " + clause.requirement.source))
        h = self.value(clause.requirement, scope, 1)
        if clause.requirement_kind == "forbids":
            self.emit(1, f"if {h} is not None:")
            self.emit(2, f"{h} = not {h}")
        self.emit(1, f"return {t}, {h}")
        body = "\n".join(self.lines[3:])
        drop = {"    P = w.people": "P[" not in body, "    E = w.events": "E[" not in body,
                "    G = V.get": "G(" not in body}
        return "\n".join(x for x in self.lines if not drop.get(x)) + "\n"

    def emit(self, indent: int, text: str) -> None:
        if indent > MAX_INDENT:
            raise Unsupported("nested too deeply")
        self.lines.append("    " * indent + text)

    def tmp(self) -> str:
        self.count += 1
        return f"t{self.count}"

    def const(self, prefix: str, value: object, text: str) -> str:
        """A named constant of the module (bound when it is compiled; described in a comment)."""
        for k, (v, _) in self.consts.items():
            if k[0] == prefix and v == value and type(v) is type(value):
                return k
        name = f"{prefix}{len(self.consts)}"
        self.consts[name] = (value, text)
        return name

    # --- one method per kind of node; each returns the name holding the node's value -----------

    def value(self, n: m.Node, scope: dict[str, str], ind: int) -> str:
        kind = type(n).__name__
        build = getattr(self, "_" + kind, None)
        if build is None:
            raise Unsupported(f"no source for a {kind}")
        return build(n, scope, ind)

    def _Const(self, n: m.Const, scope, ind) -> str:
        text = _literal(n.value)
        if text is None:
            raise Unsupported("a constant of an unknown type")
        t = self.tmp()
        self.emit(ind, f"{t} = {text}")
        return t

    def _Var(self, n: m.Var, scope, ind) -> str:
        if n.name not in scope:
            raise Unsupported("a free variable")
        return scope[n.name]

    def _EventAttr(self, n: m.EventAttr, scope, ind) -> str:
        if n.attr not in _ATTRS:
            raise Unsupported("an unknown event attribute")
        sub, t = self.value(n.subject, scope, ind), self.tmp()
        self.emit(ind, f"{t} = " + self.unless_none(sub, f"E[{sub}].{n.attr}"))
        return t

    def _FactRef(self, n: m.FactRef, scope, ind) -> str:
        if n.subject is None:
            key = repr(("incident", n.spec.name))
            t = self._hoisted(f"G({key})") or self.tmp()
            if t[0] == "t":
                self.emit(ind, f"{t} = G({key})")
            self._record(t, key, ind)
            return t
        t = self.tmp()
        sub = self.value(n.subject, scope, ind)
        key = f"k{self.count}"
        inner = ind
        if sub not in self.sure:
            self.emit(ind, f"{t} = None")
            self.emit(ind, f"if {sub} is not None:")
            inner = ind + 1
        self.emit(inner, f"{key} = ({sub}, {n.spec.name!r})")
        self.emit(inner, f"{t} = G({key})")
        self._record(t, key, inner)
        return t

    def _hoisted(self, read: str) -> str | None:
        """The name of a read done once at the top of the function, when reads are hoisted."""
        if self.hoist is None:
            return None
        return self.hoist.setdefault(read, f"f{len(self.hoist)}")

    def _record(self, t: str, key: str, ind: int) -> None:
        """Count an unknown read (or, with `record_all`, note every value read)."""
        if not self.record:
            return
        if self.record_all:
            self.emit(ind, f"R[{key}] = {t}")
        else:
            self.emit(ind, f"if {t} is None:")
            self.emit(ind + 1, f"R[{key}] = R.get({key}, 0) + 1")

    def _UnsettledRef(self, n: m.UnsettledRef, scope, ind) -> str:
        t = self._hoisted(f"U.get({n.spec.name!r})") or self.tmp()
        if t[0] == "t":
            self.emit(ind, f"{t} = U.get({n.spec.name!r})")
        self._record(t, repr(("policy", n.spec.name)), ind)
        return t

    def _DefCall(self, n: m.DefCall, scope, ind) -> str:
        d = self.compiled.policy.definitions[n.name]
        if n.name in self.inlining:
            raise Unsupported("a definition that depends on itself")
        args = [self.value(a, scope, ind) for a in n.args]
        inner = {p: a for (p, _), a in zip(d.params, args, strict=True)}
        self.emit(ind, _comment(f"{n.name}: " + d.body.source))
        self.inlining.append(n.name)
        held = self.value(d.body, inner, ind)
        if d.exceptions:
            t = self.tmp()
            self.emit(ind, f"{t} = {held}")
            self.emit(ind, f"if {t} is not False:")
            self.emit(ind + 1, _comment(f"{n.name}: unless " + " or ".join(x.condition.source
                                                                         for x in d.exceptions)))
            ex = self._kleene([x.condition for x in d.exceptions], True, inner, ind + 1)
            self.emit(ind + 1, f"if {ex} is True:")
            self.emit(ind + 2, f"{t} = False")
            self.emit(ind + 1, f"elif {ex} is None:")
            self.emit(ind + 2, f"{t} = None")
            held = t
        self.inlining.pop()
        return held

    def _NotNode(self, n: m.NotNode, scope, ind) -> str:
        x, t = self.value(n.operand, scope, ind), self.tmp()
        self.emit(ind, f"{t} = None if {x} is None else not {x}")
        return t

    def _AndNode(self, n: m.AndNode, scope, ind) -> str:
        return self._kleene(list(n.operands), False, scope, ind)

    def _OrNode(self, n: m.OrNode, scope, ind) -> str:
        return self._kleene(list(n.operands), True, scope, ind)

    def _kleene(self, operands: list[m.Node], stop: bool, scope, ind) -> str:
        """Kleene and (stop False) or or (stop True): the first operand equal to `stop` decides
        and the rest are not evaluated; otherwise unknown if one was unknown, else `not stop`."""
        r = self.tmp()
        self.emit(ind, f"{r} = {not stop}")
        for i, o in enumerate(operands):
            inner = ind
            if i:
                self.emit(ind, f"if {r} is not {stop}:")
                inner = ind + 1
            v = self.value(o, scope, inner)
            self.emit(inner, f"if {v} is {stop}:")
            self.emit(inner + 1, f"{r} = {stop}")
            self.emit(inner, f"elif {v} is None:")
            self.emit(inner + 1, f"{r} = None")
        return r

    def _CompareNode(self, n: m.CompareNode, scope, ind) -> str:
        if n.op not in _OPS:
            raise Unsupported("an unknown comparison")
        a, b = (self._operand(x, scope, ind) for x in (n.left, n.right))
        t = self.tmp()
        unknown = " or ".join(f"{x} is None" for x in (a, b) if x.isidentifier())
        self.emit(ind, f"{t} = None if {unknown} else {a} {n.op} {b}" if unknown else f"{t} = {a} {n.op} {b}")
        return t

    def _operand(self, n: m.Node, scope, ind) -> str:
        """A comparison's operand: a constant other than None as its literal, else its value."""
        if isinstance(n, m.Const) and n.value is not None:
            text = _literal(n.value)
            if text is not None:
                return text
        return self.value(n, scope, ind)

    def _MemberNode(self, n: m.MemberNode, scope, ind) -> str:
        x, t = self.value(n.operand, scope, ind), self.tmp()
        choices = self.const("C", frozenset(n.choices), _choices(n.choices))
        self.emit(ind, f"{t} = None if {x} is None else {x} in {choices}")
        return t

    def _RoleNode(self, n: m.RoleNode, scope, ind) -> str:
        x, t = self.value(n.operand, scope, ind), self.tmp()
        test = f"({x} in P and P[{x}].role == {n.role!r})"
        self.emit(ind, f"{t} = " + self.unless_none(x, f"{'not ' if n.negated else ''}{test}"))
        return t

    def _OrderNode(self, n: m.OrderNode, scope, ind) -> str:
        if n.kind not in ("before", "after"):
            raise Unsupported("an unknown order")
        a, b, t = self.value(n.left, scope, ind), self.value(n.right, scope, ind), self.tmp()
        op = "<" if n.kind == "before" else ">"
        self.emit(ind, f"{t} = None if {a} is None or {b} is None else E[{a}].index {op} E[{b}].index")
        return t

    def _QuantNode(self, n: m.QuantNode, scope, ind) -> str:
        """A loop over the domain, visiting only the events the closures visit (`_quantifier`):
        those with `x.ATTR == E` and, when the body orders x before E2, those before E2."""
        stop = n.kind != "all"
        keyed = event_key(n) if n.domain == m.EVENT and n.kind != "all" else None
        limit = event_limit(n) if keyed is not None else None
        plan = event_plan(n) if limit is not None else None
        r, ids, done = self.tmp(), self.tmp(), self.tmp()
        self.emit(ind, _comment(n.source))
        self.emit(ind, f"{r} = {not stop}")
        self.emit(ind, f"{ids} = w.ids({n.domain!r}, {n.role!r})")
        if plan is not None:
            self.emit(ind, f"{done} = False")
        if keyed is not None:
            attr, other = keyed
            if attr not in _ATTRS:
                raise Unsupported("an unknown event attribute")
            k = self.value(other, scope, ind)
            self.emit(ind, f"if {k} is not None:")
            if limit is None:
                self.emit(ind + 1, f"{ids} = w.events_with({attr!r}, {k})")
            else:
                e = self.value(limit, scope, ind + 1)
                at = self.tmp()
                self.emit(ind + 1, f"{at} = None if {e} is None else E[{e}].index")
                self.emit(ind + 1, f"if {at} is None:")
                self.emit(ind + 2, f"{ids} = w.events_with({attr!r}, {k})")
                self.emit(ind + 1, "else:")
                if plan is None:
                    self.emit(ind + 2, f"{ids} = w.events_before({attr!r}, {k}, {at})")
                else:
                    self._passing(n, plan, (attr, k, at, ids, done), stop, r, scope, ind + 2)
        if plan is not None:
            self.emit(ind, f"if not {done}:")
            self._loop(ids, n, [n.body], stop, r, scope, ind + 1)
        else:
            self._loop(ids, n, [n.body], stop, r, scope, ind)
        if n.kind == "none":
            self.emit(ind, f"{r} = None if {r} is None else not {r}")
        return r

    def _passing(self, n: m.QuantNode, plan, names, stop: bool, r: str, scope, ind: int) -> None:
        """The events before E2 that pass the tests of the event alone (worked out once per
        timeline), with only the rest of the body evaluated (as the closures' `_scan`)."""
        static, rest = plan
        attr, k, at, ids, done = names
        passing = self.tmp()
        what = _comment(" and ".join(c.source for c in static) or "nothing")[2:]
        tests = self.const("S", tuple(self.compiled.fns[id(c)] for c in static),
                           f"the closures of {what}, worked out once per timeline")
        self.emit(ind, f"{passing} = w.events_passing({attr!r}, {k}, {at}, {tests}, {n.var!r})")
        self.emit(ind, f"if {passing} is None:")
        self.emit(ind + 1, f"{ids} = w.events_before({attr!r}, {k}, {at})")
        self.emit(ind, "else:")
        self.emit(ind + 1, f"{done} = True")
        self._loop(passing, n, rest, stop, r, scope, ind + 1)

    def _loop(self, ids: str, n: m.QuantNode, body: list[m.Node], stop: bool, r: str, scope,
              ind: int) -> None:
        self.count += 1
        x = f"x{self.count}"
        self.sure.add(x)
        self.emit(ind, f"for {x} in {ids}:")
        inner = {**scope, n.var: x}
        v = (self.value(body[0], inner, ind + 1) if rest_is_itself(body) or body[0] is n.body
             else self._kleene(body, False, inner, ind + 1))
        self.emit(ind + 1, f"if {v} is {stop}:")
        self.emit(ind + 2, f"{r} = {stop}")
        self.emit(ind + 2, "break")
        self.emit(ind + 1, f"if {v} is None:")
        self.emit(ind + 2, f"{r} = None")


def _choices(choices: frozenset) -> str:
    return "one of " + ", ".join(repr(c) for c in sorted(choices, key=repr))
    return None


def event_plan(n: m.QuantNode) -> tuple[list[m.Node], list[m.Node]] | None:
    """As `_event_plan`: the conjuncts about the event alone, and the rest from the first that
    reads a fact; None when another conjunct comes first."""
    static: list[m.Node] = []
    rest: list[m.Node] = []
    for c in n.body.operands:  # type: ignore[attr-defined]
        if rest or not fact_free(c):
            rest.append(c)
        elif only_mentions(c, n.var):
            static.append(c)
        elif not (is_key(c, n.var) or is_order(c, n.var)):
            return None
    if not rest:
        return None
    return static, rest


def rest_is_itself(rest: list[m.Node]) -> bool:
    """The closures evaluate a lone boolean rest as itself, not as a conjunction of one."""
    return len(rest) == 1 and boolean(rest[0])


INCIDENT_NAMES = ("NA", "MET", "BREACHED", "PARTS", "max")  # bound by the caller of `incident_function`


def incident_function(compiled: CompiledPolicy, read_once: dict[str, bool], bind: dict[str, object],
                      free: bool = False) -> tuple[Callable, list[str], str]:
    """One function for every clause about the incident as a whole (no bindings), each fact read
    once at the top: each clause's trigger and requirement inline, then its outcome: `NA`, `MET`
    or `BREACHED` when definite, `PARTS(trigger, requirement)` when the clause is of read-once
    form, read each unknown once and the constraints `K` read none of them, else None (the
    caller searches). Returns the function `(w, V, U, K) -> (outcomes, any None)`, the clause
    ids in order, and the source. `bind` gives the names in `INCIDENT_NAMES`. With `free` (a
    policy without constraints, K None), a clause that reads no fact twice counts nothing."""
    consts: dict[str, object] = {}
    hoist: dict[str, str] = {}
    body: list[str] = []
    ids: list[str] = []
    for clause in compiled.policy.clauses:
        if clause.bindings:
            continue
        em = _Clause(compiled, consts, False)
        em.count, em.hoist = 1000 * len(ids), dict(hoist)
        once = read_once.get(clause.id, False)
        em.record = not (free and once and _distinct_reads(compiled.policy, clause))
        try:
            _incident_clause(em, clause, f"o{len(ids)}", once, em.record)
        except (Unsupported, RecursionError):
            continue
        hoist = em.hoist
        body += em.lines
        ids.append(clause.id)
    text = "\n".join(body)
    lines = ["def incident_clauses(w, V, U, K):", *(["    P = w.people"] if "P[" in text else []),
             *(["    E = w.events"] if "E[" in text else []), "    G = V.get",
             *(f"    {name} = {read}" for read, name in hoist.items()), "    miss = False", *body,
             f"    return [{', '.join(f'o{i}' for i in range(len(ids)))}], miss"]
    source = "\n".join(lines) + "\n"
    namespace: dict[str, object] = {"__builtins__": {}, **{k: v for k, (v, _) in consts.items()},
                                    **{k: bind[k] for k in INCIDENT_NAMES}}
    exec(compile(source, f"<forcecheck policy {compiled.policy.id}: incident>", "exec"), namespace)  # noqa: S102
    return namespace["incident_clauses"], ids, source  # type: ignore[return-value]


def _distinct_reads(policy: m.Policy, clause: m.Clause) -> bool:
    """The clause reads only facts about the incident and open questions, none twice in its text
    (definitions inlined): however it is evaluated, no unknown is read twice."""
    keys: list[tuple[str, str]] = []

    def walk(n: m.Node) -> bool:
        if isinstance(n, m.FactRef):
            keys.append(("incident", n.spec.name))
            return n.subject is None
        if isinstance(n, m.UnsettledRef):
            keys.append(("policy", n.spec.name))
            return True
        if isinstance(n, m.Const):
            return True
        if isinstance(n, m.DefCall):
            d = policy.definitions[n.name]
            return not n.args and walk(d.body) and all(walk(x.condition) for x in d.exceptions)
        if isinstance(n, m.AndNode | m.OrNode):
            return all(walk(x) for x in n.operands)
        if isinstance(n, m.NotNode | m.MemberNode):
            return walk(n.operand)
        if isinstance(n, m.CompareNode):
            return walk(n.left) and walk(n.right)
        return False

    ok = all(walk(n) for n in (clause.where, clause.requirement) if n is not None)
    return ok and len(keys) == len(set(keys))


def _incident_clause(em: _Clause, clause: m.Clause, out: str, read_once: bool, counted: bool) -> None:
    em.emit(1, _comment("clause " + clause.id))
    if counted:
        em.emit(1, "R = {}")
    ind = 1
    t = "True"
    if clause.where is not None:
        t = em.value(clause.where, {}, 1)
        em.emit(1, f"if {t} is False:")
        em.emit(2, f"{out} = NA")
        em.emit(1, "else:")
        ind = 2
    h = em.value(clause.requirement, {}, ind)
    if clause.requirement_kind == "forbids":
        em.emit(ind, f"if {h} is not None:")
        em.emit(ind + 1, f"{h} = not {h}")
    known = f"{h} is not None" if t == "True" else f"{t} is not None and {h} is not None"
    em.emit(ind, f"if {known}:")
    em.emit(ind + 1, f"{out} = MET if {h} else BREACHED")
    if read_once and not counted:
        em.emit(ind, "else:")
        em.emit(ind + 1, f"{out} = PARTS({t}, {h})")
        return
    if read_once:
        em.emit(ind, "elif (not R or max(R.values()) == 1) and (K is None or not K.touching(R)):")
        em.emit(ind + 1, f"{out} = PARTS({t}, {h})")
    em.emit(ind, "else:")
    em.emit(ind + 1, f"{out} = None")
    em.emit(ind + 1, "miss = True")

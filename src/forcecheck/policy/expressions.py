"""Checking expressions: resolve every name in a condition and give every expression its type.

A condition is checked the same way wherever it stands (a clause, a constraint, a definition
or an exception to one), so this is one base class that the policy checker extends: the
checker reads the declarations into the vocabulary below, and this part only looks the rule
text's words up in it.
"""

from __future__ import annotations

from forcecheck.diagnostics import Collector, a_or_an, did_you_mean, known_list
from forcecheck.policy import model as m
from forcecheck.policy import syntax as s

EVENT_ATTRS = {"actor": m.PERSON, "target": m.PERSON, "action": m.ACTION}


class Scope:
    """Variables in scope: name -> (type, role)."""

    def __init__(self, vars: dict[str, tuple[str, str | None]] | None = None):
        self.vars = dict(vars or {})

    def with_var(self, name: str, type_: str, role: str | None) -> Scope:
        return Scope({**self.vars, name: (type_, role)})


class ExpressionChecker:
    """Resolves and types expressions against the vocabulary that the subclass declares."""

    out: Collector
    facts: dict[str, m.FactSpec]
    roles: dict[str, str]
    actions: dict[str, str]
    unsettled: dict[str, m.UnsettledSpec]
    def_signatures: dict[str, s.Definition]
    used: set[str]  # "fact:<key>", "def:<name>", "unsettled:<name>"
    calls: dict[str, set[str]]  # definition -> the definitions it calls
    current_def: str | None  # the definition whose body is being checked

    def param_type(self, name: s.Name) -> tuple[str, str | None] | None:
        """`event`, `person`, or a role (a person of that role); plural forms for quantifiers."""
        word = name.text
        if word in ("event", "events"):
            return m.EVENT, None
        if word in ("person", "people"):
            return m.PERSON, None
        for role in self.roles:
            if word in (role, role + "s"):
                return m.PERSON, role
        options = ["event", "person", *self.roles]
        self.out.error(name.span, "C004", f"'{word}' is not a kind of thing to range over",
                       did_you_mean(word, [*options, "events", "people"])
                       or f"use one of: {', '.join(options)}")
        return None

    def condition(self, e: s.Expr, scope: Scope) -> m.Node | None:
        node, t = self._expr(e, scope)
        if node is not None and t != m.BOOL:
            self.out.error(e.span, "T001", f"'{e.source}' is a {_type_words(t)}, not a yes/no condition",
                           "compare it with something, e.g. '== ...' or 'in {...}'")
            return None
        return node

    def _expr(self, e: s.Expr, scope: Scope, literal_type: str | None = None):
        """Resolve and type an expression; returns (node, type) or (None, None) after an error."""
        if isinstance(e, s.Literal):
            t = {bool: m.BOOL, float: m.NUMBER, str: m.TEXT}.get(type(e.value), m.BOOL)
            return m.Const(e.span, e.source, e.value, t), t
        if isinstance(e, s.Not):
            x = self.condition(e.operand, scope)
            return (m.NotNode(e.span, e.source, x), m.BOOL) if x else (None, None)
        if isinstance(e, s.And | s.Or):
            xs = [self.condition(x, scope) for x in e.operands]
            if any(x is None for x in xs):
                return None, None
            cls = m.AndNode if isinstance(e, s.And) else m.OrNode
            return cls(e.span, e.source, tuple(xs)), m.BOOL
        if isinstance(e, s.Path):
            return self._path(e, scope, literal_type)
        if isinstance(e, s.Call):
            return self._call(e, scope)
        if isinstance(e, s.Compare):
            return self._compare(e, scope)
        if isinstance(e, s.Member):
            node, t = self._expr(e.operand, scope)
            if node is None:
                return None, None
            choices = self._literals(t, e.choices, e.operand)
            if choices is None:
                return None, None
            return m.MemberNode(e.span, e.source, node, frozenset(choices)), m.BOOL
        if isinstance(e, s.RoleIs):
            node, t = self._expr(e.operand, scope)
            if node is None:
                return None, None
            if t != m.PERSON:
                self.out.error(e.operand.span, "T001", f"'{e.operand.source}' is a {_type_words(t)}; "
                               "only a person has a role")
                return None, None
            if e.role.text not in self.roles:
                self.out.error(e.role.span, "N001", f"unknown role '{e.role.text}'",
                               did_you_mean(e.role.text, self.roles) or f"roles: {known_list(self.roles)}")
                return None, None
            return m.RoleNode(e.span, e.source, node, e.role.text, e.negated), m.BOOL
        if isinstance(e, s.Order):
            left, lt = self._expr(e.left, scope)
            right, rt = self._expr(e.right, scope)
            if left is None or right is None:
                return None, None
            for side, t in ((e.left, lt), (e.right, rt)):
                if t != m.EVENT:
                    self.out.error(side.span, "T001", f"'{side.source}' is a {_type_words(t)}; "
                                   f"'{e.kind}' orders events")
                    return None, None
            return m.OrderNode(e.span, e.source, e.kind, left, right), m.BOOL
        if isinstance(e, s.Quantifier):
            t = self.param_type(e.domain)
            if t is None:
                return None, None
            if e.var.text in scope.vars:
                self.out.error(e.var.span, "N003", f"'{e.var.text}' is already in use here",
                               "pick another name for the quantifier's variable")
                return None, None
            body = self.condition(e.body, scope.with_var(e.var.text, t[0], t[1]))
            if body is None:
                return None, None
            return m.QuantNode(e.span, e.source, e.kind, e.var.text, t[0], t[1], body), m.BOOL
        raise AssertionError(f"unhandled syntax {type(e).__name__}")

    def _literals(self, t: str | None, names: tuple[s.Name, ...], operand: s.Expr) -> list[str] | None:
        allowed = self._literal_values(t)
        if allowed is None:
            self.out.error(operand.span, "T001", f"'{operand.source}' is a {_type_words(t)}; "
                           "'in {...}' needs an action or a one_of fact")
            return None
        out = []
        for n in names:
            if n.text not in allowed:
                self.out.error(n.span, "N001", f"'{n.text}' is not a possible value of '{operand.source}'",
                               did_you_mean(n.text, allowed) or f"possible values: {known_list(allowed)}")
                return None
            out.append(n.text)
        return out

    def _literal_values(self, t: str | None) -> tuple[str, ...] | None:
        if t == m.ACTION:
            return tuple(self.actions)
        if t and t.startswith("enum:"):
            return self.facts[t[5:]].values
        return None

    def _path(self, e: s.Path, scope: Scope, literal_type: str | None):
        head, *rest = e.parts
        node: m.Node
        if head.text in scope.vars:
            t, _role = scope.vars[head.text]
            node = m.Var(head.span, head.text, head.text, t)
        elif not rest and literal_type and head.text in (self._literal_values(literal_type) or ()):
            return m.Const(e.span, e.source, head.text, literal_type), literal_type
        elif head.text == "incident" and rest:
            fact = self.facts.get(f"incident.{rest[0].text}")
            if fact is None:
                return self._unknown_fact(rest[0], self.facts_of("incident"), "the incident")
            self.used.add(f"fact:{fact.key}")
            node, t = m.FactRef(e.span, e.source, None, fact), fact.type
            rest = rest[1:]
            if rest:
                self.out.error(rest[0].span, "N002", f"'{fact.name}' is a {_type_words(t)}; it has no "
                               f"attribute '{rest[0].text}'")
                return None, None
            return node, t
        elif head.text in self.unsettled and not rest:
            self.used.add(f"unsettled:{head.text}")
            spec = self.unsettled[head.text]
            return m.UnsettledRef(e.span, e.source, spec), m.BOOL
        elif head.text in self.def_signatures and not rest:
            return self._call(s.Call(e.span, e.source, head, ()), scope)
        else:
            candidates = [*scope.vars, *self.unsettled, *self.def_signatures, "incident"]
            if literal_type:
                candidates += list(self._literal_values(literal_type) or ())
            self.out.error(head.span, "N001", f"unknown name '{head.text}'",
                           did_you_mean(head.text, candidates)
                           or (f"names in scope here: {known_list(scope.vars)}" if scope.vars else None))
            return None, None
        prefix = head.text
        for part in rest:
            if t == m.EVENT and part.text in EVENT_ATTRS:
                t = EVENT_ATTRS[part.text]
                node = m.EventAttr(e.span, f"{prefix}.{part.text}", node, part.text)
            elif t in (m.EVENT, m.PERSON):
                kind = "event" if t == m.EVENT else "person"
                pool = {f.name: f for f in self.facts.values()
                        if (f.subject == "event") == (kind == "event") and f.subject != "incident"}
                fact = pool.get(part.text)
                if fact is None:
                    extra = list(EVENT_ATTRS) if t == m.EVENT else []
                    what = "an event" if kind == "event" else "a person"
                    return self._unknown_fact(part, [*pool, *extra], what)
                self.used.add(f"fact:{fact.key}")
                node, t = m.FactRef(e.span, f"{prefix}.{part.text}", node, fact), fact.type
            else:
                self.out.error(part.span, "N002", f"'{prefix}' is a {_type_words(t)}; "
                               f"it has no attribute '{part.text}'")
                return None, None
            prefix = f"{prefix}.{part.text}"
        return node, t

    def facts_of(self, subject: str) -> list[str]:
        return [f.name for f in self.facts.values() if f.subject == subject]

    def _unknown_fact(self, name: s.Name, pool, what: str):
        self.out.error(name.span, "N001", f"{what} has no fact or attribute '{name.text}'",
                       did_you_mean(name.text, pool) or f"known: {known_list(pool)}")
        return None, None

    def _call(self, e: s.Call, scope: Scope):
        d = self.def_signatures.get(e.name.text)
        if d is None:
            self.out.error(e.name.span, "N001", f"unknown definition '{e.name.text}'",
                           did_you_mean(e.name.text, self.def_signatures)
                           or f"definitions: {known_list(self.def_signatures) or 'none'}")
            return None, None
        self.used.add(f"def:{d.name.text}")
        if self.current_def:
            self.calls.setdefault(self.current_def, set()).add(d.name.text)
        if len(e.args) != len(d.params):
            signature = ", ".join(f"{p.name.text}: {p.type.text}" for p in d.params)
            self.out.error(e.span, "T002", f"'{d.name.text}' takes {len(d.params)} argument(s), "
                           f"not {len(e.args)}", f"it is declared as {d.name.text}({signature})")
            return None, None
        args = []
        for arg, p in zip(e.args, d.params, strict=True):
            node, t = self._expr(arg, scope)
            if node is None:
                return None, None
            want = m.EVENT if p.type.text in ("event", "events") else m.PERSON
            if t != want:
                self.out.error(arg.span, "T001", f"'{arg.source}' is a {_type_words(t)}, but "
                               f"'{d.name.text}' expects {a_or_an(want)} for '{p.name.text}'")
                return None, None
            args.append(node)
        return m.DefCall(e.span, e.source, d.name.text, tuple(args)), m.BOOL

    def _compare(self, e: s.Compare, scope: Scope):
        # Resolve the side that is not a bare literal first, so `x == toward_officer` types.
        left, lt = self._expr(e.left, scope) if not _bare(e.left, scope) else (None, None)
        right, rt = self._expr(e.right, scope, lt)
        if right is None:
            return None, None
        if left is None:
            left, lt = self._expr(e.left, scope, rt)
            if left is None:
                return None, None
        if e.op in ("<", "<=", ">", ">="):
            for side, t in ((e.left, lt), (e.right, rt)):
                if t != m.NUMBER:
                    self.out.error(side.span, "T001", f"'{side.source}' is a {_type_words(t)}; "
                                   f"'{e.op}' compares numbers")
                    return None, None
        elif lt != rt:
            self.out.error(e.span, "T001", f"cannot compare a {_type_words(lt)} with a {_type_words(rt)} "
                           f"in '{e.source}'")
            return None, None
        return m.CompareNode(e.span, e.source, e.op, left, right), m.BOOL


def _bare(e: s.Expr, scope: Scope) -> bool:
    return isinstance(e, s.Path) and len(e.parts) == 1 and e.parts[0].text not in scope.vars


def _type_words(t: str | None) -> str:
    if t and t.startswith("enum:"):
        return f"choice ({t[5:]})"
    return t or "value"

"""What the compiler asks of a rule's nodes before it builds their closures: which variables
a node mentions, whether it reads any fact, and the shapes of a quantifier's conjuncts it
can evaluate with less work (`compiler._ClosureCompiler._quantifier`)."""

from __future__ import annotations

from forcecheck.policy import model as m


def is_key(c: m.Node, var: str) -> bool:
    """`x.ATTR == E` with E not mentioning x (what `_event_key` indexes by)."""
    return (isinstance(c, m.CompareNode) and c.op == "==" and any(
        isinstance(mine, m.EventAttr) and isinstance(mine.subject, m.Var) and mine.subject.name == var
        and not mentions(other, var) for mine, other in ((c.left, c.right), (c.right, c.left))))


def is_order(c: m.Node, var: str) -> bool:
    """`x before E` or `E after x` (what `_event_limit` cuts by)."""
    if not isinstance(c, m.OrderNode) or c.kind not in ("before", "after"):
        return False
    mine, other = (c.left, c.right) if c.kind == "before" else (c.right, c.left)
    return isinstance(mine, m.Var) and mine.name == var and not mentions(other, var)


def only_mentions(n: m.Node, var: str) -> bool:
    """`n` is a fact-free test of the variable `var` alone (and constants)."""
    if isinstance(n, m.Var):
        return n.name == var
    if isinstance(n, m.Const):
        return True
    if isinstance(n, m.EventAttr):
        return only_mentions(n.subject, var)
    if isinstance(n, m.AndNode | m.OrNode):
        return all(only_mentions(x, var) for x in n.operands)
    if isinstance(n, m.NotNode | m.MemberNode | m.RoleNode):
        return only_mentions(n.operand, var)
    if isinstance(n, m.CompareNode | m.OrderNode):
        return only_mentions(n.left, var) and only_mentions(n.right, var)
    return False


def boolean(n: m.Node) -> bool:
    """`n` gives True, False or unknown (a test, not a value), so a conjunction of it alone is it."""
    if isinstance(n, m.FactRef):
        return n.spec.kind == "yes_no"
    return isinstance(n, m.AndNode | m.OrNode | m.NotNode | m.CompareNode | m.MemberNode | m.RoleNode
                      | m.OrderNode | m.QuantNode | m.DefCall)


def free_vars(n: m.Node | None) -> set[str]:
    """The variables `n` mentions that it does not bind; "?" for a node of an unknown kind."""
    if n is None or isinstance(n, m.Const | m.UnsettledRef):
        return set()
    if isinstance(n, m.Var):
        return {n.name}
    if isinstance(n, m.FactRef | m.EventAttr):
        return free_vars(n.subject)
    if isinstance(n, m.DefCall):
        return set().union(*(free_vars(a) for a in n.args))
    if isinstance(n, m.AndNode | m.OrNode):
        return set().union(*(free_vars(x) for x in n.operands))
    if isinstance(n, m.NotNode | m.MemberNode | m.RoleNode):
        return free_vars(n.operand)
    if isinstance(n, m.CompareNode | m.OrderNode):
        return free_vars(n.left) | free_vars(n.right)
    if isinstance(n, m.QuantNode):
        return free_vars(n.body) - {n.var}
    return {"?"}


def fact_free(n: m.Node) -> bool:
    """`n` reads no fact, open question or definition (so evaluating it records no unknown)."""
    if isinstance(n, m.FactRef | m.UnsettledRef | m.DefCall):
        return False
    if isinstance(n, m.AndNode | m.OrNode):
        return all(fact_free(x) for x in n.operands)
    if isinstance(n, m.NotNode | m.MemberNode | m.RoleNode):
        return fact_free(n.operand)
    if isinstance(n, m.CompareNode | m.OrderNode):
        return fact_free(n.left) and fact_free(n.right)
    if isinstance(n, m.EventAttr):
        return fact_free(n.subject)
    return isinstance(n, m.Const | m.Var)


def mentions(n: m.Node, var: str) -> bool:
    if isinstance(n, m.Var):
        return n.name == var
    if isinstance(n, m.EventAttr):
        return mentions(n.subject, var)
    if isinstance(n, m.FactRef):
        return n.subject is not None and mentions(n.subject, var)
    # A constant or an open question does not; anything else may: do not index.
    return not isinstance(n, m.Const | m.UnsettledRef)


def event_key(n: m.QuantNode) -> tuple[str, m.Node] | None:
    """For `any`/`none` over events whose body is a conjunction with `x.ATTR == E` (E not
    mentioning x): (ATTR, E), so only the events matching E's value need be visited."""
    conjuncts = n.body.operands if isinstance(n.body, m.AndNode) else (n.body,)
    for c in conjuncts:
        if not (isinstance(c, m.CompareNode) and c.op == "=="):
            continue
        for mine, other in ((c.left, c.right), (c.right, c.left)):
            if (isinstance(mine, m.EventAttr) and isinstance(mine.subject, m.Var)
                    and mine.subject.name == n.var and not mentions(other, n.var)):
                return mine.attr, other
    return None


def event_limit(n: m.QuantNode) -> m.Node | None:
    """For a conjunction `... and x before E and ...` (or `E after x`) whose conjuncts before that
    one read no fact: E, so that the events from E on (whose body is false before it reads any
    fact) need not be visited."""
    if not isinstance(n.body, m.AndNode):
        return None
    for c in n.body.operands:
        if isinstance(c, m.OrderNode):
            mine, other = (c.left, c.right) if c.kind == "before" else (c.right, c.left)
            if (isinstance(mine, m.Var) and mine.name == n.var and not mentions(other, n.var)
                    and c.kind in ("before", "after")):
                return other
        if not fact_free(c):
            return None

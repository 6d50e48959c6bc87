"""How the engine reads a world: which unknowns a closure reads, a world with some of them given
values (without copying it), and the values an unknown can take.

A variable is a (subject, fact) pair, and an unknown is one the world leaves without a value.
This is the bottom of the engine because the constraints, the exact verdicts and the analysis
all read worlds the same way, and nothing here decides a verdict.
"""

from __future__ import annotations

from collections.abc import Callable

from forcecheck.policy import model as m
from forcecheck.policy.compiler import World

QUESTION = "policy"  # the subject of an unsettled question's variable
Var = tuple[str, str]  # (subject id, "incident" or QUESTION; fact or question name)


class Recorder:
    """A values table that remembers which keys were asked for and found unknown. It wraps
    the table, never copies it: reading is as cheap in a large world as in a small one."""

    __slots__ = ("data", "missing", "prefix")

    def __init__(self, data, missing: dict, prefix: str | None):
        self.data = data
        self.missing = missing
        self.prefix = prefix

    def get(self, key, default=None):
        value = self.data.get(key)
        if value is None:
            self.missing.setdefault(key if self.prefix is None else (self.prefix, key))
            return default
        return value


def read(fn: Callable[[World], object], world: World) -> tuple[object, dict[Var, None]]:
    """Evaluate `fn` on `world` and return its value with the unknowns it read.

    Kleene evaluation goes on past an unknown operand (only a deciding value stops it), so
    the unknowns read in a world include every unknown any completion of it could read.
    They come in the order the evaluation first read them (a dict used as an ordered set)."""
    missing: dict = {}
    probe = World(world.people, world.events, Recorder(world.values, missing, None),
                  Recorder(world.unsettled, missing, QUESTION))
    probe._ids = world._ids
    return fn(probe), missing


class Seen:
    """A values table that notes every key asked for (known or not), without copying it."""

    __slots__ = ("data", "seen")

    def __init__(self, data, seen: set):
        self.data = data
        self.seen = seen

    def get(self, key, default=None):
        self.seen.add(key)
        return self.data.get(key, default)


def stated(fn: Callable[[World], object], world: World) -> list[Var]:
    """The facts `fn` reads that `world` states, in a fixed order."""
    seen: set = set()
    probe = World(world.people, world.events, Seen(world.values, seen), world.unsettled)
    probe._ids = world._ids
    fn(probe)
    return sorted(k for k in seen if world.values.get(k) is not None)


def assign(world: World, assignment: dict[Var, object]) -> World:
    """`world` with these unknowns given values: a small layer over its tables, not a copy."""
    facts = {k: v for k, v in assignment.items() if k[0] != QUESTION}
    questions = {k[1]: v for k, v in assignment.items() if k[0] == QUESTION}
    out = World(world.people, world.events, Layered.over(world.values, facts),
                Layered.over(world.unsettled, questions))
    out._ids = world._ids
    return out


class Layered:
    """A few values over a table, looked up without copying the table. A layer over a layer
    merges the two small tops, so a lookup is two dict lookups however deep the search."""

    __slots__ = ("base", "depth", "top")

    def __init__(self, top: dict, base, depth: int = 1):
        self.top = top
        self.base = base
        self.depth = depth

    @staticmethod
    def over(base, top: dict):
        if not top:
            return base
        if not isinstance(base, Layered):
            return Layered(top, base)
        if len(base.top) <= 16 or base.depth >= 3:  # merge: a small copy, or a bounded depth
            return Layered({**base.top, **top}, base.base, base.depth)
        return Layered(top, base, base.depth + 1)  # over a large layer (a witness): no copy

    @property
    def memo_safe(self) -> bool:
        """Plain tables all the way down (nothing records what is read): the compiler may keep
        values worked out from this world (`World.prefix_any`)."""
        return type(self.base) is dict or getattr(self.base, "memo_safe", False)

    def get(self, key, default=None):
        if key in self.top:
            return self.top[key]
        return self.base.get(key, default)

    def __getitem__(self, key):
        if key in self.top:
            return self.top[key]
        return self.base[key]

    def __contains__(self, key) -> bool:
        return key in self.top or key in self.base


def domain(policy: m.Policy, world: World, var: Var) -> tuple[object, ...]:
    """The values an unknown can take; empty for numbers and text, which cannot be enumerated."""
    subject, name = var
    if subject == QUESTION:
        return (True, False) if name in policy.unsettled else ()
    spec = fact_spec(policy, world, subject, name)
    if spec is None:
        return ()
    if spec.kind == "yes_no":
        return (True, False)
    if spec.kind == "one_of":
        return spec.values
    return ()


def fact_spec(policy: m.Policy, world: World, subject: str, name: str) -> m.FactSpec | None:
    if subject == "incident":
        kind = "incident"
    elif subject in world.events:
        kind = "event"
    elif subject in world.people:
        kind = world.people[subject].role
    else:
        return None
    known = _FACTS.get((id(policy), kind))
    if known is None or known[0] is not policy:  # the analysis asks this for every unknown it sees
        known = _FACTS[(id(policy), kind)] = (policy, policy.facts_about(kind))
    return known[1].get(name)


_FACTS: dict[tuple[int, str], tuple[m.Policy, dict[str, m.FactSpec]]] = {}

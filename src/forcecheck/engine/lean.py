"""The exact search on a clause's generated source (`policy/codegen.py`): no `World`, `Layered`
or recorder per node.

The search is `exact.Explorer`'s, step for step (same splits in the same order, same bounds, same
answers): at each node the generated function evaluates the clause on the world's own tables,
with the values assumed so far written into a private copy of them (and taken out again on the
way back), and counts the unknowns it reads into a dict. A `World` over the assumed values is
built only at a node whose assumed unknowns some constraint reads, since only then can the
constraints rule the node out (`Constraints.allows` is true for unknowns no instance reads).

A clause's outcome depends only on the values its evaluation reads (with no unknown reached by a
constraint): Kleene evaluation reads every fact any completion reads. So outcomes are kept by
the clause, the binding, the timeline and those values (`Memo`), and an account that reads the
same values as one seen before (another account of the same incident, a record of a batch like
an earlier one) gets the outcome without a search.
"""

from __future__ import annotations

from collections.abc import Callable

from forcecheck.engine.constraints import MAX_NODES, MAX_SPLIT_DEPTH, Constraints, next_split
from forcecheck.engine.reads import QUESTION, Layered, Var, assign
from forcecheck.policy import model as m
from forcecheck.policy.compiler import World

ALL = frozenset(("met", "breached", "not_applicable"))
NONE: frozenset[str] = frozenset()
_ABSENT = object()
MEMO_SIZE = 20_000  # outcomes kept per compiled policy; the memo is emptied when it is full


def flat(table) -> dict | None:
    """A plain copy of a values table (a dict or layers over one); None for anything else."""
    if type(table) is dict:
        return dict(table)
    if type(table) is Layered:
        base = flat(table.base)
        return None if base is None else {**base, **table.top}
    return None


def verdict_of(trigger: object, held: object) -> str:
    """`CompiledPolicy.verdict` from the trigger's and the requirement's Kleene values."""
    if trigger is False:
        return "not_applicable"
    if held is None or trigger is None:
        return "undetermined"
    return "met" if held else "breached"


class Search:
    """The verdicts one binding of a clause can take over every allowed completion."""

    __slots__ = ("policy", "fn", "ids", "world", "constraints", "values", "questions", "memo",
                 "budget", "query", "touched", "split_on")

    def __init__(self, policy: m.Policy, fn: Callable, ids: tuple[str, ...], world: World,
                 constraints: Constraints | None, values: dict, questions: dict):
        self.policy, self.fn, self.ids, self.world = policy, fn, ids, world
        self.constraints = constraints
        self.values, self.questions = values, questions  # private copies, written and restored
        self.memo: dict[frozenset, tuple[frozenset, bool]] = {}
        self.budget = MAX_NODES
        self.query = MAX_NODES  # splits left for the question asked (`Explorer.ask`)
        self.touched = False  # some node's assumed unknowns were read by a constraint
        self.split_on: set[Var] = set()

    def possible(self, enough: int = 3) -> tuple[frozenset, bool]:
        found, exact, _ = self.node(frozenset(), (), enough)
        return found, exact

    def node(self, key: frozenset, added: tuple[Var, ...], enough: int) -> tuple[frozenset, bool, bool]:
        """(verdicts found, exact, complete), as `Explorer._node`."""
        hit = self.memo.get(key)
        if hit is not None:
            return hit[0], hit[1], True
        reads: dict = {}
        trigger, held = self.fn(self.world, self.values, self.questions, reads, *self.ids)
        verdict = verdict_of(trigger, held)
        c = self.constraints
        w = None
        if c is not None and key:
            split = [var for var, _ in key]
            if c.touching(split):
                self.touched = True
                w = assign(self.world, dict(key))
        complete = True
        if w is not None and c.violated(w, c.touching(added)):  # type: ignore[union-attr]
            found, exact = NONE, True
        elif verdict != "undetermined":
            ok = w is None or c.allows(w, split)  # type: ignore[union-attr]
            found, exact = (frozenset((verdict,)) if ok else NONE), True
        else:
            var, values = next_split(self.policy, self.world, reads)
            if var is None or self.budget <= 0 or self.query <= 0 or len(key) >= MAX_SPLIT_DEPTH:
                ok = w is None or c.allows(w, split)  # type: ignore[union-attr]
                found, exact = (ALL if ok else NONE), False
            else:
                found, exact, complete = self._split(key, var, values, enough)
        if complete:
            self.memo[key] = (found, exact)
        return found, exact, complete

    def _split(self, key: frozenset, var: Var, values: tuple, enough: int) -> tuple[frozenset, bool, bool]:
        self.split_on.add(var)
        table, name = (self.questions, var[1]) if var[0] == QUESTION else (self.values, var)
        before = table.get(name, _ABSENT)
        acc: set[str] = set()
        exact = complete = True
        try:
            for value in values:
                if len(acc) >= enough:
                    complete = acc == ALL
                    break
                self.budget -= 1
                self.query -= 1
                table[name] = value
                sub, sub_exact, sub_complete = self.node(key | {(var, value)}, (var,), enough)
                acc |= sub
                exact = exact and sub_exact
                complete = complete and (sub_complete or acc == ALL)
        finally:
            if before is _ABSENT:
                table.pop(name, None)
            else:
                table[name] = before
        return frozenset(acc), exact, complete


class Explorer(Search):
    """`exact.Explorer` on the generated source: many assumptions about one verdict in one
    world, each node's result kept, so assumptions that extend one another (the settlement
    search tries thousands) meet nodes already explored. Step for step the closures' search."""

    __slots__ = ()

    def __init__(self, policy: m.Policy, fn: Callable, ids: tuple[str, ...], world: World,
                 constraints: Constraints | None, values: dict, questions: dict, nodes: int):
        super().__init__(policy, fn, ids, world, constraints, values, questions)
        self.budget = self.query = nodes

    def ask(self, assumed: dict[Var, object], enough: int, nodes: int) -> tuple[frozenset, bool]:
        """The possible verdicts under `assumed` (`exact.Explorer.possible`); `nodes` bounds
        this one question."""
        self.query = nodes
        saved = []
        for var, value in assumed.items():
            table, name = (self.questions, var[1]) if var[0] == QUESTION else (self.values, var)
            saved.append((table, name, table.get(name, _ABSENT)))
            table[name] = value
        try:
            found, exact, _ = self.node(frozenset(assumed.items()), tuple(assumed), enough)
        finally:
            for table, name, before in reversed(saved):
                if before is _ABSENT:
                    table.pop(name, None)
                else:
                    table[name] = before
        return found, exact


def signature(world: World) -> tuple:
    """What a generated function reads of the world besides its values: who has which role,
    and the events in order. Worked out once per world."""
    key = ("codegen", "signature")
    found = world._ids.get(key)  # type: ignore[call-overload]
    if found is None:
        found = (tuple((p.id, p.role) for p in world.people.values()),
                 tuple((e.id, e.actor, e.action, e.target, e.index) for e in world.events.values()))
        world._ids[key] = found  # type: ignore[index]
    return found


class Memo:
    """Outcomes of searches by the clause, the binding, the world's people and timeline, and
    every value the clause's evaluation read; kept only for searches no constraint took part in,
    and used only when the new world's constraints read none of the unknowns split on."""

    def __init__(self) -> None:
        self.outcomes: dict[tuple, tuple[frozenset, bool, frozenset]] = {}

    def get(self, key: tuple, constraints: Constraints | None) -> tuple[frozenset, bool] | None:
        hit = self.outcomes.get(key)
        if hit is None or (constraints is not None and constraints.touching(hit[2])):
            return None
        return hit[0], hit[1]

    def put(self, key: tuple, found: frozenset, exact: bool, split_on: set[Var]) -> None:
        if len(self.outcomes) >= MEMO_SIZE:
            self.outcomes.clear()
        self.outcomes[key] = (found, exact, frozenset(split_on))

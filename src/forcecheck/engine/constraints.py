"""The policy's constraints between facts, ground per world, and whether a world's unknowns can
still be filled in so that every one of them holds.

They are a module apart from the exact verdicts because they are asked about before any verdict
(the scenario loader reports an account whose statements break them) and are then only
consulted by the search, as its pruning test; they read worlds through `reads` and evaluate no
clause.

A **free** fact is one with a value under which every constraint reading it holds, whatever the
other facts are: a person's weapon is one ("armed" satisfies every "using a weapon means armed",
one per event aimed at that person). Such a fact ties nothing together: while it is unknown it
can take that value in any completion, so the constraints reading it ask nothing of the other
facts. Searches leave those constraints out, and the unknowns linked to a verdict are not
followed through it (`linked`). Without this, one person's weapon linked every event aimed at
them into one group, and every verdict's search, and what would settle it, grew with the number
of events (a hundred shots took 22 s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from forcecheck.engine.reads import QUESTION, Var, assign, domain, read
from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy, Env, World, kleene_not

MAX_NODES = 4096  # per search: splits of one verdict, or of one satisfiability check
MAX_SPLIT_DEPTH = 150  # unknowns fixed along one path of a search: bounds its recursion too


@dataclass(frozen=True, slots=True)
class Instance:
    """One constraint about one binding (or one exclusive group about one subject)."""

    name: str
    reason: str
    on: tuple[tuple[str, str], ...]
    test: Callable[[World], object]  # True, False or None (unknown)

    @property
    def label(self) -> str:
        return "/".join(i for _, i in self.on)


def _constraint_test(compiled: CompiledPolicy, k: m.Constraint, env: Env) -> Callable[[World], object]:
    where = compiled.fns[id(k.where)] if k.where is not None else None
    req = compiled.fns[id(k.requirement)]
    forbids = k.requirement_kind == "forbids"

    def test(w: World) -> object:
        trig = where(w, env) if where is not None else True
        if trig is False:
            return True
        held = req(w, env)
        if forbids:
            held = kleene_not(held)
        if held is True:
            return True
        if held is False and trig is True:
            return False
        return None

    return test


def _exclusive_test(subject: str, facts: tuple[str, ...]) -> Callable[[World], object]:
    keys = [(subject, f) for f in facts]

    def test(w: World) -> object:
        yes = unknown = 0
        for key in keys:
            v = w.values.get(key)
            if v is True:
                yes += 1
            elif v is None:
                unknown += 1
        if yes >= 2:
            return False
        return True if yes + unknown <= 1 else None

    return test


class Constraints:
    """The ground constraints of one world, indexed by the unknowns each reads."""

    def __init__(self, compiled: CompiledPolicy, world: World):
        self.compiled = compiled
        policy = compiled.policy
        instances: list[Instance] = []
        for k in policy.constraints:
            for env in compiled.bindings(k, world):
                instances.append(Instance(k.id, k.reason, tuple(env.items()),
                                          _constraint_test(compiled, k, env)))
        for g in policy.exclusive:
            if g.subject == "incident":
                subjects: tuple[str, ...] = ("incident",)
            elif g.subject == "event":
                subjects = world.ids(m.EVENT, None)
            else:
                subjects = world.ids(m.PERSON, None if g.subject == "person" else g.subject)
            for sid in subjects:
                instances.append(Instance("exclusive: " + ", ".join(f"{g.subject}.{f}" for f in g.facts),
                                          g.reason, (("x", sid),), _exclusive_test(sid, g.facts)))
        self.instances = instances
        self.reads: list[set[Var]] = []
        self.by_var: dict[Var, list[int]] = {}
        for i, inst in enumerate(instances):
            _, reads = read(inst.test, world)
            self.reads.append(set(reads))
            for v in reads:
                self.by_var.setdefault(v, []).append(i)
        self._closure: dict[frozenset, tuple[int, ...]] = {}
        self._linked: dict[tuple[frozenset, frozenset | None], frozenset] = {}
        self._free: dict[Var, object] | None = None
        self._vars: dict[tuple[int, ...], tuple[Var, ...]] = {}
        self._sat: dict[tuple, bool] = {}
        self._allowed: dict[tuple, bool] = {}
        self.world = world
        self._witness: dict[Var, object] | None | bool = False  # False: not looked for yet

    def closure(self, variables: Iterable[Var]) -> tuple[int, ...]:
        """The instances linked to these unknowns, directly or through other instances."""
        start = frozenset(variables)
        cached = self._closure.get(start)
        if cached is not None:
            return cached
        seen_vars, seen = set(start), set()
        todo = list(start)
        while todo:
            for i in self.by_var.get(todo.pop(), ()):
                if i not in seen:
                    seen.add(i)
                    for v in self.reads[i] - seen_vars:
                        seen_vars.add(v)
                        todo.append(v)
        out = tuple(sorted(seen))
        self._closure[start] = out
        return out

    @property
    def free(self) -> dict[Var, object]:
        """The unknowns with a value under which every instance reading them holds, whatever
        the other unknowns are (Kleene: true with only that one set), with that value; worked
        out once."""
        if self._free is None:
            policy, out = self.compiled.policy, {}
            for var, idxs in self.by_var.items():
                # Those reading least first: they are the cheapest to test, and most often fail.
                idxs = sorted(idxs, key=lambda i: len(self.reads[i]))
                for value in domain(policy, self.world, var):
                    w = assign(self.world, {var: value})
                    if all(self.instances[i].test(w) is True for i in idxs):
                        out[var] = value
                        break
            self._free = out
        return self._free

    def linked(self, variables: Iterable[Var], stop: frozenset[Var] | None = None) -> frozenset[Var]:
        """The unknowns tied to these by the constraints, directly or through others, but not
        through a free unknown other than these (it is reached, not passed through): what lies
        beyond one cannot bear on these, since it can always take the value that satisfies
        everything reading it. `stop`: the unknowns not to pass through, if not those."""
        start = frozenset(variables)
        key = (start, stop)
        hit = self._linked.get(key)
        if hit is not None:
            return hit
        through = self.free.keys() if stop is None else stop
        seen_vars, seen = set(start), set()
        todo = list(start)
        while todo:
            for i in self.by_var.get(todo.pop(), ()):
                if i not in seen:
                    seen.add(i)
                    for v in self.reads[i] - seen_vars:
                        seen_vars.add(v)  # never one of `start`, which are passed through
                        if v not in through:
                            todo.append(v)
        out = self._linked[key] = frozenset(seen_vars)
        return out

    def loose(self, world: World, assigned: Iterable[Var] = ()) -> Callable[[int], bool]:
        """A test of whether an instance reads a free unknown that `world` leaves unknown (and
        that is not `assigned`): such an instance holds in some completion whatever the search
        chooses, so a search for a completion can leave it out."""
        free, fixed = self.free, set(assigned)
        if not free:
            return lambda i: False
        reads = self.reads
        return lambda i: any(v in free and v not in fixed and _lookup(world, v) is None for v in reads[i])

    def unlinking(self, world: World, read: Iterable[Var]) -> frozenset[Var]:
        """The free unknowns of `world` that are none of `read`: nothing is tied together
        through them when only the values of `read` matter (see `linked`)."""
        read = set(read)
        return frozenset(v for v in self.free if v not in read and _lookup(world, v) is None)

    def touching(self, variables: Iterable[Var]) -> tuple[int, ...]:
        """The instances that read one of these unknowns (the only ones a new value changes)."""
        return tuple(sorted({i for v in variables for i in self.by_var.get(v, ())}))

    def variables(self, idxs: Iterable[int]) -> set[Var]:
        out: set[Var] = set()
        for i in idxs:
            out |= self.reads[i]
        return out

    def violated(self, world: World, idxs: Iterable[int] | None = None) -> list[Instance]:
        """Instances that are false in `world` as it stands (Kleene)."""
        chosen = range(len(self.instances)) if idxs is None else idxs
        return [self.instances[i] for i in chosen if self.instances[i].test(world) is False]

    def satisfiable(self, world: World, idxs: tuple[int, ...], budget: list[int] | None = None) -> bool:
        """Can the unknowns be filled in so that every instance in `idxs` holds? When the
        budget runs out the answer is yes (the sound side for possible verdicts). Answers are
        kept by the values `world` gives the instances' unknowns, which is all they depend on."""
        variables = self._vars.get(idxs)
        if variables is None:
            variables = self._vars[idxs] = tuple(sorted(self.variables(idxs)))
        key = (idxs, tuple(_lookup(world, v) for v in variables))
        hit = self._sat.get(key)
        if hit is None:
            hit = self._sat[key] = self._search(world, idxs, budget if budget is not None else [MAX_NODES])
        return hit

    def _search(self, world: World, idxs: tuple[int, ...], budget: list[int]) -> bool:
        undecided: dict[int, dict] = {}
        skip = self.loose(world)
        for i in idxs:
            if skip(i):
                continue  # a free unknown's value satisfies it whatever the search chooses
            value, r = read(self.instances[i].test, world)
            if value is False:
                return False
            if value is None:
                undecided[i] = r
        return self._solve(world, undecided, budget, {}, pull=False) is not None

    def _solve(self, world: World, undecided: dict[int, dict], budget: list[int],
               chosen: dict[Var, object], pull: bool, skip: Callable[[int], bool] | None = None,
               depth: int = 0) -> dict[Var, object] | None:
        """Values for unknowns under which every `undecided` instance holds (with what was
        `chosen` on the way), or None when there are none. One DPLL-style search: split on an
        unknown of the first undecided instance, never trying a value that breaks it; after a
        split only the instances that read the unknown just set are evaluated again, and with
        `pull` every instance reading it joins the search (for `allows`) and the values that
        make the first instance hold are tried first. Without `pull`, parts that share no
        unknown are solved apart and values come in the fact's own order (the witness found
        that way fits more later questions: 29 s against 41 s at 50 events in
        bench/bench_exact.py). When the budget runs out or nothing can be split, the answer
        leans to "yes", the sound side for possible verdicts; `witness` checks what it gets.
        `skip`: instances a pulled unknown brings in that need not hold (`loose`); `depth`:
        the unknowns fixed along this path (parts solved apart do not add to each other's)."""
        if not undecided:
            return chosen
        if depth >= MAX_SPLIT_DEPTH:
            return chosen  # as when the budget runs out: lean to "yes"; `witness` checks it
        order = list(undecided)
        if not pull:
            groups = linked_groups([set(undecided[i]) for i in order])
            if len(groups) > 1:
                for g in groups:
                    got = self._solve(world, {order[j]: undecided[order[j]] for j in g}, budget,
                                      chosen, pull, skip, depth)
                    if got is None:
                        return None
                    chosen = {**chosen, **got}
                return chosen
        first = order[0]
        var, values = next_split(self.compiled.policy, world, undecided[first])
        if var is None:
            reads: dict[Var, None] = {}
            for r in undecided.values():
                reads.update(r)
            var, values = next_split(self.compiled.policy, world, reads)
            if var is None:
                return chosen
        test = self.instances[first].test
        tried = [(w, v, test(w)) for v, w in ((v, assign(world, {var: v})) for v in values)]
        for w, value, held in (sorted(tried, key=lambda x: x[2] is not True) if pull else tried):
            if held is False:
                continue
            if budget[0] <= 0:
                return chosen
            budget[0] -= 1
            rest: dict[int, dict] | None = dict(undecided)
            if pull:
                again = [i for i in self.by_var.get(var, ()) if skip is None or not skip(i)]
            else:
                again = [i for i, r in undecided.items() if var in r]
            for i in again:
                now, r2 = read(self.instances[i].test, w)
                if now is False:
                    rest = None
                    break
                if now is True:
                    rest.pop(i, None)
                else:
                    rest[i] = r2
            if rest is not None:
                got = self._solve(w, rest, budget, {**chosen, var: value}, pull, skip, depth + 1)
                if got is not None:
                    return got
        return None

    def allows(self, world: World, assigned: Iterable[Var], budget: list[int] | None = None) -> bool:
        """Can `world` (this world with the `assigned` unknowns given values) be completed so
        that every instance holds? Assumes this world could be: then only the instances that
        read an assigned unknown, and those an answer to them reaches, need looking at (any
        other instance reads none of the values the search gives, so a completion that
        satisfied it before still does). Answers are kept by the assigned values."""
        assigned = tuple(sorted(set(assigned)))
        key = tuple((v, _lookup(world, v)) for v in assigned)
        hit = self._allowed.get(key)
        if hit is not None:
            return hit
        witness = self.witness()
        if witness is not None:  # the completion found before, with the new values on top
            w = assign(self._witness_world, {v: _lookup(world, v) for v in assigned})
            if all(self.instances[i].test(w) is True for i in self.touching(assigned)):
                self._allowed[key] = True
                return True
        undecided: dict[int, dict] = {}
        ok = True
        skip = self.loose(world, assigned)
        for i in self.touching(assigned):
            if skip(i):
                continue
            value, r = read(self.instances[i].test, world)
            if value is False:
                ok = False
                break
            if value is None:
                undecided[i] = r
        if ok and undecided:
            budget = budget if budget is not None else [MAX_NODES]
            ok = self._solve(world, undecided, budget, {}, pull=True, skip=skip) is not None
        self._allowed[key] = ok
        return ok

    def witness(self) -> dict[Var, object] | None:
        """Values for unknowns under which every instance of this world holds, found once;
        None when the search for one was cut short or there is none."""
        if self._witness is False:
            undecided: dict[int, dict] = {}
            found: dict[Var, object] | None = {}
            skip = self.loose(self.world)
            for i, inst in enumerate(self.instances):
                if skip(i):
                    continue  # holds once its free unknowns take their values, below
                value, r = read(inst.test, self.world)
                if value is False:
                    found = None
                    break
                if value is None:
                    undecided[i] = r
            if found is not None and undecided:
                found = self._solve(self.world, undecided, [MAX_NODES], {}, pull=False)
            if found is not None:
                found = {**{v: x for v, x in self.free.items() if _lookup(self.world, v) is None}, **found}
            if found is not None:  # a bound may have cut the search: keep only a true witness
                w = assign(self.world, found)
                found = found if all(inst.test(w) is True for inst in self.instances) else None
                self._witness_world = w
            self._witness = found
        return self._witness

    def conflicts(self, world: World) -> list[tuple[Instance, ...]]:
        """Groups of instances that no completion of `world` can satisfy together: each is
        either one instance that is false as stated, or a linked group that is jointly
        unsatisfiable. Empty when the world is consistent."""
        out: list[tuple[Instance, ...]] = []
        false = set()
        for i, inst in enumerate(self.instances):
            if inst.test(world) is False:
                out.append((inst,))
                false.add(i)
        done: set[int] = set(false)
        for i in range(len(self.instances)):
            if i in done:
                continue
            group = tuple(j for j in self.closure(self.reads[i]) if j not in false) or (i,)
            done.update(group)
            if not self.satisfiable(world, group):
                out.append(tuple(self.instances[j] for j in self._minimal(world, group)))
        return out

    def _minimal(self, world: World, group: tuple[int, ...]) -> tuple[int, ...]:
        """A smallest-by-deletion part of an unsatisfiable group that is still unsatisfiable:
        the constraints that take part in the conflict, not every one linked to it (review
        2026-12, G12). Only ever run on a conflict, so its cost is the error path's."""
        kept = list(group)
        for j in group:
            rest = tuple(k for k in kept if k != j)
            if rest and not self.satisfiable(world, rest):
                kept = list(rest)
        return tuple(kept)


def _lookup(world: World, var: Var) -> object:
    return world.unsettled.get(var[1]) if var[0] == QUESTION else world.values.get(var)


def next_split(policy: m.Policy, world: World, reads) -> tuple[Var | None, tuple[object, ...]]:
    """The unknown to split on next: the first the evaluation read that can be enumerated.
    Evaluation order follows the rule's structure (the trigger before the requirement, the
    first operand first), so splitting there settles conjunctions and disjunctions soonest."""
    for var in reads:
        values = domain(policy, world, var)
        if values:
            return var, values
    return None, ()


def linked_groups(linked: list[set[Var]]) -> list[list[int]]:
    """Indexes grouped by shared variables (union-find), in first-appearance order."""
    parent = list(range(len(linked)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Var, int] = {}
    for i, variables in enumerate(linked):
        for v in variables:
            if v in owner:
                a, b = find(owner[v]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[v] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(linked)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


# --- consistency answers kept across scenarios -----------------------------------------------

CONSISTENT_SIZE = 1024  # worlds remembered as consistent, per process
_CONSISTENT: set[tuple] = set()
_CONSISTENT_OF: list[CompiledPolicy | None] = [None]  # the policy they were checked against


def world_key(world: World) -> tuple | None:
    """Everything a world's constraints are worked out from: its people and roles, its events
    in order, every value and every unsettled fact. Two worlds with the same key have the same
    ground constraints and the same answers. None when a value cannot be compared."""
    key = (tuple((p.id, p.role) for p in world.people.values()),
           tuple((e.id, e.actor, e.action, e.target, e.index) for e in world.events.values()),
           tuple(sorted(world.values.items())), tuple(sorted(world.unsettled.items())))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _consistent_of(compiled: CompiledPolicy) -> set[tuple]:
    if _CONSISTENT_OF[0] is not compiled:  # answers are the policy's: another policy starts afresh
        _CONSISTENT.clear()
        _CONSISTENT_OF[0] = compiled
    return _CONSISTENT


def known_consistent(compiled: CompiledPolicy, world: World) -> bool:
    """Whether a world with this world's key was found consistent (no conflicts) before in this
    process: an imported database repeats itself (the Washington Post's 5,475 records are 69
    distinct worlds), and a load spent most of its time proving the same worlds again."""
    key = world_key(world)
    return key is not None and key in _consistent_of(compiled)


def remember_consistent(compiled: CompiledPolicy, world: World) -> None:
    key = world_key(world)
    if key is None:
        return
    kept = _consistent_of(compiled)
    if len(kept) >= CONSISTENT_SIZE:
        kept.clear()  # memory stays bounded; a batch's repeats come back soon
    kept.add(key)

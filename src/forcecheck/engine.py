"""The engine: verdicts from a compiled policy and a world, exact over every completion.

A world is what one account (with the undisputed facts) says; a fact it leaves unstated is
unknown, and so is every unsettled question of the policy. A verdict is **exact**: it is the
set of verdicts the clause takes over every completion of the unknowns it depends on that
the policy's constraints allow. One possible verdict is the verdict; several make it
`undetermined`, always with the set ("met or not applicable").

How: Kleene logic (unknown = None) is the fast first pass and it is sound: when it gives a
definite verdict, every completion gives that verdict. When it does not, the search splits
on one unknown the evaluation read, tries each value, and recurses (a DPLL-style search
with Kleene evaluation as the pruning test). Only unknowns the verdict actually reads are
split on, so the search grows with the relevant unknowns, not with the scenario.

Constraints are ground per world into instances (one per binding, like a clause's items).
An instance that Kleene logic finds false prunes a branch; at a leaf, the instances that
share unknowns with what was split on must still be satisfiable together (a small search of
their own). Instances that share nothing with a verdict's unknowns cannot change it: the
account as a whole was checked satisfiable first (`Constraints.conflicts`).

Every search is bounded (`MAX_NODES`); when a bound cuts in, the answer is the sound
over-approximation (every definite verdict still possible in the unexplored branches) and
it says it is not exact. The engine never imports the analysis built on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from forcecheck import model as m
from forcecheck.compiler import CompiledPolicy, Env, World, kleene_not

VERDICT_ORDER = ("breached", "undetermined", "met", "not_applicable")
DEFINITE = ("met", "breached", "not_applicable")
ALL = frozenset(DEFINITE)
MAX_NODES = 4096  # per search: splits of one verdict, or of one satisfiability check
QUESTION = "policy"  # the subject of an unsettled question's variable
Var = tuple[str, str]  # (subject id, "incident" or QUESTION; fact or question name)


def aggregate(verdicts: Iterable[str]) -> str:
    """One clause's verdict from its items' verdicts: breached over undetermined over met."""
    found = set(verdicts)
    return next((v for v in VERDICT_ORDER if v in found), "not_applicable")


def ordered(verdicts: Iterable[str]) -> tuple[str, ...]:
    """Possible verdicts in a fixed order: met, breached, not applicable."""
    found = set(verdicts)
    return tuple(v for v in DEFINITE if v in found)


def exact_verdict(possible: Iterable[str]) -> str:
    p = ordered(possible)
    return p[0] if len(p) == 1 else "undetermined"


# --- reading what an evaluation depends on ----------------------------------------------------


class _Recorder(dict):
    """A values table that remembers which keys were asked for and found unknown."""

    __slots__ = ("missing", "prefix")

    def __init__(self, data, missing: dict, prefix: str | None):
        super().__init__(data)
        self.missing = missing
        self.prefix = prefix

    def get(self, key, default=None):
        value = dict.get(self, key)
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
    probe = World(world.people, world.events, _Recorder(world.values, missing, None),
                  _Recorder(world.unsettled, missing, QUESTION))
    probe._ids = world._ids
    return fn(probe), missing


class _Seen(dict):
    __slots__ = ("seen",)

    def __init__(self, data, seen: set):
        super().__init__(data)
        self.seen = seen

    def get(self, key, default=None):
        self.seen.add(key)
        return dict.get(self, key, default)


def stated(fn: Callable[[World], object], world: World) -> list[Var]:
    """The facts `fn` reads that `world` states, in a fixed order."""
    seen: set = set()
    probe = World(world.people, world.events, _Seen(world.values, seen), world.unsettled)
    probe._ids = world._ids
    fn(probe)
    return sorted(k for k in seen if world.values.get(k) is not None)


def constraint_reads(compiled: CompiledPolicy, world: World) -> set[Var]:
    """Every fact key the policy's constraints read in `world`, stated or not."""
    seen: set = set()
    probe = World(world.people, world.events, _Seen(world.values, seen), world.unsettled)
    probe._ids = world._ids
    for inst in Constraints(compiled, world).instances:
        inst.test(probe)
    return seen


def assign(world: World, assignment: dict[Var, object]) -> World:
    facts = {k: v for k, v in assignment.items() if k[0] != QUESTION}
    questions = {k[1]: v for k, v in assignment.items() if k[0] == QUESTION}
    out = World(world.people, world.events, {**world.values, **facts},
                {**world.unsettled, **questions})
    out._ids = world._ids
    return out


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
    return policy.facts_about(kind).get(name)


# --- constraints --------------------------------------------------------------------------------


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
        budget runs out the answer is yes (the sound side for possible verdicts)."""
        budget = budget if budget is not None else [MAX_NODES]
        undecided: list[int] = []
        reads: dict[Var, None] = {}
        for i in idxs:
            value, r = read(self.instances[i].test, world)
            if value is False:
                return False
            if value is None:
                undecided.append(i)
                reads.update(r)
        if not undecided:
            return True
        var, values = _split(self.compiled.policy, world, reads)
        if var is None:
            return True
        for value in values:
            if budget[0] <= 0:
                return True
            budget[0] -= 1
            if self.satisfiable(assign(world, {var: value}), tuple(undecided), budget):
                return True
        return False

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
                out.append(tuple(self.instances[j] for j in group))
        return out


def _split(policy: m.Policy, world: World, reads) -> tuple[Var | None, tuple[object, ...]]:
    """The unknown to split on next: the first the evaluation read that can be enumerated.
    Evaluation order follows the rule's structure (the trigger before the requirement, the
    first operand first), so splitting there settles conjunctions and disjunctions soonest."""
    for var in reads:
        values = domain(policy, world, var)
        if values:
            return var, values
    return None, ()


# --- possible verdicts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Possible:
    """The verdicts a clause can take over every allowed completion; `exact` is False when a
    bound or an unknown that cannot be enumerated (a number, a text) left it over-approximate."""

    verdicts: tuple[str, ...]
    exact: bool = True

    @property
    def verdict(self) -> str:
        return exact_verdict(self.verdicts)


def possible(compiled: CompiledPolicy, fn: Callable[[World], str], world: World,
             constraints: Constraints | None, nodes: int = MAX_NODES,
             assumed: Iterable[Var] = (), enough: int = 3) -> Possible:
    """Every verdict `fn` (a Kleene verdict) takes over the completions of `world` that the
    constraints allow. `assumed` names unknowns of the constraints' world that `world`
    fills in (a hypothesis): the constraints linked to them are checked too. An empty result
    means no completion is allowed at all. The search stops once `enough` verdicts are found
    (2 answers "is it settled?" without finding every possible verdict)."""
    policy = compiled.policy
    found: set[str] = set()
    budget = [nodes]
    exact = True

    def search(w: World, split: frozenset) -> None:
        nonlocal exact
        if len(found) >= enough:
            return
        verdict, reads = read(fn, w)
        idxs: tuple[int, ...] = ()
        if constraints is not None and split:
            idxs = constraints.closure(split)
            if constraints.violated(w, idxs):
                return
        if verdict != "undetermined":
            if verdict not in found and (not idxs or constraints.satisfiable(w, idxs)):
                found.add(verdict)
            return
        var, values = _split(policy, w, reads)
        if var is None or budget[0] <= 0:
            exact = False
            if not idxs or constraints.satisfiable(w, idxs):
                found.update(DEFINITE)
            return
        for value in values:
            budget[0] -= 1
            search(assign(w, {var: value}), split | {var})

    search(world, frozenset(assumed))
    return Possible(ordered(found), exact)


class Explorer:
    """`possible` for many assumptions about one verdict in one world, sharing the work: each
    node of the search is a set of assumed values, and its result is kept, so assumptions that
    extend one another (the settlement search tries thousands) meet nodes already explored."""

    def __init__(self, compiled: CompiledPolicy, fn: Callable[[World], str], world: World,
                 constraints: Constraints | None, nodes: int = 8 * MAX_NODES):
        self.compiled, self.fn, self.world, self.constraints = compiled, fn, world, constraints
        self.memo: dict[frozenset, tuple[frozenset, bool]] = {}
        self.budget = nodes

    def possible(self, assumed: dict[Var, object], enough: int = 3) -> Possible:
        """The possible verdicts under `assumed`; with `enough=2` the search may stop at the
        second verdict found ("is it settled?"), and the result then lists just those two."""
        found, exact, _ = self._node(frozenset(assumed.items()), enough)
        return Possible(ordered(found), exact)

    def _node(self, key: frozenset, enough: int) -> tuple[frozenset, bool, bool]:
        """(verdicts found, exact, complete); only complete results are kept."""
        hit = self.memo.get(key)
        if hit is not None:
            return hit[0], hit[1], True
        w = assign(self.world, dict(key))
        verdict, reads = read(self.fn, w)
        c = self.constraints
        idxs = c.closure({var for var, _ in key}) if c is not None and key else ()
        complete = True
        if idxs and c.violated(w, idxs):
            found, exact = frozenset(), True
        elif verdict != "undetermined":
            ok = not idxs or c.satisfiable(w, idxs)
            found, exact = (frozenset((verdict,)) if ok else frozenset()), True
        else:
            var, values = _split(self.compiled.policy, w, reads)
            if var is None or self.budget <= 0:
                ok = not idxs or c.satisfiable(w, idxs)
                found, exact = (ALL if ok else frozenset()), False
            else:
                acc: set[str] = set()
                exact = True
                for value in values:
                    if len(acc) >= enough:
                        complete = acc == ALL
                        break
                    self.budget -= 1
                    sub, sub_exact, sub_complete = self._node(key | {(var, value)}, enough)
                    acc |= sub
                    exact = exact and sub_exact
                    complete = complete and (sub_complete or acc == ALL)
                found = frozenset(acc)
        if complete:
            self.memo[key] = (found, exact)
        return found, exact, complete


def kleene_item(compiled: CompiledPolicy, clause: m.Clause, env: Env) -> Callable[[World], str]:
    return lambda w: compiled.verdict(clause, w, env)


def kleene_clause(compiled: CompiledPolicy, clause: m.Clause, envs: list[Env]) -> Callable[[World], str]:
    """A clause's Kleene verdict over several items: breached if one is surely breached;
    otherwise undetermined if one is undetermined; else the aggregate."""

    def fn(w: World) -> str:
        verdicts = [compiled.verdict(clause, w, env) for env in envs]
        if "breached" in verdicts:
            return "breached"
        return aggregate(verdicts)

    return fn


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    env: Env
    kleene: str  # the first pass
    possible: Possible
    reads: frozenset  # the unknowns the first pass read

    @property
    def verdict(self) -> str:
        return self.possible.verdict


def item(compiled: CompiledPolicy, clause: m.Clause, world: World, env: Env,
         constraints: Constraints | None) -> ItemOutcome:
    fn = kleene_item(compiled, clause, env)
    kleene, reads = read(fn, world)
    if kleene != "undetermined":
        return ItemOutcome(env, kleene, Possible((kleene,)), frozenset(reads))
    return ItemOutcome(env, kleene, possible(compiled, fn, world, constraints), frozenset(reads))


def clause_possible(compiled: CompiledPolicy, clause: m.Clause, world: World,
                    items: list[ItemOutcome], constraints: Constraints | None) -> Possible:
    """The clause's possible verdicts over all its items at once. Items that share no unknown
    (directly or through a constraint) are independent, so their sets combine; items that
    share one (an officer's duty status, an open question) are searched together."""
    if not items:
        return Possible(("not_applicable",))
    linked = []
    for it in items:
        variables = set(it.reads) if it.kleene == "undetermined" else set()
        if variables and constraints is not None:
            variables |= constraints.variables(constraints.closure(variables))
        linked.append(variables)
    groups = _groups(linked)
    result: set[str] = {"not_applicable"}
    exact = True
    for group in groups:
        members = [items[i] for i in group]
        combined = _combine([it.possible.verdicts for it in members])
        group_exact = all(it.possible.exact for it in members)
        if len(members) > 1 and any(len(it.possible.verdicts) > 1 for it in members):
            joint = possible(compiled, kleene_clause(compiled, clause, [it.env for it in members]),
                             world, constraints)
            combined = set(combined) & set(joint.verdicts) if not joint.exact else set(joint.verdicts)
            group_exact = group_exact and joint.exact
        exact = exact and group_exact
        result = {aggregate((a, b)) for a in result for b in combined}
    return Possible(ordered(result), exact)


def _combine(sets: list[tuple[str, ...]]) -> set[str]:
    out: set[str] = {"not_applicable"}
    for s in sets:
        out = {aggregate((a, b)) for a in out for b in s}
    return out


def _groups(linked: list[set[Var]]) -> list[list[int]]:
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


@dataclass(frozen=True, slots=True)
class Case:
    """One value of the unknown a verdict splits on first: what it leaves possible, or, when
    the constraints rule it out, which constraints and stated facts do."""

    value: object
    possible: Possible
    ruled_out_by: tuple[str, ...] = ()  # constraint names
    given: tuple[Var, ...] = ()  # the stated facts those constraints read


def cases(compiled: CompiledPolicy, clause: m.Clause, world: World, env: Env,
          constraints: Constraints | None) -> tuple[Var, tuple[Case, ...]] | None:
    """For a verdict the first pass left open: the first unknown it splits on and what each
    value of it leaves possible ("if lethal: met; if not: met"). None when nothing splits."""
    fn = kleene_item(compiled, clause, env)
    verdict, reads = read(fn, world)
    if verdict != "undetermined":
        return None
    policy = compiled.policy
    candidates = [v for v in reads if domain(policy, world, v)]
    if not candidates:
        return None
    first = settled = None
    for var in candidates:  # prefer an unknown whose every value settles the verdict on its own
        out = []
        for value in domain(policy, world, var):
            w = assign(world, {var: value})
            if constraints is not None:
                idxs = constraints.closure({var})
                if not constraints.satisfiable(w, idxs):
                    culprits = constraints.violated(w, idxs) or [constraints.instances[i] for i in idxs]
                    given = sorted({k for inst in culprits for k in stated(inst.test, world)})
                    names = tuple(dict.fromkeys(inst.name for inst in culprits))
                    out.append(Case(value, Possible(()), names, tuple(given)))
                    continue
            out.append(Case(value, possible(compiled, fn, w, constraints, assumed=[var])))
        first = first or (var, tuple(out))
        if all(len(c.possible.verdicts) <= 1 for c in out):
            if any(c.ruled_out_by for c in out):
                return var, tuple(out)  # a constraint explains it: the clearest reason
            settled = settled or (var, tuple(out))
    return settled or first


def clause_outcome(compiled: CompiledPolicy, clause: m.Clause, world: World,
                   constraints: Constraints | None) -> tuple[list[ItemOutcome], Possible]:
    """Every item of the clause in `world` (those that may apply) and the clause's verdicts."""
    items = [item(compiled, clause, world, env, constraints) for env in compiled.bindings(clause, world)]
    items = [it for it in items if it.possible.verdicts != ("not_applicable",)]
    return items, clause_possible(compiled, clause, world, items, constraints)

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

Constraints are ground per world into instances (one per binding, like a clause's items),
indexed by the unknowns each reads. After a split only the instances reading the unknown
just set can turn false, so only they are looked at; and because the account as a whole was
checked satisfiable first (`Constraints.conflicts`), whether a branch's values still leave a
completion needs only the instances they reach (`Constraints.allows`, which first tries the
one satisfying completion found for the world).

Several items of a clause that share unknowns (an officer's duty status, an open question)
are combined exactly: by enumerating what they share when it is small (given it, the items
are independent), otherwise verdict by verdict with a bounded search over all of them.

Every search is bounded (`MAX_NODES`); when a bound cuts in, the answer is the sound
over-approximation (every definite verdict still possible in the unexplored branches) and
it says it is not exact. The engine never imports the analysis built on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy, Env, World, kleene_not

VERDICT_ORDER = ("breached", "undetermined", "met", "not_applicable")
DEFINITE = ("met", "breached", "not_applicable")
ALL = frozenset(DEFINITE)
MAX_NODES = 4096  # per search: splits of one verdict, or of one satisfiability check
MAX_SPLIT_DEPTH = 150  # unknowns fixed along one path of a search: bounds its recursion too
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


class _Recorder:
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
    probe = World(world.people, world.events, _Recorder(world.values, missing, None),
                  _Recorder(world.unsettled, missing, QUESTION))
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
        for i in idxs:
            value, r = read(self.instances[i].test, world)
            if value is False:
                return False
            if value is None:
                undecided[i] = r
        return self._solve(world, undecided, budget, {}, pull=False) is not None

    def _solve(self, world: World, undecided: dict[int, dict], budget: list[int],
               chosen: dict[Var, object], pull: bool) -> dict[Var, object] | None:
        """Values for unknowns under which every `undecided` instance holds (with what was
        `chosen` on the way), or None when there are none. One DPLL-style search: split on an
        unknown of the first undecided instance, never trying a value that breaks it; after a
        split only the instances that read the unknown just set are evaluated again, and with
        `pull` every instance reading it joins the search (for `allows`) and the values that
        make the first instance hold are tried first. Without `pull`, parts that share no
        unknown are solved apart and values come in the fact's own order (the witness found
        that way fits more later questions: 29 s against 41 s at 50 events in
        bench/bench_exact.py). When the budget runs out or nothing can be split, the answer
        leans to "yes", the sound side for possible verdicts; `witness` checks what it gets."""
        if not undecided:
            return chosen
        if len(chosen) >= MAX_SPLIT_DEPTH:
            return chosen  # as when the budget runs out: lean to "yes"; `witness` checks it
        order = list(undecided)
        if not pull:
            groups = _groups([set(undecided[i]) for i in order])
            if len(groups) > 1:
                for g in groups:
                    got = self._solve(world, {order[j]: undecided[order[j]] for j in g}, budget,
                                      chosen, pull)
                    if got is None:
                        return None
                    chosen = {**chosen, **got}
                return chosen
        first = order[0]
        var, values = _split(self.compiled.policy, world, undecided[first])
        if var is None:
            reads: dict[Var, None] = {}
            for r in undecided.values():
                reads.update(r)
            var, values = _split(self.compiled.policy, world, reads)
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
            again = self.by_var.get(var, ()) if pull else [i for i, r in undecided.items() if var in r]
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
                got = self._solve(w, rest, budget, {**chosen, var: value}, pull)
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
        for i in self.touching(assigned):
            value, r = read(self.instances[i].test, world)
            if value is False:
                ok = False
                break
            if value is None:
                undecided[i] = r
        if ok and undecided:
            budget = budget if budget is not None else [MAX_NODES]
            ok = self._solve(world, undecided, budget, {}, pull=True) is not None
        self._allowed[key] = ok
        return ok

    def witness(self) -> dict[Var, object] | None:
        """Values for unknowns under which every instance of this world holds, found once;
        None when the search for one was cut short or there is none."""
        if self._witness is False:
            undecided: dict[int, dict] = {}
            found: dict[Var, object] | None = {}
            for i, inst in enumerate(self.instances):
                value, r = read(inst.test, self.world)
                if value is False:
                    found = None
                    break
                if value is None:
                    undecided[i] = r
            if found is not None and undecided:
                found = self._solve(self.world, undecided, [MAX_NODES], {}, pull=False)
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
                out.append(tuple(self.instances[j] for j in group))
        return out


def _lookup(world: World, var: Var) -> object:
    return world.unsettled.get(var[1]) if var[0] == QUESTION else world.values.get(var)


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
    return Explorer(compiled, fn, world, constraints, nodes, tuple(assumed)).possible({}, enough)


class Explorer:
    """`possible` for many assumptions about one verdict in one world, sharing the work: each
    node of the search is a set of assumed values, and its result is kept, so assumptions that
    extend one another (the settlement search tries thousands) meet nodes already explored."""

    def __init__(self, compiled: CompiledPolicy, fn: Callable[[World], str], world: World,
                 constraints: Constraints | None, nodes: int = 8 * MAX_NODES,
                 fixed: tuple[Var, ...] = ()):
        self.compiled, self.fn, self.world, self.constraints = compiled, fn, world, constraints
        self.fixed = fixed  # unknowns of the constraints' world that `world` already fills in
        self.memo: dict[frozenset, tuple[frozenset, bool]] = {}
        self.budget = nodes
        self.query = nodes

    def possible(self, assumed: dict[Var, object], enough: int = 3, nodes: int | None = None) -> Possible:
        """The possible verdicts under `assumed`; with `enough=2` the search may stop at the
        second verdict found ("is it settled?"), and the result then lists just those two.
        `nodes` bounds this one question; past it the answer is not exact."""
        self.query = nodes if nodes is not None else self.budget
        key = frozenset(assumed.items())
        found, exact, _ = self._node(key, enough, (*self.fixed, *assumed))
        return Possible(ordered(found), exact)

    def _node(self, key: frozenset, enough: int, added: tuple[Var, ...]) -> tuple[frozenset, bool, bool]:
        """(verdicts found, exact, complete); only complete results are kept. `added`: the
        unknowns assumed last; only the constraints reading them can have become false."""
        hit = self.memo.get(key)
        if hit is not None:
            return hit[0], hit[1], True
        w = assign(self.world, dict(key))
        verdict, reads = read(self.fn, w)
        c = self.constraints
        split = [*self.fixed, *(var for var, _ in key)]
        checked = c is not None and bool(split)
        complete = True
        if checked and c.violated(w, c.touching(added)):
            found, exact = frozenset(), True
        elif verdict != "undetermined":
            ok = not checked or c.allows(w, split)
            found, exact = (frozenset((verdict,)) if ok else frozenset()), True
        else:
            var, values = _split(self.compiled.policy, w, reads)
            if var is None or self.budget <= 0 or self.query <= 0 or len(key) >= MAX_SPLIT_DEPTH:
                ok = not checked or c.allows(w, split)
                found, exact = (ALL if ok else frozenset()), False
            else:
                acc: set[str] = set()
                exact = True
                for value in values:
                    if len(acc) >= enough:
                        complete = acc == ALL
                        break
                    self.budget -= 1
                    self.query -= 1
                    sub, sub_exact, sub_complete = self._node(key | {(var, value)}, enough, (var,))
                    acc |= sub
                    exact = exact and sub_exact
                    complete = complete and (sub_complete or acc == ALL)
                found = frozenset(acc)
        if complete:
            self.memo[key] = (found, exact)
        return found, exact, complete


# --- the read-once shortcut ----------------------------------------------------------------------
#
# Kleene evaluation is exact (it gives "unknown" only when completions disagree) for a formula in
# which no unknown is read twice and each test of an unknown can come out either way: the
# formula is then a monotone combination of independent two-outcome atoms. For such an item, no
# unknown of which a constraint reads, the possible verdicts follow from the trigger's and the
# requirement's Kleene values at once, with no search. Which formulas qualify is decided from
# their form (`_two_outcome`, once per clause); "read once" is counted as they are evaluated.


def _two_outcome(policy: m.Policy, n: m.Node, memo: dict) -> bool:
    """Every test of a fact in `n` (definitions included) comes out true for some value of the
    fact and false for another, and reads one fact only."""
    key = id(n)
    if key in memo:
        return memo[key]
    memo[key] = False  # a definition that calls itself is not read-once
    if isinstance(n, m.FactRef):
        ok = n.spec.kind == "yes_no"
    elif isinstance(n, m.UnsettledRef | m.Const | m.Var | m.EventAttr | m.OrderNode | m.RoleNode):
        ok = True
    elif isinstance(n, m.CompareNode):
        facts = [x for x in (n.left, n.right) if _reads_facts(x)]
        if not facts:
            ok = True
        elif len(facts) == 1 and n.op in ("==", "!=") and isinstance(facts[0], m.FactRef):
            other = n.right if facts[0] is n.left else n.left
            spec = facts[0].spec
            values = (True, False) if spec.kind == "yes_no" else spec.values
            ok = (spec.kind in ("yes_no", "one_of") and isinstance(other, m.Const)
                  and other.value in values and len(values) >= 2)
        else:
            ok = False
    elif isinstance(n, m.MemberNode):
        if not _reads_facts(n.operand):
            ok = True
        else:
            spec = n.operand.spec if isinstance(n.operand, m.FactRef) else None
            ok = (spec is not None and spec.kind == "one_of" and bool(n.choices & set(spec.values))
                  and not set(spec.values) <= n.choices)
    elif isinstance(n, m.NotNode):
        ok = _two_outcome(policy, n.operand, memo)
    elif isinstance(n, m.AndNode | m.OrNode):
        ok = all(_two_outcome(policy, x, memo) for x in n.operands)
    elif isinstance(n, m.QuantNode):
        ok = _two_outcome(policy, n.body, memo)
    elif isinstance(n, m.DefCall):
        d = policy.definitions[n.name]
        ok = (all(not _reads_facts(a) for a in n.args) and _two_outcome(policy, d.body, memo)
              and all(_two_outcome(policy, x.condition, memo) for x in d.exceptions))
    else:
        ok = False
    memo[key] = ok
    return ok


def _reads_facts(n: m.Node) -> bool:
    if isinstance(n, m.FactRef | m.UnsettledRef | m.DefCall):
        return True
    if isinstance(n, m.AndNode | m.OrNode):
        return any(_reads_facts(x) for x in n.operands)
    if isinstance(n, m.NotNode | m.MemberNode | m.RoleNode):
        return _reads_facts(n.operand)
    if isinstance(n, m.CompareNode | m.OrderNode):
        return _reads_facts(n.left) or _reads_facts(n.right)
    if isinstance(n, m.QuantNode):
        return _reads_facts(n.body)
    return False


def _read_once_form(compiled: CompiledPolicy, clause: m.Clause) -> bool:
    memo = compiled.notes.setdefault("two_outcome", {})
    known = compiled.notes.setdefault("read_once_form", {})
    if clause.id not in known:
        known[clause.id] = all(_two_outcome(compiled.policy, n, memo)
                               for n in (clause.where, clause.requirement) if n is not None)
    return known[clause.id]


def _from_parts(trigger: object, held: object) -> Possible:
    """The verdicts possible when the trigger and the requirement (Kleene values, None for
    unknown) can each come out either way independently."""
    found = set()
    if trigger is not True:
        found.add("not_applicable")
    if trigger is not False:
        if held is not False:
            found.add("met")
        if held is not True:
            found.add("breached")
    return Possible(ordered(found))


class _Counter(_Recorder):
    """A recorder that counts how often each unknown is read."""

    __slots__ = ()

    def get(self, key, default=None):
        value = self.data.get(key)
        if value is None:
            k = key if self.prefix is None else (self.prefix, key)
            self.missing[k] = self.missing.get(k, 0) + 1
            return default
        return value


def kleene_item(compiled: CompiledPolicy, clause: m.Clause, env: Env) -> Callable[[World], str]:
    return lambda w: compiled.verdict(clause, w, env)


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    env: Env
    kleene: str  # the first pass
    possible: Possible
    reads: frozenset  # the unknowns the first pass read

    @property
    def verdict(self) -> str:
        return self.possible.verdict


def _counting(world: World) -> tuple[World, _Counter, _Counter]:
    """`world` seen through counters of the unknowns read (reset them between evaluations)."""
    values, unsettled = _Counter(world.values, {}, None), _Counter(world.unsettled, {}, QUESTION)
    probe = World(world.people, world.events, values, unsettled)
    probe._ids = world._ids
    return probe, values, unsettled


def item(compiled: CompiledPolicy, clause: m.Clause, world: World, env: Env,
         constraints: Constraints | None, counting: tuple | None = None) -> ItemOutcome:
    """One binding's verdict: the Kleene first pass, then, if it is undetermined, the verdicts
    possible over every completion the constraints allow (by the read-once shortcut when it
    applies, else by search). `counting`: `_counting(world)`, to reuse for many items."""
    probe, values, unsettled = counting or _counting(world)
    counts: dict = {}
    values.missing = unsettled.missing = counts
    trigger = compiled.value(clause.where, probe, env) if clause.where is not None else True
    if trigger is False:
        return ItemOutcome(env, "not_applicable", Possible(("not_applicable",)), frozenset(counts))
    held = compiled.value(clause.requirement, probe, env)
    if clause.requirement_kind == "forbids":
        held = kleene_not(held)
    reads = frozenset(counts)
    if held is not None and trigger is not None:
        kleene = "met" if held else "breached"
        return ItemOutcome(env, kleene, Possible((kleene,)), reads)
    if (_read_once_form(compiled, clause) and all(c == 1 for c in counts.values())
            and not (constraints is not None and constraints.touching(reads))):
        return ItemOutcome(env, "undetermined", _from_parts(trigger, held), reads)
    fn = kleene_item(compiled, clause, env)
    return ItemOutcome(env, "undetermined", possible(compiled, fn, world, constraints), reads)


def clause_possible(compiled: CompiledPolicy, clause: m.Clause, world: World,
                    items: list[ItemOutcome], constraints: Constraints | None) -> Possible:
    """The clause's possible verdicts over all its items at once. Items that share no unknown
    (directly or through a constraint) are independent, so their sets combine; items that
    share one (an officer's duty status, an open question) are searched together."""
    if not items:
        return Possible(("not_applicable",))
    if len(items) == 1:
        return items[0].possible
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
            joint = _joint(compiled, clause, world, members, [linked[i] for i in group], constraints,
                           len(combined))
            combined = set(combined) & set(joint.verdicts) if not joint.exact else set(joint.verdicts)
            group_exact = group_exact and joint.exact
        exact = exact and group_exact
        result = {aggregate((a, b)) for a in result for b in combined}
    return Possible(ordered(result), exact)


MAX_SHARED = 8  # unknowns shared between items that are enumerated to combine them exactly
JOINT_NODES = 2048  # otherwise: splits of each search over all the items at once
JOINT_EVALUATIONS = 100_000  # and item evaluations shared by all the searches of one group


def _joint(compiled: CompiledPolicy, clause: m.Clause, world: World, members: list[ItemOutcome],
           linked: list[set[Var]], constraints: Constraints | None, most: int) -> Possible:
    """The verdicts a group of items linked by shared unknowns can take together.

    Given values for the unknowns two or more items share, the items are independent (every
    constraint linking two items' unknowns made those unknowns shared), so for each allowed
    assignment of the shared unknowns the items' sets combine exactly. With more shared
    unknowns than `MAX_SHARED`, one bounded search over all the items instead."""
    policy = compiled.policy
    counts: dict[Var, int] = {}
    for variables in linked:
        for v in variables:
            counts[v] = counts.get(v, 0) + 1
    shared = sorted(v for v, n in counts.items() if n > 1 and domain(policy, world, v))
    if len(shared) <= MAX_SHARED:
        found: set[str] = set()
        exact = True
        for values in _product([domain(policy, world, v) for v in shared]):
            assumed = dict(zip(shared, values, strict=True))
            w = assign(world, assumed)
            if constraints is not None and assumed and not constraints.allows(w, assumed):
                continue
            sets = []
            for it in members:
                p = possible(compiled, kleene_item(compiled, clause, it.env), w, constraints,
                             assumed=list(assumed))
                exact = exact and p.exact
                sets.append(p.verdicts)
            if all(sets):
                found |= _combine(sets)
            if len(found) >= most:
                break
        return Possible(ordered(found), exact)
    # Otherwise ask, verdict by verdict, whether some completion gives the clause that verdict.
    # Breached: whenever one item can be breached (the rest of the world can be completed
    # around it). Not applicable: every item not applicable at once. Met: one item met and
    # none breached.
    fns = [kleene_item(compiled, clause, it.env) for it in members]
    found = set()
    exact = True
    budget = [JOINT_EVALUATIONS]  # the group's searches share it: a large group stays bounded
    if any("breached" in it.possible.verdicts for it in members):
        found.add("breached")
    if all("not_applicable" in it.possible.verdicts for it in members):
        hit = _reachable(compiled, fns, [{"not_applicable"}] * len(fns), world, constraints, budget)
        exact = exact and hit is not None
        if hit is not False:
            found.add("not_applicable")
    for k, it in enumerate(members):
        if "met" not in it.possible.verdicts:
            continue
        if budget[0] <= 0:  # not proved impossible: keep it (sound), and say the set may be wider
            found.add("met")
            exact = False
            break
        allowed = [{"met"} if j == k else {"met", "not_applicable"} for j in range(len(fns))]
        hit = _reachable(compiled, fns, allowed, world, constraints, budget)
        if hit is None:
            exact = False
        if hit is not False:
            found.add("met")
            break
    return Possible(ordered(found), exact)


def _reachable(compiled: CompiledPolicy, fns: list[Callable[[World], str]], allowed: list[set[str]],
               world: World, constraints: Constraints | None, budget: list[int] | None = None
               ) -> bool | None:
    """Is there an allowed completion in which each item's verdict is in its allowed set?
    None when the bounds (`JOINT_NODES` splits; `budget`, the evaluations of items that a
    group's searches share) did not tell. After a split only the items that read the unknown
    just set are evaluated again, so a split costs what it touches, not every item."""
    policy = compiled.policy
    nodes = [JOINT_NODES]
    evaluations = budget if budget is not None else [JOINT_EVALUATIONS]

    def search(w: World, split: frozenset, added: tuple[Var, ...], state: list) -> bool | None:
        if constraints is not None and added and constraints.violated(w, constraints.touching(added)):
            return False
        state = list(state)
        for i, (verdict, reads) in enumerate(state):
            if verdict is None or (added and verdict == "undetermined" and added[0] in reads):
                evaluations[0] -= 1
                state[i] = read(fns[i], w)
        open_reads = None
        for (verdict, reads), ok in zip(state, allowed, strict=True):
            if verdict == "undetermined":
                open_reads = open_reads or reads
            elif verdict not in ok:
                return False
        if open_reads is None:
            return constraints is None or not split or constraints.allows(w, split)
        var, values = _split(policy, w, open_reads)
        if var is None or nodes[0] <= 0 or evaluations[0] <= 0 or len(split) >= MAX_SPLIT_DEPTH:
            return None
        unsure = False
        for value in values:
            nodes[0] -= 1
            got = search(assign(w, {var: value}), split | {var}, (var,), state)
            if got:
                return True
            unsure = unsure or got is None
        return None if unsure else False

    return search(world, frozenset(), (), [(None, ())] * len(fns))


def _product(domains: list[tuple[object, ...]]):
    if not domains:
        yield ()
        return
    first, *rest = domains
    for v in first:
        for tail in _product(rest):
            yield (v, *tail)


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
            if constraints is not None and not constraints.allows(w, [var]):
                idxs = constraints.closure({var})
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
    counting = _counting(world)
    items = [item(compiled, clause, world, env, constraints, counting)
             for env in compiled.bindings(clause, world)]
    items = [it for it in items if it.possible.verdicts != ("not_applicable",)]
    return items, clause_possible(compiled, clause, world, items, constraints)

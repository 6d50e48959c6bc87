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

from forcecheck.engine import lean
from forcecheck.engine.constraints import MAX_NODES, MAX_SPLIT_DEPTH, Constraints, linked_groups, next_split
from forcecheck.engine.reads import QUESTION, Layered, Recorder, Var, assign, domain, read, stated
from forcecheck.policy import model as m
from forcecheck.policy.codegen import generated
from forcecheck.policy.compiler import CompiledPolicy, Env, World, kleene_not

VERDICT_ORDER = ("breached", "undetermined", "met", "not_applicable")
DEFINITE = ("met", "breached", "not_applicable")
ALL = frozenset(DEFINITE)


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




@dataclass(frozen=True, slots=True)
class Possible:
    """The verdicts a clause can take over every allowed completion; `exact` is False when a
    bound or an unknown that cannot be enumerated (a number, a text) left it over-approximate."""

    verdicts: tuple[str, ...]
    exact: bool = True

    @property
    def verdict(self) -> str:
        v = self.verdicts  # always built by `ordered`: no repeats
        return v[0] if len(v) == 1 else "undetermined"


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
            var, values = next_split(self.compiled.policy, w, reads)
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


class _Counter(Recorder):
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
    # A free unknown no item reads links nothing: it can take the value that satisfies every
    # constraint reading it in the same completion as any values of the items' unknowns.
    read_by_any = {v for it in items if it.kleene == "undetermined" for v in it.reads}
    loose = constraints.unlinking(world, read_by_any) if constraints is not None else frozenset()
    linked = []
    for it in items:
        variables = set(it.reads) if it.kleene == "undetermined" else set()
        if variables and constraints is not None:
            variables = set(constraints.linked(variables, loose) - loose)
        linked.append(variables)
    groups = linked_groups(linked)
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
        var, values = next_split(policy, w, open_reads)
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


USE_GENERATED = True  # the search runs on the policy's generated source (False: on the closures)


def clause_outcome(compiled: CompiledPolicy, clause: m.Clause, world: World,
                   constraints: Constraints | None) -> tuple[list[ItemOutcome], Possible]:
    """Every item of the clause in `world` (those that may apply) and the clause's verdicts."""
    items = _generated_items(compiled, clause, world, constraints) if USE_GENERATED else None
    if items is None:
        counting = _counting(world)
        items = [item(compiled, clause, world, env, constraints, counting)
                 for env in compiled.bindings(clause, world)]
        items = [it for it in items if it.possible.verdicts != ("not_applicable",)]
    return items, clause_possible(compiled, clause, world, items, constraints)


_ONE = {v: Possible((v,)) for v in DEFINITE}


def _generated_items(compiled: CompiledPolicy, clause: m.Clause, world: World,
                     constraints: Constraints | None) -> list[ItemOutcome] | None:
    """`item` for every binding, on the clause's generated source (`lean`); None when the clause
    has none or the world's tables are not ones it reads."""
    plans = compiled.notes.get("item-plan")
    if plans is None:
        plans = compiled.notes["item-plan"] = {}
    plan = plans.get(clause.id)
    if plan is None:
        plan = plans[clause.id] = (generated(compiled).function(clause.id), _read_once_form(compiled, clause))
    fn, read_once = plan
    values, questions = world.values, world.unsettled
    if fn is None or type(values) not in (dict, Layered) or type(questions) not in (dict, Layered):
        return None
    out = []
    for env in compiled.bindings(clause, world):
        counts: dict = {}
        ids = tuple(env.values())
        trigger, held = fn(world, values, questions, counts, *ids)
        if trigger is False:
            continue
        if held is not None and trigger is not None:
            kleene = "met" if held else "breached"
            out.append(ItemOutcome(env, kleene, _ONE[kleene], frozenset(counts)))
            continue
        reads = frozenset(counts)
        if (read_once and all(c == 1 for c in counts.values())
                and not (constraints is not None and constraints.touching(reads))):
            found = _from_parts(trigger, held)
        else:
            found = _searched(compiled, clause, fn, ids, world, constraints)
            if found.verdicts == ("not_applicable",):
                continue
        out.append(ItemOutcome(env, "undetermined", found, reads))
    return out


def _searched(compiled: CompiledPolicy, clause: m.Clause, fn: Callable, ids: tuple[str, ...],
              world: World, constraints: Constraints | None) -> Possible:
    """The lean search for one binding, its outcome kept by the values the clause reads."""
    seen: dict = {}
    generated(compiled, record_all=True).function(clause.id)(world, world.values, world.unsettled,  # type: ignore[misc]
                                                            seen, *ids)
    key = (clause.id, ids, lean.signature(world), tuple(seen.items()))
    memo = compiled.notes.get("outcomes")
    if memo is None:
        memo = compiled.notes["outcomes"] = lean.Memo()
    hit = memo.get(key, constraints)
    if hit is not None:
        return Possible(ordered(hit[0]), hit[1])
    values, questions = lean.flat(world.values), lean.flat(world.unsettled)
    if values is None or questions is None:
        env = dict(zip((b.var for b in clause.bindings), ids, strict=True))
        return possible(compiled, kleene_item(compiled, clause, env), world, constraints)
    search = lean.Search(compiled.policy, fn, ids, world, constraints, values, questions)
    found, exact = search.possible()
    if not search.touched:
        memo.put(key, found, exact, search.split_on)
    return Possible(ordered(found), exact)

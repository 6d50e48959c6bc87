"""What would decide a verdict, and why accounts disagree.

Two searches, both over the compiled closures and both bounded:

* **Settling an undetermined verdict.** The unknown facts a verdict reads (and any that
  become relevant once one of them is set) are tried in combinations of growing size, up to
  `MAX_SETTLE_SIZE` facts at once, with every value each can take. An assignment is kept
  when it gives a determined verdict and no smaller kept assignment for that verdict is part
  of it, so each is minimal: "if the car was driven at someone: met".

* **Why two accounts disagree.** For a contested clause and two accounts A and B, the facts
  whose values differ between their worlds and that the clause reads under either are the
  candidates. Subsets of growing size are tried, changing A's values to B's, until A's
  verdict becomes B's: the first found is a smallest flipping set. With more than
  `MAX_EXHAUSTIVE` candidates the search is greedy instead, and says so.

Numbers and text cannot be enumerated; a verdict that waits on one lists it as unknown
without an assignment.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from forcecheck.engine import exact, lean
from forcecheck.engine.constraints import MAX_NODES, Constraints
from forcecheck.engine.exact import Possible, clause_outcome, kleene_item, ordered
from forcecheck.engine.reads import QUESTION, Seen, Var, assign, domain, fact_spec, read
from forcecheck.policy import model as m
from forcecheck.policy.codegen import generated
from forcecheck.policy.compiler import CompiledPolicy, Env, World

MAX_SETTLE_SIZE = 3
MAX_UNKNOWNS = 12
MAX_EXHAUSTIVE = 12
MAX_EVALUATIONS = 2000  # per undetermined verdict
TOTAL_EVALUATIONS = 10000  # per scenario, shared by every search of its analysis
MIN_EVALUATIONS = 50  # per undetermined verdict while the scenario's budget lasts
MAX_NODES_PER_ANSWER = 64  # splits spent proving that one assignment settles a verdict
Key = tuple[str, str]  # (subject id, "incident" or "policy"; fact or question name)


class Budget:
    """The work the analysis of one scenario may still do, shared by every search in it, so
    that the analysis grows with the size of a scenario no faster than its verdicts do. What
    it cut short is counted and reported."""

    def __init__(self, total: int = TOTAL_EVALUATIONS):
        self.left = total
        self.cut = 0  # searches cut short because the budget ran out

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


class _Spent(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Unknown:
    """A fact no one states (or an open question of the policy) that a verdict reads."""

    subject: str  # "policy" for an unsettled question
    fact: str
    question: str
    values: tuple[object, ...]  # what it can be; empty for numbers and text

    @property
    def key(self) -> str:
        return self.fact if self.subject == "policy" else f"{self.subject}.{self.fact}"


@dataclass(frozen=True, slots=True)
class Settlement:
    """A smallest assignment of unknown facts that settles a verdict one way."""

    verdict: str
    assignments: tuple[tuple[Unknown, object], ...]


@dataclass(frozen=True, slots=True)
class Position:
    """What one account says of a fact: its value, and the statement, if any."""

    account: str
    value: object
    stated_by: str | None
    source: str | None
    quote: str | None
    note: str | None
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class DisputedFact:
    subject: str
    fact: str
    question: str
    positions: tuple[Position, ...]  # one per account, in scenario order

    @property
    def key(self) -> str:
        return f"{self.subject}.{self.fact}"


@dataclass(frozen=True, slots=True)
class Dispute:
    """Changing these facts from one account's values to the other's flips the verdict."""

    clause: str
    from_account: str
    to_account: str
    from_possible: tuple[str, ...]  # the possible verdicts under each account
    to_possible: tuple[str, ...]
    facts: tuple[DisputedFact, ...]
    smallest: bool  # False when the search was greedy or found no flipping set


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """An unknown fact, with every undetermined verdict it helps to settle."""

    unknown: Unknown
    decides: tuple[tuple[str, str, str], ...]  # (account id, clause id, item label)


def unknown_of(policy: m.Policy, world: World, var: Var) -> Unknown | None:
    """The unknown `var` as reports show it: its question and the values it can take."""
    subject, name = var
    if subject == QUESTION:
        spec = policy.unsettled.get(name)
        return None if spec is None else Unknown("policy", spec.name, spec.question, (True, False))
    spec = fact_spec(policy, world, subject, name)
    if spec is None:
        return None
    return Unknown(subject, name, spec.question, domain(policy, world, var))


def _var(u: Unknown) -> Var:
    return (QUESTION, u.fact) if u.subject == "policy" else (u.subject, u.fact)


def _apply(world: World, assignments) -> World:
    return assign(world, {_var(u): v for u, v in assignments})


@dataclass(frozen=True, slots=True)
class Candidates:
    """What an undetermined verdict waits on, worked out before any search: the unknowns it
    reads and those tied to them by a constraint (`unknowns`, policy questions first), and
    those the settling search tries, in the order it tries them."""

    unknowns: tuple[Unknown, ...]
    tried: tuple[Unknown, ...]  # at most MAX_UNKNOWNS, the ones the verdict reads first
    all_tried: bool  # every enumerable unknown is among them


def candidates(compiled: CompiledPolicy, clause: m.Clause, world: World, env: Env,
               constraints: Constraints | None = None) -> Candidates:
    """The unknowns an undetermined verdict depends on (see `Candidates`). A constraint ties
    an unknown to the verdict through the unknowns it reads, but not through a free one
    (`Constraints.linked`): what lies beyond a free unknown can never settle the verdict."""
    policy = compiled.policy
    _, reads = read(kleene_item(compiled, clause, env), world)
    # The unknowns the verdict reads come first; those tied to them by a constraint after.
    linked = constraints.linked(reads) if constraints is not None else set()
    found = [u for v in [*sorted(reads), *sorted(linked - set(reads))]
             if (u := unknown_of(policy, world, v)) is not None]
    unknowns = tuple(sorted(found, key=lambda u: (u.subject != "policy", u.key)))
    enumerable = sorted((u for u in unknowns if u.values),
                        key=lambda u: (_var(u) not in reads, u.subject != "policy", u.key))
    return Candidates(unknowns, tuple(enumerable[:MAX_UNKNOWNS]), len(enumerable) <= MAX_UNKNOWNS)


def explorer(compiled: CompiledPolicy, clause: m.Clause, world: World, env: Env,
             constraints: Constraints | None) -> Callable[[dict[Var, object], int, int], Possible]:
    """`Explorer(...).possible(assumed, enough, nodes)` for one binding of a clause, asked many
    times: on the clause's generated source (`lean.Explorer`) when it has one, else on the
    closures; the same answers either way."""
    fn = generated(compiled).function(clause.id) if exact.USE_GENERATED else None
    values = questions = None
    if fn is not None:
        values, questions = lean.flat(world.values), lean.flat(world.unsettled)
    if values is None or questions is None:
        closures = exact.Explorer(compiled, kleene_item(compiled, clause, env), world, constraints)
        return lambda assumed, enough, nodes: closures.possible(assumed, enough, nodes)
    search = lean.Explorer(compiled.policy, fn, tuple(env.values()), world, constraints, values, questions,
                           8 * MAX_NODES)

    def ask(assumed: dict[Var, object], enough: int, nodes: int) -> Possible:
        found, is_exact = search.ask(assumed, enough, nodes)
        return Possible(ordered(found), is_exact)

    return ask


def settle(compiled: CompiledPolicy, clause: m.Clause, world: World, env: Env,
           constraints: Constraints | None = None, possible_verdicts: tuple[str, ...] = (),
           evaluations: int = MAX_EVALUATIONS, shared: Budget | None = None,
           found: Candidates | None = None) -> tuple[tuple[Unknown, ...], tuple[Settlement, ...], bool]:
    """The unknowns an undetermined verdict depends on, and the smallest assignments settling it.

    Candidates are the unknowns the verdict reads and those tied to them by a constraint
    (`candidates`, unless `found` gives them). Groups of 1, 2, then up to `MAX_SETTLE_SIZE`
    candidates are tried with every combination
    of their values; an assignment the constraints do not allow is never offered, and one is
    kept only when the exact verdict under it is a single verdict. A group that contains an
    assignment already found to settle the verdict is skipped: fixing more unknowns only
    narrows the completions, so it could not be smaller. Once every verdict in
    `possible_verdicts` has a settlement, larger groups are not tried: the report names the
    smallest ways to each verdict, not every way. Returns (unknowns, settlements, complete);
    `complete` is False when a bound cut the search short.
    """
    found = found or candidates(compiled, clause, world, env, constraints)
    unknowns, enumerable, complete = found.unknowns, found.tried, found.all_tried
    kept: list[Settlement] = []
    settled: list[frozenset] = []
    budget = evaluations
    ask = explorer(compiled, clause, world, env, constraints)
    for size in range(1, MAX_SETTLE_SIZE + 1):
        if possible_verdicts and {k.verdict for k in kept} >= set(possible_verdicts):
            break  # every verdict still possible has its smallest ways: larger sets add noise
        for group in itertools.combinations(enumerable, size):
            for values in itertools.product(*(u.values for u in group)):
                assignment = tuple(zip(group, values, strict=True))
                as_set = frozenset(assignment)
                if any(s <= as_set for s in settled):
                    continue
                if budget == 0:
                    return unknowns, _ordered(kept), False
                if shared is not None and not shared.take():
                    shared.cut += 1
                    return unknowns, _ordered(kept), False
                budget -= 1
                result = ask({_var(u): v for u, v in assignment}, 2, MAX_NODES_PER_ANSWER)
                if not result.exact:
                    complete = False  # too costly to prove either way: not offered
                elif len(result.verdicts) == 1:
                    settled.append(as_set)
                    kept.append(Settlement(result.verdicts[0], tuple(sorted(assignment,
                                                                              key=lambda a: a[0].key))))
    if len(enumerable) > MAX_SETTLE_SIZE and not kept:
        complete = False
    return unknowns, _ordered(kept), complete


def _all_reads(compiled: CompiledPolicy, clause: m.Clause, world: World, envs) -> set:
    """Every fact key the clause reads, known or not."""
    seen: set = set()
    probe = World(world.people, world.events, Seen(world.values, seen), world.unsettled)
    for env in envs:
        compiled.verdict(clause, probe, env)
    return seen


def _ordered(kept: list[Settlement]) -> tuple[Settlement, ...]:
    order = {"met": 0, "breached": 1, "not_applicable": 2}
    return tuple(sorted(kept, key=lambda k: (order[k.verdict], len(k.assignments),
                                             [(u.key, str(v)) for u, v in k.assignments])))


def clause_verdicts(compiled: CompiledPolicy, clause: m.Clause, world: World) -> tuple[str, ...] | None:
    """The clause's possible verdicts in `world`, or None when the constraints allow no completion."""
    constraints = Constraints(compiled, world)
    if constraints.conflicts(world):
        return None
    return clause_outcome(compiled, clause, world, constraints)[1].verdicts


def differing_facts(compiled: CompiledPolicy, clause: m.Clause, worlds: list[World],
                    tied: list[list[set]] | None = None) -> list[Key]:
    """The facts whose values differ between the worlds (accounts) and that the clause reads
    under any of them, or that a constraint ties to a fact it reads (such a fact may have to
    move with one the clause reads): the candidates for why the accounts' verdicts differ.
    `tied`, if given, is `constraint_reads` of each world (the same for every clause)."""
    reads: set = set()
    for i, w in enumerate(worlds):
        reads |= _all_reads(compiled, clause, w, list(compiled.bindings(clause, w)))
        tied_here = tied[i] if tied is not None else constraint_reads(compiled, w)
        grown = True
        while grown:  # a constraint reading one of them brings in what else it reads
            grown = False
            for keys in tied_here:
                if keys & reads and not keys <= reads:
                    reads |= keys
                    grown = True
    return sorted(k for k in reads if len({w.values.get(k) for w in worlds}) > 1)


def constraint_reads(compiled: CompiledPolicy, world: World,
                     constraints: Constraints | None = None) -> list[set]:
    """Every fact key each ground constraint reads in `world`, stated or not."""
    out = []
    for inst in (constraints or Constraints(compiled, world)).instances:
        seen: set = set()
        probe = World(world.people, world.events, Seen(world.values, seen), world.unsettled)
        probe._ids = world._ids
        inst.test(probe)
        out.append(seen)
    return out


def dispute(compiled: CompiledPolicy, clause: m.Clause, a: World, b: World,
            shared: Budget | None = None) -> tuple[list[Key], bool]:
    """A smallest set of fact keys whose values, moved from world `a` to `b`'s, turn the
    clause's possible verdicts in `a` into those in `b` (a mix the constraints do not allow
    never counts). Returns (keys, smallest); when the shared budget runs out, every
    differing fact, not smallest."""
    if shared is not None:
        shared.take()  # finding the target and the facts read costs as much as a try
    target = clause_verdicts(compiled, clause, b)
    differing = differing_facts(compiled, clause, [a, b])

    def flips(keys) -> bool:
        if shared is not None and not shared.take():
            raise _Spent
        changed = a.with_values({k: b.values.get(k) for k in keys})
        return clause_verdicts(compiled, clause, changed) == target

    try:
        return _smallest(differing, flips)
    except _Spent:
        shared.cut += 1  # type: ignore[union-attr]
        return differing, False


def _smallest(differing: list[Key], flips) -> tuple[list[Key], bool]:
    if len(differing) <= MAX_EXHAUSTIVE:
        for size in range(1, len(differing) + 1):
            for keys in itertools.combinations(differing, size):
                if flips(keys):
                    return list(keys), True
        return differing, False
    chosen: list[Key] = []
    for k in differing:  # greedy: add facts until it flips, then drop any not needed
        chosen.append(k)
        if flips(chosen):
            break
    for k in list(chosen):
        rest = [x for x in chosen if x != k]
        if rest and flips(rest):
            chosen = rest
    return chosen, False

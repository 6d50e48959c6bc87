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
from dataclasses import dataclass

from forcecheck import model as m
from forcecheck.compiler import CompiledPolicy, Env, World

MAX_SETTLE_SIZE = 3
MAX_UNKNOWNS = 12
MAX_EXHAUSTIVE = 12
MAX_EVALUATIONS = 2000  # per undetermined verdict
Key = tuple[str, str]  # (subject id, "incident" or "policy"; fact or question name)


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
    from_verdict: str
    to_verdict: str
    facts: tuple[DisputedFact, ...]
    smallest: bool  # False when the search was greedy or found no flipping set


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """An unknown fact, with every undetermined verdict it helps to settle."""

    unknown: Unknown
    decides: tuple[tuple[str, str, str], ...]  # (account id, clause id, item label)


class _Recording(dict):
    """A values table that remembers which missing keys were asked for."""

    def __init__(self, data, missing: set):
        super().__init__(data)
        self.missing = missing

    def get(self, key, default=None):
        if self.__contains__(key) is False or dict.get(self, key) is None:
            self.missing.add(key)
        return super().get(key, default)


def _reads(compiled: CompiledPolicy, clause: m.Clause, world: World, envs) -> tuple[set, set]:
    """Unknown fact keys and unsettled questions the clause reads in `world`."""
    facts: set = set()
    questions: set = set()
    probe = World(world.people, world.events, _Recording(world.values, facts),
                  _Recording(world.unsettled, questions))
    for env in envs:
        compiled.verdict(clause, probe, env)
    return facts, questions


def _all_reads(compiled: CompiledPolicy, clause: m.Clause, world: World, envs) -> set:
    """Every fact key the clause reads, known or not."""
    seen: set = set()

    class _All(dict):
        def get(self, key, default=None):
            seen.add(key)
            return super().get(key, default)

    probe = World(world.people, world.events, _All(world.values), world.unsettled)
    for env in envs:
        compiled.verdict(clause, probe, env)
    return seen


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


def _unknown(policy: m.Policy, world: World, key: Key, question: bool) -> Unknown | None:
    if question:
        spec = policy.unsettled[key[1]]
        return Unknown("policy", spec.name, spec.question, (True, False))
    spec = fact_spec(policy, world, *key)
    if spec is None:
        return None
    values: tuple[object, ...] = ()
    if spec.kind == "yes_no":
        values = (True, False)
    elif spec.kind == "one_of":
        values = spec.values
    return Unknown(key[0], key[1], spec.question, values)


def _apply(world: World, assignments) -> World:
    facts = {(u.subject, u.fact): v for u, v in assignments if u.subject != "policy"}
    questions = {u.fact: v for u, v in assignments if u.subject == "policy"}
    return world.with_values(facts, questions)


def settle(compiled: CompiledPolicy, clause: m.Clause, world: World, env: Env
           ) -> tuple[tuple[Unknown, ...], tuple[Settlement, ...], bool]:
    """The unknowns an undetermined verdict reads, and the smallest assignments settling it.

    Candidates are the unknown facts the verdict reads, and those it reads once one of them
    is set (the exception's conditions, once the person is known to be fleeing). Groups of
    1, 2, then up to `MAX_SETTLE_SIZE` candidates are tried with every combination of their
    values. A group that contains an assignment already found to settle the verdict is
    skipped: setting more unknowns never unsettles a verdict in three-valued logic, so it
    could not be smaller. Returns (unknowns, settlements, complete); `complete` is False when
    a bound (candidates, group size, or `MAX_EVALUATIONS`) cut the search short.
    """
    policy = compiled.policy
    found: dict[tuple, Unknown] = {}

    def learn(w: World) -> None:
        facts, questions = _reads(compiled, clause, w, [env])
        for key in sorted(facts):
            if ("f", key) not in found and (u := _unknown(policy, world, key, False)) is not None:
                found[("f", key)] = u
        for name in sorted(questions):
            found.setdefault(("q", name), _unknown(policy, world, ("policy", name), True))

    learn(world)
    for u in list(found.values()):
        for v in u.values:
            learn(_apply(world, [(u, v)]))
    unknowns = tuple(sorted(found.values(), key=lambda u: (u.subject != "policy", u.key)))
    enumerable = [u for u in unknowns if u.values]
    complete = len(enumerable) <= MAX_UNKNOWNS
    enumerable = enumerable[:MAX_UNKNOWNS]
    kept: list[Settlement] = []
    settled: list[frozenset] = []
    budget = MAX_EVALUATIONS
    for size in range(1, MAX_SETTLE_SIZE + 1):
        for group in itertools.combinations(enumerable, size):
            for values in itertools.product(*(u.values for u in group)):
                assignment = tuple(zip(group, values, strict=True))
                as_set = frozenset(assignment)
                if any(s <= as_set for s in settled):
                    continue
                if budget == 0:
                    return unknowns, _ordered(kept), False
                budget -= 1
                verdict = compiled.verdict(clause, _apply(world, assignment), env)
                if verdict != "undetermined":
                    settled.append(as_set)
                    kept.append(Settlement(verdict, assignment))
    if len(enumerable) > MAX_SETTLE_SIZE and not kept:
        complete = False
    return unknowns, _ordered(kept), complete


def _ordered(kept: list[Settlement]) -> tuple[Settlement, ...]:
    order = {"met": 0, "breached": 1, "not_applicable": 2}
    return tuple(sorted(kept, key=lambda k: (order[k.verdict], len(k.assignments),
                                             [(u.key, str(v)) for u, v in k.assignments])))


def clause_verdict(compiled: CompiledPolicy, clause: m.Clause, world: World) -> str:
    from forcecheck.evaluate import aggregate

    verdicts = [compiled.verdict(clause, world, env) for env in compiled.bindings(clause, world)]
    return aggregate(v for v in verdicts if v != "not_applicable")


def dispute(compiled: CompiledPolicy, clause: m.Clause, a: World, b: World
            ) -> tuple[list[Key], bool]:
    """A smallest set of fact keys whose values, moved from world `a` to `b`'s, flip the
    clause's verdict in `a` to its verdict in `b`. Returns (keys, smallest)."""
    target = clause_verdict(compiled, clause, b)
    reads = (_all_reads(compiled, clause, a, list(compiled.bindings(clause, a)))
             | _all_reads(compiled, clause, b, list(compiled.bindings(clause, b))))
    differing = sorted(k for k in reads if a.values.get(k) != b.values.get(k))

    def flips(keys) -> bool:
        changed = a.with_values({k: b.values.get(k) for k in keys})
        return clause_verdict(compiled, clause, changed) == target

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

"""The loaded scenario: each account as statements attributed to who made them, on what
source, and the world an account describes, as the engine reads it.

Plain dataclasses, built once a file has passed both checks (see `load`); the evaluation and
the reports read these, never the file's models directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forcecheck.policy import model as m
from forcecheck.policy.compiler import EventView, PersonView, World
from forcecheck.policy.model import ASSUMED
from forcecheck.scenario.schema import ScenarioModel
from forcecheck.scenario.yamlsource import YamlDoc


@dataclass(frozen=True, slots=True)
class Statement:
    """One fact as stated: its value and who stated it, on what source, in what words."""

    subject: str  # "incident", a person id or an event id
    fact: str
    value: object
    stated_by: str  # an account id, or "undisputed"
    source: str | None
    quote: str | None
    note: str | None
    inferred: bool = False


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    sources: tuple[str, ...]
    summary: str | None
    statements: dict[tuple[str, str], Statement]  # own statements only
    sequence: tuple[str, ...] = ()  # this account's order of its events
    unsettled: dict[str, bool] = field(default_factory=dict)  # assumed open questions
    hypothetical: bool = False
    base: str | None = None  # for a hypothetical: the account it starts from
    # (kind, note) when the account is marked partial (`coverage:`): its silence is not a denial.
    coverage: tuple[str, str] | None = None


@dataclass(frozen=True)
class Hypothesis:
    """`--assume` on top of the undisputed facts or of one account."""

    base: str | None
    facts: tuple[tuple[str, str, object], ...]  # (subject, fact, value)
    unsettled: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the model as written plus what the vocabulary made of it."""

    path: str
    model: ScenarioModel
    undisputed: dict[tuple[str, str], Statement]
    accounts: tuple[Account, ...]
    doc: YamlDoc
    # Account id -> (world, ground constraints) as the consistency check built them when the
    # scenario loaded, so that a batch need not build both again (see `batch.record`).
    checked: dict = field(default_factory=dict, compare=False, repr=False)
    # Warnings from loading it (an old fact name read as its new one, W012): never a reason
    # not to load, shown by the commands that show warnings.
    warnings: tuple = field(default=(), compare=False, repr=False)
    # The policy's closures (`closures_of`), left out of the search while unstated.
    closures: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.model.id

    def source_title(self, source_id: str | None) -> str | None:
        for s in self.model.sources:
            if s.id == source_id:
                return s.publisher or s.title
        return None

    def world(self, account: Account) -> World:
        return build_world(self.model, self._base_id(account), account.sequence,
                           {**self.undisputed, **account.statements}, account.unsettled, self.closures)

    def _base_id(self, account: Account) -> str:
        return account.base or "" if account.hypothetical else account.id

    def hypothetical(self, h: Hypothesis) -> Account:
        """A hypothetical: the base account's statements (or none) with the assumptions on top."""
        base = next((a for a in self.accounts if a.id == h.base), None)
        statements = dict(base.statements) if base else {}
        for subject, fact, value in h.facts:
            statements[(subject, fact)] = Statement(subject, fact, value, ASSUMED, None, None, None)
        sequence = base.sequence if base else tuple(
            e.id for e in self.model.events if e.accounts is None)
        name = f"hypothetical ({base.name} + assumptions)" if base else \
            "hypothetical (undisputed facts + assumptions)"
        # Open questions answered for the whole run (`--settle`) hold for the hypothetical too.
        answered = self.accounts[0].unsettled if self.accounts else {}
        return Account("hypothetical", name, base.sources if base else (), None, statements, sequence,
                       {**answered, **dict(h.unsettled)}, hypothetical=True, base=h.base)

    def statement(self, account: Account, key: tuple[str, str]) -> Statement | None:
        return account.statements.get(key) or self.undisputed.get(key)


def build_world(model: ScenarioModel, present: str, sequence: tuple[str, ...],
                statements: dict[tuple[str, str], Statement], unsettled: dict[str, bool],
                closures: tuple[str, ...] = ()) -> World:
    """The world of one account (`present`: its id; "" for the undisputed facts alone).

    A closure (`closures_of`) that is not stated is left out of the engine's search as "there
    may have been one" (yes): every constraint of a closure is void when it is yes, so no
    verdict, and no set of verdicts still possible, can differ; while, left unknown, it would
    tie every shot's vehicle facts to one another and enlarge every search and dispute for
    nothing. Reports read the statements, so it is still shown as stated by no one."""
    people = {p.id: PersonView(p.id, p.role) for p in model.people
              if p.accounts is None or present in p.accounts}
    by_id = {e.id: e for e in model.events}
    events = {eid: EventView(eid, by_id[eid].actor, by_id[eid].action, by_id[eid].target or "", i)
              for i, eid in enumerate(sequence)}
    values = {("incident", name): True for name in closures}
    values.update({k: st.value for k, st in statements.items()})
    return World(people, events, values, dict(unsettled))


_CLOSURES: dict[int, tuple[m.Policy, tuple[str, ...]]] = {}  # id(policy) -> (policy, closures)


def closures_of(policy: m.Policy) -> tuple[str, ...]:
    """The policy's closures: yes/no facts about the incident as a whole ("a moving vehicle was
    part of it") that constraints read in what they apply to, and no clause reads. Stated
    "no", such a fact settles the facts that follow from it (policy/vocabulary/incident.rules).
    Worked out once per policy object: every scenario loaded asks (a batch of 5,475 records
    spent a quarter of its time reading the whole policy again for them)."""
    hit = _CLOSURES.get(id(policy))
    if hit is None or hit[0] is not policy:
        if len(_CLOSURES) > 8:
            _CLOSURES.clear()
        hit = _CLOSURES[id(policy)] = (policy, _closures(policy))
    return hit[1]


def _closures(policy: m.Policy) -> tuple[str, ...]:
    read_by_clauses = set(m.fact_readers(policy))
    in_constraints = {k for c in policy.constraints for k in m.facts_read(c.where, policy)}
    return tuple(sorted(f.name for f in policy.facts.values()
                        if f.subject == "incident" and f.kind == "yes_no"
                        and f"incident.{f.name}" in in_constraints
                        and f"incident.{f.name}" not in read_by_clauses))

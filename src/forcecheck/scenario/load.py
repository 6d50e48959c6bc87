"""Scenario files: shape checked by pydantic, meaning checked against the policy's vocabulary.

Two passes, both reporting at file:line:col. Pydantic checks the shape (keys, lists, required
fields). Then the vocabulary decides the rest, so nothing is declared twice: which facts exist
for which kind of subject, their types and allowed values, roles and actions, and the
references between people, events, sources and accounts. An account may not contradict an
undisputed fact. A fact no one states is simply absent: unknown, never false.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from forcecheck.diagnostics import (
    Collector,
    Diagnostic,
    InputError,
    did_you_mean,
    did_you_mean_meaning,
    known_list,
    sorted_diagnostics,
)
from forcecheck.engine.exact import Constraints, stated
from forcecheck.files import read_text
from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy, EventView, PersonView, World, compile_policy
from forcecheck.policy.model import ASSUMED, UNDISPUTED  # re-exported: the stated_by of those statements
from forcecheck.scenario.yamlsource import MAX_BYTES, YamlDoc, load_yaml

VERDICTS = ("not_applicable", "met", "breached", "undetermined")
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    publisher: str | None = None
    url: str | None = None
    date: str | None = None


class PersonModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    role: str
    description: str
    agency: str | None = None
    accounts: list[str] | None = None  # the accounts in which this person was there; default all


class EventModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    actor: str
    action: str
    target: str | None = None
    time: str | None = None
    description: str
    accounts: list[str] | None = None  # the accounts in which this event happened; default all


class StatementModel(_Strict):
    value: str | None
    source: str | None = None
    quote: str | None = None
    note: str | None = None
    # The source does not say this in words; it follows from what the account says (the note
    # says how). Shown wherever the statement is.
    inferred: bool = False


FactEntry = str | StatementModel | None


class UndisputedModel(_Strict):
    sources: list[str] = []
    facts: dict[str, FactEntry] = {}


class AccountModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    sources: list[str] = []
    summary: str | None = None
    facts: dict[str, FactEntry] = {}
    order: list[str] = []  # "EVENT before EVENT" / "EVENT after EVENT", where it differs from the timeline


class RecordModel(_Strict):
    """Where an imported scenario came from: a database, its record, and the record's fields
    that a corpus report can filter on (`forcecheck import` writes it)."""

    database: str
    id: str
    mapping: str | None = None
    fields: dict[str, str | None] = {}


class ExpectModel(BaseModel):
    """Expected results: per account (`dhs: {clause: verdict}`), plus three reserved keys."""

    model_config = ConfigDict(extra="allow", frozen=True)
    contested: list[str] | None = None  # exactly the contested clauses
    deciding: dict[str, list[str]] | None = None  # clause -> the facts that decide its dispute
    undetermined: dict[str, list[str]] | None = None  # account -> exactly its undetermined clauses
    # The policy (its id) the expectations are for; by default the shipped DHS policy. Under
    # another policy they are neither checked nor run: one scenario file serves every policy.
    policy: str | None = None

    def applies_to(self, policy_id: str) -> bool:
        return (self.policy or DEFAULT_POLICY_ID) == policy_id

    def by_account(self) -> dict[str, object]:
        return dict(self.model_extra or {})


RESERVED_EXPECT_KEYS = ("contested", "deciding", "undetermined", "policy")
DEFAULT_POLICY_ID = "dhs-uof"


class ScenarioModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    kind: Literal["real", "teaching"]
    date: str | None = None
    time: str | None = None
    place: str | None = None
    summary: str
    sources: list[SourceModel] = []
    people: list[PersonModel] = Field(min_length=1)
    events: list[EventModel] = []
    undisputed: UndisputedModel = UndisputedModel()
    accounts: list[AccountModel] = Field(min_length=1)
    record: RecordModel | None = None
    expect: ExpectModel = ExpectModel()


MAX_ACCOUNT_ITEMS = 600  # people and events, summed over the accounts (see _Vocabulary._size)


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
                           {**self.undisputed, **account.statements}, account.unsettled)

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
        return Account("hypothetical", name, base.sources if base else (), None, statements, sequence,
                       dict(h.unsettled), hypothetical=True, base=h.base)

    def statement(self, account: Account, key: tuple[str, str]) -> Statement | None:
        return account.statements.get(key) or self.undisputed.get(key)


def build_world(model: ScenarioModel, present: str, sequence: tuple[str, ...],
                statements: dict[tuple[str, str], Statement], unsettled: dict[str, bool]) -> World:
    """The world of one account (`present`: its id; "" for the undisputed facts alone)."""
    people = {p.id: PersonView(p.id, p.role) for p in model.people
              if p.accounts is None or present in p.accounts}
    by_id = {e.id: e for e in model.events}
    events = {eid: EventView(eid, by_id[eid].actor, by_id[eid].action, by_id[eid].target or "", i)
              for i, eid in enumerate(sequence)}
    return World(people, events, {k: st.value for k, st in statements.items()}, dict(unsettled))


_COMPILED: dict[int, tuple[m.Policy, CompiledPolicy]] = {}


def _compiled(policy: m.Policy | CompiledPolicy) -> CompiledPolicy:
    if isinstance(policy, CompiledPolicy):
        return policy
    hit = _COMPILED.get(id(policy))
    if hit is None or hit[0] is not policy:
        hit = _COMPILED[id(policy)] = (policy, compile_policy(policy))
    return hit[1]


def load_scenario(path: str | Path, policy: m.Policy | CompiledPolicy, text: str | None = None) -> Scenario:
    """Read, shape-check and vocabulary-check one scenario file (or `text`, read already from
    somewhere `path` names, such as standard input), and check that each account (with the
    undisputed facts) respects the policy's constraints."""
    compiled = _compiled(policy)
    policy = compiled.policy
    p = Path("<stdin>") if str(path) == "-" else Path(path)
    if text is None:
        text = read_text(p, MAX_BYTES, "S000", "scenario file")
    doc = load_yaml(p, text)
    if not isinstance(doc.data, dict):
        raise InputError([*doc.problems, Diagnostic(doc.span(()), "S001", "a scenario file must be "
                                                    "a mapping of keys (id, title, people, ...)",
                                                    "start from `forcecheck new` or a file in "
                                                    "scenarios/teaching")])
    try:
        model = ScenarioModel.model_validate(doc.data)
    except ValidationError as exc:
        shape = [*doc.problems, *_pydantic_diagnostics(exc, doc)]
        # Unknown keys alone do not stop the vocabulary pass: report its errors too.
        if any(e["type"] != "extra_forbidden" for e in exc.errors()):
            raise InputError(sorted_diagnostics(shape)) from None
        try:
            _Vocabulary(doc, ScenarioModel.model_validate(_without(doc.data, exc)), compiled).run()
        except InputError as more:
            shape = [*shape, *more.diagnostics]
        raise InputError(sorted_diagnostics(shape)) from None
    try:
        scenario = _Vocabulary(doc, model, compiled).run()
    except InputError as more:
        raise InputError(sorted_diagnostics([*doc.problems, *more.diagnostics])) from None
    if doc.problems:
        raise InputError(sorted_diagnostics(doc.problems))
    return scenario


def _without(data: dict, exc: ValidationError) -> dict:
    """A copy of `data` without the unknown keys pydantic reported."""
    import copy

    clean = copy.deepcopy(data)
    for err in exc.errors():
        *parents, key = err["loc"]
        node = clean
        for part in parents:
            node = node[part]
        node.pop(key, None)
    return clean


_FIELD_HINTS = {
    "missing": "add it",
    "extra_forbidden": None,
    "string_pattern_mismatch": "ids use lower-case letters, digits, '-' and '_'",
    "too_short": "at least one is needed",
}


def _pydantic_diagnostics(exc: ValidationError, doc: YamlDoc, root: type[BaseModel] | None = None,
                          codes: tuple[str, str, str] = ("S002", "S003", "S004"),
                          what: str = "the scenario") -> list[Diagnostic]:
    """pydantic's errors as located diagnostics (unknown key, missing key, bad value), for a
    scenario or, with `root` and `codes`, another file validated by a model."""
    unknown, missing, bad = codes
    out: list[Diagnostic] = []
    seen: set[tuple] = set()
    for err in exc.errors():
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and "[" in x) and x not in
                    ("str", "StatementModel", "function-after"))
        kind = err["type"]
        if (loc, kind) in seen:
            continue
        seen.add((loc, kind))
        where = ".".join(str(x) for x in loc) or "the file"
        if kind == "extra_forbidden":
            parent = _model_at(loc[:-1], root or ScenarioModel)
            known = list(parent.model_fields) if parent else []
            out.append(Diagnostic(doc.span(loc, key=True), unknown, f"unknown key '{loc[-1]}' in "
                                  f"{'.'.join(str(x) for x in loc[:-1]) or what}",
                                  did_you_mean(str(loc[-1]), known) or f"allowed: {known_list(known, 12)}"))
        elif kind == "missing":
            out.append(Diagnostic(doc.span(loc[:-1]), missing, f"'{loc[-1]}' is missing"
                                  + (f" in {'.'.join(str(x) for x in loc[:-1])}" if loc[:-1] else ""),
                                  f"add a '{loc[-1]}:' entry"))
        elif kind == "literal_error":
            out.append(Diagnostic(doc.span(loc), bad, f"{where}: {err['msg'].lower()}",
                                  "write one of the values the message names"))
        else:
            out.append(Diagnostic(doc.span(loc), bad, f"{where}: {err['msg'].lower()}",
                                  _FIELD_HINTS.get(kind)))
    # A union of str | mapping reports twice; keep the clearest per place.
    by_place: dict[tuple, Diagnostic] = {}
    for d in out:
        by_place.setdefault((d.span.line, d.span.column) if d.span else (0, 0), d)
    return sorted(by_place.values(), key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0))


def _model_at(loc: tuple, root: type[BaseModel]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        ann = field.annotation
        inner = getattr(ann, "__args__", None)
        candidates = [*inner] if inner else [ann]
        model = next((c for a in candidates for c in [a, *getattr(a, "__args__", ())]
                      if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return model


class _Vocabulary:
    def __init__(self, doc: YamlDoc, model: ScenarioModel, compiled: CompiledPolicy):
        self.doc, self.model, self.policy = doc, model, compiled.policy
        self.compiled = compiled
        self.out = Collector()
        self.checked: dict = {}
        self.people = {p.id: p for p in model.people}
        self.events = {e.id: e for e in model.events}
        self.sources = {s.id for s in model.sources}

    def run(self) -> Scenario:
        self._size()
        self._unique()
        self._people_and_events()
        undisputed = self._statements(self.model.undisputed.facts, ("undisputed", "facts"), UNDISPUTED)
        self._source_list(self.model.undisputed.sources, ("undisputed", "sources"))
        shared = tuple(e.id for e in self.model.events if e.accounts is None)
        if not self.out.errors:
            self._consistent("the undisputed facts", "", shared, undisputed, ("undisputed", "facts"),
                             set(undisputed))
        accounts = []
        for i, a in enumerate(self.model.accounts):
            self._source_list(a.sources, ("accounts", i, "sources"))
            own = self._statements(a.facts, ("accounts", i, "facts"), a.id)
            for key, st in own.items():
                agreed = undisputed.get(key)
                if agreed is not None and agreed.value != st.value:
                    self.out.error(self.doc.span(("accounts", i, "facts", f"{key[0]}.{key[1]}"), key=True),
                                   "S020",
                                   f"account '{a.id}' contradicts an undisputed fact: "
                                   f"{key[0]}.{key[1]} is {_show(agreed.value)} in 'undisputed'",
                                   "a disputed fact belongs in the accounts, not in 'undisputed'")
            sequence = self._sequence(a, i)
            self._presence(a, i, own)
            if not self.out.errors:
                self.checked[a.id] = self._consistent(f"account '{a.id}'", a.id, sequence,
                                                      {**undisputed, **own}, ("accounts", i, "facts"),
                                                      set(own))
            accounts.append(Account(a.id, a.name, tuple(a.sources), a.summary, own, sequence))
        self._expectations()
        self.out.raise_if_errors()
        return Scenario(self.doc.path, self.model, undisputed, tuple(accounts), self.doc, self.checked)

    def _sequence(self, a: AccountModel, i: int) -> tuple[str, ...]:
        """The account's order of its events: the timeline's order, except where the account
        says otherwise ("shots before driving"). A circle of befores is a contradiction."""
        mine = [e.id for e in self.model.events if e.accounts is None or a.id in e.accounts]
        after: dict[str, set[str]] = {e: set() for e in mine}  # x -> events that must come after x
        for j, text in enumerate(a.order):
            loc = ("accounts", i, "order", j)
            m_ = re.fullmatch(r"\s*(\S+)\s+(before|after)\s+(\S+)\s*", text)
            if not m_:
                self.out.error(self.doc.span(loc), "S023", f"'{text}' is not an order statement",
                               "write it as 'EVENT before EVENT' or 'EVENT after EVENT'")
                continue
            x, rel, y = m_.groups()
            bad = [e for e in (x, y) if e not in after]
            if bad:
                self.out.error(self.doc.span(loc), "S028",
                               f"'{bad[0]}' is not an event of the account '{a.id}'",
                               did_you_mean(bad[0], after) or f"its events: {known_list(after)}")
                continue
            first, second = (x, y) if rel == "before" else (y, x)
            if first == second or _reaches(after, second, first):
                self.out.error(self.doc.span(loc), "S024", f"account '{a.id}' puts '{first}' both "
                               f"before and after '{second}'",
                               "an account's order statements must not contradict each other")
                continue
            after[first].add(second)
        # Kahn's algorithm, ties broken by the timeline's order: O(events + statements log events).
        position = {e: n for n, e in enumerate(mine)}
        waiting = dict.fromkeys(mine, 0)
        for later in after.values():
            for e in later:
                waiting[e] += 1
        ready = [position[e] for e in mine if waiting[e] == 0]
        heapq.heapify(ready)
        out: list[str] = []
        while ready:
            e = mine[heapq.heappop(ready)]
            out.append(e)
            for nxt in after[e]:
                waiting[nxt] -= 1
                if waiting[nxt] == 0:
                    heapq.heappush(ready, position[nxt])
        return tuple(out)

    def _consistent(self, who: str, present: str, sequence: tuple[str, ...], statements: dict,
                    loc: tuple, own: set) -> tuple[World, Constraints]:
        """No completion of what is stated may be ruled out by every reading: the policy's
        constraints (and exclusive facts) must be satisfiable together. A conflict is reported
        at the statement of `who` it involves, naming the constraint and every fact in it.
        Returns the world and its constraints, for reuse."""
        world = build_world(self.model, present, sequence, statements, {})
        constraints = Constraints(self.compiled, world)
        for group in constraints.conflicts(world):
            keys = sorted({k for inst in group for k in stated(inst.test, world)})
            mine = [k for k in keys if k in own]
            if not mine:
                continue  # already reported where the facts are stated
            names = list(dict.fromkeys(inst.name for inst in group))
            facts = ", ".join(f"{s_}.{f} is {_show(world.values[(s_, f)])}" for s_, f in keys)
            at = max(mine, key=lambda k: self.doc.span((*loc, f"{k[0]}.{k[1]}"), key=True).line)
            what = (f"constraint '{names[0]}'" if len(names) == 1 else
                    "constraints " + ", ".join(f"'{n}'" for n in names))
            verb = "break" if who.startswith("the undisputed") else "breaks"
            self.out.error(self.doc.span((*loc, f"{at[0]}.{at[1]}"), key=True), "S022",
                           f"{who} {verb} the policy's {what}: {facts}",
                           "; ".join(dict.fromkeys(inst.reason for inst in group)))
        return world, constraints

    def _presence(self, a: AccountModel, i: int, own: dict) -> None:
        """In this account, every actor is present and every fact is about something in it."""
        present = {p.id for p in self.model.people if p.accounts is None or a.id in p.accounts}
        events = {e.id: j for j, e in enumerate(self.model.events)
                  if e.accounts is None or a.id in e.accounts}
        for eid, j in events.items():
            e = self.model.events[j]
            for role in ("actor", "target"):
                who = getattr(e, role)
                if who and who in self.people and who not in present:
                    self.out.error(self.doc.span(("events", j, role)), "S025",
                                   f"in account '{a.id}', event '{eid}' has {role} '{who}', who is not "
                                   "present in that account", f"list '{a.id}' in {who}'s 'accounts'")
        for subject, fact in own:
            if subject in self.events and subject not in events:
                self.out.error(self.doc.span(("accounts", i, "facts", f"{subject}.{fact}"), key=True),
                               "S025", f"account '{a.id}' states a fact about event '{subject}', "
                               "which did not happen in that account",
                               f"list '{a.id}' in the event's 'accounts', or drop the fact")
            elif subject in self.people and subject not in present:
                self.out.error(self.doc.span(("accounts", i, "facts", f"{subject}.{fact}"), key=True),
                               "S025", f"account '{a.id}' states a fact about '{subject}', who is not "
                               "present in that account", f"list '{a.id}' in {subject}'s 'accounts', "
                               "or drop the fact")

    def _unique(self) -> None:
        seen: dict[str, str] = {}
        for group in ("people", "events", "accounts", "sources"):
            for i, item in enumerate(getattr(self.model, group)):
                loc = (group, i, "id")
                if item.id == "incident":
                    self.out.error(self.doc.span(loc), "S010", "'incident' is reserved for facts "
                                   "about the incident as a whole", "choose another id")
                ns = "accounts" if group == "accounts" else "sources" if group == "sources" else "things"
                key = f"{ns}:{item.id}"
                if key in seen:
                    self.out.error(self.doc.span(loc), "S010", f"duplicate id '{item.id}' "
                                   f"(also used in {seen[key]})", "ids must be unique")
                else:
                    seen[key] = group

    def _size(self) -> None:
        """Checking a scenario costs about the number of people and events each account has,
        summed over the accounts: bounded, so every file under the limits finishes promptly."""
        m_ = self.model
        size = 0
        for a in m_.accounts:
            size += sum(1 for e in m_.events if e.accounts is None or a.id in e.accounts)
            size += sum(1 for p in m_.people if p.accounts is None or a.id in p.accounts)
        if size > MAX_ACCOUNT_ITEMS:
            self.out.error(self.doc.span(("accounts",)), "S027",
                           f"the scenario is too large to check: its accounts hold {size} people and "
                           f"events in all (each account counts its own), more than {MAX_ACCOUNT_ITEMS}",
                           "split it into several scenarios, or keep only the people and events the "
                           "accounts state facts about")
            self.out.raise_if_errors()

    def _people_and_events(self) -> None:
        roles, actions = self.policy.roles, self.policy.actions
        for i, p in enumerate(self.model.people):
            if p.role not in roles:
                self.out.error(self.doc.span(("people", i, "role")), "S011", f"unknown role '{p.role}'",
                               did_you_mean_meaning(p.role, roles) or f"roles: {known_list(roles)}")
        account_ids = [a.id for a in self.model.accounts]
        for i, p in enumerate(self.model.people):
            for j, acc in enumerate(p.accounts or ()):
                if acc not in account_ids:
                    self.out.error(self.doc.span(("people", i, "accounts", j)), "S018",
                                   f"person '{p.id}' names unknown account '{acc}'",
                                   did_you_mean(acc, account_ids))
        for i, e in enumerate(self.model.events):
            for attr in ("actor", "target"):
                ref = getattr(e, attr)
                if ref is not None and ref not in self.people:
                    self.out.error(self.doc.span(("events", i, attr)), "S012",
                                   f"event '{e.id}' names {attr} '{ref}', who is not in 'people'",
                                   did_you_mean(ref, self.people) or f"people: {known_list(self.people)}")
            for j, acc in enumerate(e.accounts or ()):
                if acc not in {a.id for a in self.model.accounts}:
                    self.out.error(self.doc.span(("events", i, "accounts", j)), "S018",
                                   f"event '{e.id}' names unknown account '{acc}'",
                                   did_you_mean(acc, [a.id for a in self.model.accounts]))
            if e.action not in actions:
                self.out.error(self.doc.span(("events", i, "action")), "S011",
                               f"unknown action '{e.action}'",
                               did_you_mean_meaning(e.action, actions) or f"actions: {known_list(actions)}")

    def _source_list(self, ids: list[str], loc: tuple) -> None:
        for j, sid in enumerate(ids):
            if sid not in self.sources:
                self.out.error(self.doc.span((*loc, j)), "S013", f"unknown source '{sid}'",
                               did_you_mean(sid, self.sources) or "list it under 'sources' first")

    def _statements(self, facts: dict[str, FactEntry], loc: tuple, stated_by: str):
        out: dict[tuple[str, str], Statement] = {}
        for key, entry in facts.items():
            floc = (*loc, key)
            st = entry if isinstance(entry, StatementModel) else StatementModel(value=entry)
            resolved = self._fact_key(key, floc)
            if resolved is None:
                continue
            subject, spec = resolved
            vloc = (*floc, "value") if isinstance(entry, StatementModel) else floc
            value = self._value(spec, st.value, vloc)
            if st.source is not None and st.source not in self.sources:
                self.out.error(self.doc.span((*floc, "source")), "S013", f"unknown source '{st.source}'",
                               did_you_mean(st.source, self.sources) or "list it under 'sources' first")
            if self.model.kind == "real" and st.source is None:
                self.out.error(self.doc.span(floc, key=True), "S021", f"'{key}' has no source",
                               "in a real scenario every statement names its source: "
                               "write it as {value: ..., source: ID, quote: \"...\"}")
            if value is not _INVALID:
                out[(subject, spec.name)] = Statement(subject, spec.name, value, stated_by,
                                                     st.source, st.quote, st.note, st.inferred)
        return out

    def _fact_key(self, key: str, loc: tuple) -> tuple[str, m.FactSpec] | None:
        span = self.doc.span(loc, key=True)
        if not re.fullmatch(r"[^.\s]+\.[^.\s]+", key):
            self.out.error(span, "S014", f"'{key}' should name a subject and a fact: SUBJECT.FACT",
                           "e.g. incident.medical_aid_given or shots.imminent_threat")
            return None
        subject, name = key.split(".")
        if subject == "incident":
            kind, what = "incident", "the incident"
        elif subject in self.events:
            kind, what = "event", f"event '{subject}'"
        elif subject in self.people:
            kind, what = self.people[subject].role, f"{self.people[subject].role} '{subject}'"
            if kind not in self.policy.roles:
                return None  # already reported as an unknown role
        else:
            self.out.error(span, "S012", f"'{subject}' is not a person, an event or 'incident'",
                           did_you_mean(subject, [*self.people, *self.events, "incident"]))
            return None
        pool = self.policy.facts_about(kind)
        spec = pool.get(name)
        if spec is None:
            elsewhere = [f for f in self.policy.facts.values() if f.name == name]
            hint = did_you_mean_meaning(name, {n: f.question for n, f in pool.items()})
            if elsewhere and not hint:
                hint = f"'{name}' is a fact about {_a(elsewhere[0].subject)}, not about {what}"
            self.out.error(span, "S015", f"{what} has no fact '{name}'",
                           hint or f"facts about {what}: {known_list(pool)}")
            return None
        return subject, spec

    def _value(self, spec: m.FactSpec, raw: str | None, loc: tuple):
        span = self.doc.span(loc)
        if raw is None:
            self.out.error(span, "S016", f"no value given for '{spec.name}'",
                           "leave a fact out when it is unknown; never write it empty")
            return _INVALID
        value = _parse_value(spec, raw)
        if value is not _INVALID:
            return value
        if spec.kind == "yes_no":
            self.out.error(span, "S017", f"'{spec.name}' is yes/no, not '{raw}'",
                           "write yes or no; leave the fact out when it is unknown")
        elif spec.kind == "number":
            self.out.error(span, "S017", f"'{spec.name}' is a number, not '{raw}'",
                           "write a finite decimal such as 3 or 2.5")
        else:
            self.out.error(span, "S017", f"'{raw}' is not a possible value of '{spec.name}'",
                           did_you_mean(raw, spec.values) or f"possible values: {', '.join(spec.values)}")
        return _INVALID

    def _expected_value(self, value: object, loc: tuple) -> None:
        """A verdict, or {verdict: ..., because: [...]}."""
        if isinstance(value, dict):
            for key in value:
                if key not in ("verdict", "because", "possible"):
                    self.out.error(self.doc.span((*loc, key), key=True), "S002",
                                   f"unknown key '{key}' in an expectation",
                                   did_you_mean(str(key), ["verdict", "because", "possible"])
                                   or "an expectation has 'verdict', 'because' and 'possible'")
            possible = value.get("possible")
            if possible is not None and (not isinstance(possible, list) or len(possible) < 2 or any(
                    v not in ("met", "breached", "not_applicable") for v in possible)):
                self.out.error(self.doc.span((*loc, "possible")), "S019",
                               "'possible' lists two or more of met, breached, not_applicable",
                               "the verdicts an undetermined verdict can still become")
            because = value.get("because", [])
            if not isinstance(because, list) or not all(isinstance(b, str) for b in because):
                self.out.error(self.doc.span((*loc, "because")), "S019",
                               "'because' lists facts (SUBJECT.FACT) or definition names",
                               "e.g. because: [shots.threat_of_death_or_serious_injury]")
            names = {*self.policy.definitions, *self.policy.unsettled,
                     *(k.id for k in self.policy.constraints),
                     *(f.name for f in self.policy.facts.values())}
            for j, b in enumerate(because if isinstance(because, list) else ()):
                if isinstance(b, str) and b.rpartition(".")[2] not in names:
                    self.out.error(self.doc.span((*loc, "because", j)), "S015",
                                   f"'{b}' is not a fact, definition, constraint or open question "
                                   "of the policy",
                                   did_you_mean(b.rpartition(".")[2], names))
                elif isinstance(b, str) and "." in b:
                    subject = b.partition(".")[0]
                    things = [*self.people, *self.events, "incident"]
                    if subject not in things:
                        self.out.error(self.doc.span((*loc, "because", j)), "S012",
                                       f"'{subject}' in '{b}' is not a person, an event or 'incident' "
                                       "of this scenario", did_you_mean(subject, things))
            value = value.get("verdict")
            loc = (*loc, "verdict")
        if value not in VERDICTS:
            self.out.error(self.doc.span(loc), "S019", f"'{value}' is not a verdict",
                           did_you_mean(str(value), VERDICTS) or f"verdicts: {', '.join(VERDICTS)}")

    def _item_label(self, clause_id: str, label: str, loc: tuple) -> None:
        """An expectation about one item names things the clause can apply to: 'shots', or
        'partner/kick' for a clause over officers and events. Otherwise it could never fail."""
        clause = self.policy.clause(clause_id)
        if clause is None:
            return
        parts = label.split("/")
        kinds = [b.role or ("event" if b.domain == m.EVENT else "person") for b in clause.bindings]
        example = "/".join(kinds) or "nothing: it applies to the incident"
        if len(parts) != len(kinds):
            self.out.error(self.doc.span(loc, key=True), "S026", f"'{label}' is not something "
                           f"'{clause_id}' applies to", f"its items are named {example}")
            return
        for part, b in zip(parts, clause.bindings, strict=True):
            if b.domain == m.EVENT:
                ok, pool = part in self.events, list(self.events)
            else:
                pool = [p.id for p in self.model.people if b.role is None or p.role == b.role]
                ok = part in pool
            if not ok:
                kind = b.role or ("event" if b.domain == m.EVENT else "person")
                self.out.error(self.doc.span(loc, key=True), "S026",
                               f"'{part}' in '{label}' is not {_a(kind)} of this scenario, so "
                               f"'{clause_id}' cannot apply to it",
                               did_you_mean(part, pool) or f"items are named {example}")
                return

    def _expectations(self) -> None:
        accounts = {a.id for a in self.model.accounts}
        clauses = {c.id for c in self.policy.clauses}
        expect = self.model.expect
        if not expect.applies_to(self.policy.id):
            return  # expectations for another policy: this one does not judge them

        def clause_ok(cid: object, loc: tuple, key: bool = True) -> None:
            if cid not in clauses:
                self.out.error(self.doc.span(loc, key=key), "S029", f"unknown clause '{cid}'",
                               did_you_mean(str(cid), clauses) or "see `forcecheck clauses`")

        def account_ok(acc: str, loc: tuple) -> bool:
            if acc in accounts:
                return True
            self.out.error(self.doc.span(loc, key=True), "S018", f"expectations for unknown account '{acc}'",
                           did_you_mean(acc, accounts) or f"accounts: {known_list(accounts)}")
            return False

        for acc in sorted(accounts & set(RESERVED_EXPECT_KEYS)):
            i = [a.id for a in self.model.accounts].index(acc)
            self.out.error(self.doc.span(("accounts", i, "id")), "S010",
                           f"'{acc}' cannot be an account id: it is a reserved key of 'expect'",
                           "give the account another id, such as 'report' or 'witnesses'")
        for acc, by_clause in expect.by_account().items():
            if not account_ok(acc, ("expect", acc)):
                continue
            if not isinstance(by_clause, dict):
                self.out.error(self.doc.span(("expect", acc)), "S019",
                               f"expect.{acc} should map clause ids to verdicts",
                               "e.g. deadly-force-imminent-threat: met")
                continue
            for cid, wanted in by_clause.items():
                clause_ok(cid, ("expect", acc, cid))
                if isinstance(wanted, dict) and "verdict" not in wanted:
                    for label, value in wanted.items():
                        self._item_label(cid, str(label), ("expect", acc, cid, label))
                        self._expected_value(value, ("expect", acc, cid, label))
                else:
                    self._expected_value(wanted, ("expect", acc, cid))
        for j, cid in enumerate(expect.contested or ()):
            clause_ok(cid, ("expect", "contested", j), key=False)
        for cid, keys in (expect.deciding or {}).items():
            clause_ok(cid, ("expect", "deciding", cid))
            for j, key in enumerate(keys):
                subject, _, fact = key.partition(".")
                known = subject in self.people or subject in self.events or subject == "incident"
                if not known or not any(f.name == fact for f in self.policy.facts.values()):
                    self.out.error(self.doc.span(("expect", "deciding", cid, j)), "S015",
                                   f"'{key}' is not a fact of this scenario", "write it as SUBJECT.FACT")
        for acc, cids in (expect.undetermined or {}).items():
            if account_ok(acc, ("expect", "undetermined", acc)):
                for j, cid in enumerate(cids):
                    clause_ok(cid, ("expect", "undetermined", acc, j), key=False)


_INVALID = object()


def _reaches(after: dict[str, set[str]], start: str, goal: str) -> bool:
    """Is `goal` after `start`, following the order statements so far?"""
    seen, stack = set(), [start]
    while stack:
        e = stack.pop()
        if e == goal:
            return True
        if e not in seen:
            seen.add(e)
            stack.extend(after.get(e, ()))
    return False


def _show(v: object) -> str:
    return "yes" if v is True else "no" if v is False else str(v)


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def parse_hypothesis(scenario: Scenario, policy: m.Policy, assumptions: list[str],
                     base: str | None) -> Hypothesis:
    """`--assume SUBJECT.FACT=VALUE` or `--assume QUESTION=yes|no`, on top of `base`."""
    out = Collector()
    ids = [a.id for a in scenario.accounts]
    if base is not None and base not in ids:
        out.error(None, "U002", f"{scenario.path}: no account '{base}' to start the hypothetical from",
                  did_you_mean(base, ids) or f"accounts: {', '.join(ids)}")
    facts: dict[tuple[str, str], object] = {}
    unsettled: dict[str, bool] = {}
    people = {p.id: p for p in scenario.model.people}
    events = {e.id for e in scenario.model.events}
    for text in assumptions:
        key, sep, raw = text.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key or not raw:
            out.error(None, "U004", f"--assume '{text}' should be SUBJECT.FACT=VALUE",
                      "e.g. --assume shots.subject_fleeing=yes, or --assume reaches_off_duty_officers=yes")
            continue
        if "." not in key:
            if key not in policy.unsettled:
                out.error(None, "U004", f"--assume: '{key}' is not an open question of the policy",
                          did_you_mean(key, policy.unsettled) or "write facts as SUBJECT.FACT=VALUE")
            elif raw.lower() not in ("yes", "no"):
                out.error(None, "U004", f"--assume: '{key}' is yes or no, not '{raw}'",
                          f"--assume {key}=yes or --assume {key}=no")
            else:
                unsettled[key] = raw.lower() == "yes"
            continue
        subject, name = key.split(".", 1)
        if subject == "incident":
            kind = "incident"
        elif subject in events:
            kind = "event"
        elif subject in people:
            kind = people[subject].role
        else:
            out.error(None, "U004", f"--assume: '{subject}' is not a person, an event or 'incident'",
                      did_you_mean(subject, [*people, *events, "incident"]))
            continue
        spec = policy.facts_about(kind).get(name)
        if spec is None:
            out.error(None, "U004", f"--assume: {subject} has no fact '{name}'",
                      did_you_mean(name, policy.facts_about(kind)))
            continue
        value = _parse_value(spec, raw)
        if value is _INVALID:
            allowed = "yes or no" if spec.kind == "yes_no" else (
                ", ".join(spec.values) if spec.kind == "one_of" else spec.kind)
            out.error(None, "U004", f"--assume: '{raw}' is not a value of {key} ({allowed})",
                      f"--assume {key}=VALUE, VALUE one of those")
            continue
        facts[(subject, name)] = value
    out.raise_if_errors()
    return Hypothesis(base, tuple((s_, f, v) for (s_, f), v in facts.items()), tuple(unsettled.items()))


_DECIMAL = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?")


def _parse_value(spec: m.FactSpec, raw: str):
    low = raw.strip().lower()
    if spec.kind == "yes_no":
        return {"yes": True, "true": True, "no": False, "false": False}.get(low, _INVALID)
    if spec.kind == "number":
        # A plain finite decimal only: not nan, inf, 1e999 or 1_0, which Python's float()
        # accepts and RFC 8259 JSON cannot carry.
        if not _DECIMAL.fullmatch(raw.strip()):
            return _INVALID
        value = float(raw)
        return value if math.isfinite(value) else _INVALID
    if spec.kind == "one_of":
        return raw if raw in spec.values else _INVALID
    return raw


# --- the editor schema ------------------------------------------------------------------------

SCHEMA_ID = "https://forcecheck.invalid/schema/scenario.schema.json"
_YES_NO = ["yes", "no", True, False]


def scenario_schema(policy: m.Policy) -> dict:
    """The JSON Schema of scenario files under `policy`, for an editor (yaml-language-server):
    the pydantic models' shape, with the policy's roles and actions as enums and each fact
    key's plain-language question as its description. A fact is written SUBJECT.FACT, so the
    schema names the fact and leaves the subject (a person's or event's id, or `incident`) free.
    Scalars are accepted as YAML 1.2 reads them (an editor) and as forcecheck reads them (text)."""
    schema = ScenarioModel.model_json_schema()
    defs = schema["$defs"]
    defs["PersonModel"]["properties"]["role"] = {
        "enum": sorted(policy.roles), "description": "The person's role: " + "; ".join(
            f"{k}: {v}" for k, v in sorted(policy.roles.items()))}
    defs["EventModel"]["properties"]["action"] = {
        "enum": sorted(policy.actions), "description": "What the actor did: " + "; ".join(
            f"{k}: {v}" for k, v in sorted(policy.actions.items()))}
    defs["StatementModel"]["properties"]["inferred"] = {
        "enum": _YES_NO, "default": "no",
        "description": "yes when the source does not say this in words and it follows from what the "
                       "account says (the note says how)"}
    by_name: dict[str, list[m.FactSpec]] = {}
    for spec in policy.facts.values():
        by_name.setdefault(spec.name, []).append(spec)
    patterns = {}
    for name, specs in sorted(by_name.items()):
        value = _value_schema(specs)
        subjects = sorted({s.subject for s in specs})
        patterns[rf"^[a-z0-9][a-z0-9_-]*\.{re.escape(name)}$"] = {
            "description": " / ".join(dict.fromkeys(s.question for s in specs))
                           + f" (about: {', '.join(subjects)})",
            "anyOf": [value, {"type": "null"},
                      {"allOf": [{"$ref": "#/$defs/StatementModel"},
                                 {"properties": {"value": {"anyOf": [value, {"type": "null"}]}}}]}]}
    names = "|".join(re.escape(n) for n in sorted(by_name))
    facts = {"type": "object", "default": {}, "patternProperties": patterns,
             "propertyNames": {"pattern": rf"^[a-z0-9][a-z0-9_-]*\.({names})$"},
             "additionalProperties": False,
             "description": "Facts as SUBJECT.FACT: value, or {value, source, quote, note, inferred}."}
    defs["UndisputedModel"]["properties"]["facts"] = facts
    defs["AccountModel"]["properties"]["facts"] = facts
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": f"forcecheck scenario ({policy.id})", **schema}


def _value_schema(specs: list[m.FactSpec]) -> dict:
    spec = specs[0]
    if spec.kind == "yes_no":
        return {"enum": _YES_NO}
    if spec.kind == "number":
        return {"anyOf": [{"type": "number"}, {"type": "string", "pattern": _DECIMAL.pattern}]}
    if spec.kind == "one_of":
        return {"enum": list(spec.values)}
    return {"type": "string"}


def _read_by_other_policies(policy: m.Policy) -> set[str]:
    """The fact names some other shipped policy's clauses or constraints read."""
    from forcecheck.policy.load import load_policy, shipped_policies

    names: set[str] = set()
    for _, path in shipped_policies():
        try:
            other = load_policy(path).policy
        except InputError:
            continue
        if other.id != policy.id:
            names |= _fact_names_read(other)
    return names


def _fact_names_read(policy: m.Policy) -> set[str]:
    """The names of the facts the policy's clauses or constraints read."""
    read = set(m.fact_readers(policy))
    for c in policy.constraints:
        for node in (c.requirement, c.where):
            read |= m.facts_read(node, policy)
    return {k.rpartition(".")[2] for k in read}


def unread_statements(scenario: Scenario, policy: m.Policy) -> list[Diagnostic]:
    """W011: a stated fact that no clause or constraint reads cannot change any verdict (it may
    still be worth recording; the warning says so, so it is never mistaken for evidence)."""
    read_names = _fact_names_read(policy)
    # A fact of the shared vocabulary that another shipped policy reads describes the incident
    # for that policy: stating it is not idle.
    shared = {f.name for f in policy.facts.values() if f.span.path != policy.path}
    if shared - read_names:
        read_names |= _read_by_other_policies(policy) & shared
    out = []
    blocks = [(("undisputed", "facts"), scenario.model.undisputed.facts)]
    blocks += [(("accounts", i, "facts"), a.facts) for i, a in enumerate(scenario.model.accounts)]
    for loc, facts in blocks:
        for key in facts:
            name = key.rpartition(".")[2]
            if name in policy.unsettled or name in read_names:
                continue
            out.append(Diagnostic(scenario.doc.span((*loc, key), key=True), "W011",
                                  f"'{key}' is read by no clause or constraint of {policy.id}: it "
                                  "cannot change any verdict", "keep it as a record if a source says "
                                  "it, or state the fact the clauses read (`forcecheck vocabulary`)",
                                  severity="warning"))
    return out

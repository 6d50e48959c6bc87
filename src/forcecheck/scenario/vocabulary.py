"""The second check of a scenario: what pydantic let through, against the policy's vocabulary.

It decides which facts exist for which kind of subject, their types and allowed values, roles
and actions, and the references between people, events, sources and accounts; an account may
not contradict an undisputed fact nor break the policy's constraints. `parse_value` reads a
written value by its fact's kind, for scenario files and `--assume` alike.
"""

from __future__ import annotations

import heapq
import math
import re

from forcecheck.diagnostics import Collector, a_or_an, did_you_mean, did_you_mean_meaning, known_list
from forcecheck.engine.constraints import Constraints, known_consistent, remember_consistent
from forcecheck.engine.reads import stated
from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy, World
from forcecheck.policy.model import UNDISPUTED
from forcecheck.scenario.aliases import error_hint, renamed, warning_text
from forcecheck.scenario.expect import ExpectationCheck
from forcecheck.scenario.scenario import Account, Scenario, Statement, build_world, closures_of
from forcecheck.scenario.schema import (
    AccountModel,
    FactEntry,
    ScenarioModel,
    StatementModel,
)
from forcecheck.scenario.yamlsource import YamlDoc

# A person hit by force aimed at someone else (policy/vocabulary/incident.rules), and the
# actions that are force in every shipped policy's reading.
HIT_UNINTENDED = "hit_unintended"
FORCE_ACTIONS = ("fire_firearm", "physical_force", "less_lethal_weapon", "neck_restraint")
MAX_ACCOUNT_ITEMS = 600  # people and events, summed over the accounts (see Vocabulary._size)


class Vocabulary:
    """One scenario's models checked against one policy: `run` returns the `Scenario`, or raises
    an `InputError` with every problem it found."""

    def __init__(self, doc: YamlDoc, model: ScenarioModel, compiled: CompiledPolicy):
        self.doc, self.model, self.policy = doc, model, compiled.policy
        self.compiled = compiled
        self.out = Collector()
        self.checked: dict = {}
        self.people = {p.id: p for p in model.people}
        self.events = {e.id: e for e in model.events}
        self.sources = {s.id for s in model.sources}
        self.closures = closures_of(self.policy)

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
                found = self._consistent(f"account '{a.id}'", a.id, sequence, {**undisputed, **own},
                                         ("accounts", i, "facts"), set(own))
                if found is not None:
                    self.checked[a.id] = found
            coverage = (a.coverage.partial, " ".join(a.coverage.note.split())) if a.coverage else None
            accounts.append(Account(a.id, a.name, tuple(a.sources), a.summary, own, sequence,
                                    coverage=coverage))
        ExpectationCheck(self.doc, self.model, self.policy, self.out).run()
        self.out.raise_if_errors()
        return Scenario(self.doc.path, self.model, undisputed, tuple(accounts), self.doc, self.checked,
                        tuple(self.out.warnings), self.closures)

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
                    loc: tuple, own: set) -> tuple[World, Constraints] | None:
        """No completion of what is stated may be ruled out by every reading: the policy's
        constraints (and exclusive facts) must be satisfiable together. A conflict is reported
        at the statement of `who` it involves, naming the constraint and every fact in it.
        Returns the world and its constraints, for reuse; None when the same world was found
        consistent before in this process (nothing is built: the evaluation builds its own)."""
        world = build_world(self.model, present, sequence, statements, {}, self.closures)
        if known_consistent(self.compiled, world):
            return None
        constraints = Constraints(self.compiled, world)
        groups = constraints.conflicts(world)
        if not groups:
            remember_consistent(self.compiled, world)
        for group in groups:
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
            elif e.action == HIT_UNINTENDED:
                self._hit_unintended(i)

    def _hit_unintended(self, i: int) -> None:
        """A person hit by force aimed at someone else: the event names the person hit, and its
        actor used force before it (in the file's order) at someone else, or at no one."""
        e = self.model.events[i]
        force = [x for x in self.model.events[:i] if x.actor == e.actor and x.action in FORCE_ACTIONS
                 and x.target != e.target]
        if e.target is None:
            self.out.error(self.doc.span(("events", i, "action")), "S030",
                           f"event '{e.id}' ({HIT_UNINTENDED}) names no one hit",
                           "give the person the force hit as its 'target'")
        elif not force:
            self.out.error(self.doc.span(("events", i, "action")), "S030",
                           f"event '{e.id}' ({HIT_UNINTENDED}) follows no force by '{e.actor}' at "
                           f"someone other than '{e.target}'",
                           "list the force it came from (a shot at the driver, say) before it, by the "
                           "same actor; a person the force was aimed at is that event's target")

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
            if (subject, spec.name) in out:
                self.out.error(self.doc.span(floc, key=True), "S010",
                               f"'{subject}.{spec.name}' is stated twice here, once by its old name",
                               "keep one: `forcecheck fmt --fix` writes the old name as the new")
            elif value is not INVALID:
                out[(subject, spec.name)] = Statement(subject, spec.name, value, stated_by,
                                                     st.source, st.quote, st.note, st.inferred)
        return out

    def _fact_key(self, key: str, loc: tuple) -> tuple[str, m.FactSpec] | None:
        def span():  # placed only for what is reported: a line read as JSON has no positions yet
            return self.doc.span(loc, key=True)

        if not re.fullmatch(r"[^.\s]+\.[^.\s]+", key):
            self.out.error(span(), "S014", f"'{key}' should name a subject and a fact: SUBJECT.FACT",
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
            self.out.error(span(), "S012", f"'{subject}' is not a person, an event or 'incident'",
                           did_you_mean(subject, [*self.people, *self.events, "incident"]))
            return None
        pool = self.policy.facts_about(kind)
        spec = pool.get(name)
        old = renamed(name)
        if spec is None and old is not None and old.new in pool:
            if not old.alias:
                self.out.error(span(), "S015", f"{what} has no fact '{name}'", error_hint(key, old))
                return None
            self.out.warning(span(), "W012", *warning_text(key, old))
            spec = pool[old.new]
        if spec is None:
            elsewhere = [f for f in self.policy.facts.values() if f.name == name]
            hint = did_you_mean_meaning(name, {n: f.question for n, f in pool.items()})
            if elsewhere and not hint:
                hint = f"'{name}' is a fact about {a_or_an(elsewhere[0].subject)}, not about {what}"
            self.out.error(span(), "S015", f"{what} has no fact '{name}'",
                           hint or f"facts about {what}: {known_list(pool)}")
            return None
        return subject, spec

    def _value(self, spec: m.FactSpec, raw: str | None, loc: tuple):
        if raw is None:
            self.out.error(self.doc.span(loc), "S016", f"no value given for '{spec.name}'",
                           "leave a fact out when it is unknown; never write it empty")
            return INVALID
        value = parse_value(spec, raw)
        if value is not INVALID:
            return value
        if spec.kind == "yes_no":
            self.out.error(self.doc.span(loc), "S017", f"'{spec.name}' is yes/no, not '{raw}'",
                           "write yes or no; leave the fact out when it is unknown")
        elif spec.kind == "number":
            self.out.error(self.doc.span(loc), "S017", f"'{spec.name}' is a number, not '{raw}'",
                           "write a finite decimal such as 3 or 2.5")
        else:
            self.out.error(self.doc.span(loc), "S017", f"'{raw}' is not a possible value of '{spec.name}'",
                           did_you_mean(raw, spec.values) or f"possible values: {', '.join(spec.values)}")
        return INVALID

INVALID = object()  # what parse_value gives for a value its fact cannot take


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


DECIMAL = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?")


def parse_value(spec: m.FactSpec, raw: str):
    """A written value as its fact's kind reads it: yes/no, a finite decimal, one of the listed
    values, or text."""
    low = raw.strip().lower()
    if spec.kind == "yes_no":
        return {"yes": True, "true": True, "no": False, "false": False}.get(low, INVALID)
    if spec.kind == "number":
        # A plain finite decimal only: not nan, inf, 1e999 or 1_0, which Python's float()
        # accepts and RFC 8259 JSON cannot carry.
        if not DECIMAL.fullmatch(raw.strip()):
            return INVALID
        value = float(raw)
        return value if math.isfinite(value) else INVALID
    if spec.kind == "one_of":
        return raw if raw in spec.values else INVALID
    return raw

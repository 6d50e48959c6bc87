"""Checking a mapping's rules against the policy when the mapping loads, at a cost that does
not grow with a scenario per rule.

What a rule says is checked directly against the vocabulary, statement by statement, as a
scenario's loader checks it: each fact's subject, name and value, each event's action, actor
and target, and ids that would clash. Only the policy's constraints need a whole scenario:
whether a rule's facts and events, on top of what every record says, can all be true. That
depends only on the facts some constraint (or exclusive group) reads and on the events, so the
rules are grouped by exactly that, and one probe scenario is loaded per group: a mapping of
thousands of codes that state a few dozen different things loads a few dozen probes, where it
used to load one per code. Every problem is M005, at the rule's (or the statement's) line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from forcecheck.diagnostics import (
    Diagnostic,
    InputError,
    did_you_mean,
    did_you_mean_meaning,
    known_list,
    sorted_diagnostics,
)
from forcecheck.importing.build import as_json, scenario_data
from forcecheck.importing.mapping import Mapping, Rule, placeholders, read_mapping
from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy
from forcecheck.scenario.load import load_scenario
from forcecheck.scenario.schema import EventModel
from forcecheck.scenario.vocabulary import INVALID, parse_value

Loc = tuple
INVALID_RULE = "this rule does not give a valid scenario: "


def load_mapping(given: str | Path, compiled: CompiledPolicy) -> Mapping:
    """Read and check a mapping file (or a shipped one, by name) for a policy: its shape, then
    every rule against the policy's vocabulary; every problem is located."""
    mapping = read_mapping(given)
    problems = [*mapping.doc.problems, *check_rules(mapping, compiled)]
    if problems:
        raise InputError(sorted_diagnostics(problems))
    return mapping


def check_rules(mapping: Mapping, compiled: CompiledPolicy) -> list[Diagnostic]:
    """Every rule, alone on top of what every record has, must give a scenario that loads."""
    model, policy = mapping.model, compiled.policy
    out = _people_and_events(mapping, policy)
    rules: list[tuple[Loc, Rule]] = [(("always", i), r) for i, r in enumerate(model.always)]
    for column, spec in model.columns.items():
        rules += [(("columns", column, "values", value), r) for value, r in spec.values.items()]
    for loc, rule in rules:
        out += _rule_problems(mapping, policy, loc, rule)
    if out:
        return out
    base = _probe(mapping, compiled, [])
    if base:
        return _always_problems(mapping, compiled, base)
    read = _constrained(policy)
    groups: dict[tuple, tuple[Rule, list[Loc]]] = {}
    for loc, rule in rules[len(model.always):]:
        facts = {k: v for k, v in rule.facts.items() if k.rpartition(".")[2] in read}
        if not facts and not rule.events:
            continue  # nothing a constraint can object to: the statements were checked above
        key = (tuple(sorted(facts.items())),
               json.dumps([e.model_dump(exclude={"description"}) for e in rule.events], sort_keys=True))
        probe = groups.setdefault(key, (rule.model_copy(update={"facts": facts}), []))
        probe[1].append(loc)
    for probe_rule, locs in groups.values():
        for message, hint in _probe(mapping, compiled, [(("probe", "probe"), probe_rule)]):
            out += [Diagnostic(mapping.span(loc), "M005", INVALID_RULE + message, hint) for loc in locs]
    return out


def _constrained(policy: m.Policy) -> set[str]:
    """The names of the facts a constraint or an exclusive group reads."""
    names = {f for g in policy.exclusive for f in g.facts}
    for c in policy.constraints:
        for node in (c.where, c.requirement):
            names |= {k.rpartition(".")[2] for k in m.facts_read(node, policy)}
    return names


def _probe(mapping: Mapping, compiled: CompiledPolicy, matched: list,
           always: list[Rule] | None = None) -> list[tuple[str, str | None]]:
    """The errors of the scenario a record would give with these rules: (message, hint)."""
    fields = {f: "x" for f in placeholders(mapping.model)}
    data = scenario_data(mapping.model, "probe", fields, matched, always=always)
    try:
        load_scenario(mapping.path, compiled, text=as_json(data))
    except InputError as exc:
        return [(d.message, d.hint) for d in exc.diagnostics if d.severity == "error"]
    return []


def _always_problems(mapping: Mapping, compiled: CompiledPolicy, base: list) -> list[Diagnostic]:
    """What every record says does not load: each `always` rule that fails alone, or all of them."""
    model = mapping.model
    out = [Diagnostic(mapping.span(("always", i)), "M005", INVALID_RULE + message, hint)
           for i, rule in enumerate(model.always) for message, hint in _probe(mapping, compiled, [], [rule])]
    if out:
        return out
    where = ("always",) if model.always else ("people",)
    return [Diagnostic(mapping.span(where), "M005", "what every record says does not give a valid "
                       f"scenario: {message}", hint) for message, hint in base]


def _people_and_events(mapping: Mapping, policy: m.Policy) -> list[Diagnostic]:
    """The people and events every record has: roles, actions, who acts on whom, unique ids."""
    model = mapping.model
    out = []
    for i, p in enumerate(model.people):
        if p.role not in policy.roles:
            out.append(Diagnostic(mapping.span(("people", i, "role")), "M005", f"unknown role '{p.role}'",
                                  did_you_mean_meaning(p.role, policy.roles) or
                                  f"roles: {known_list(policy.roles)}"))
    ids: set[str] = set()
    for i, p in enumerate(model.people):
        problem = _id_problem(p.id, ids)
        if problem:
            out.append(Diagnostic(mapping.span(("people", i, "id")), "M005", problem, "ids must be unique"))
        ids.add(p.id)
    people = {p.id for p in model.people}
    for i, e in enumerate(model.events):
        out += [Diagnostic(mapping.span(("events", i, *at)), "M005", message, hint)
                for at, message, hint in _event_problems(e, ids, people, policy)]
        ids.add(e.id)
    return out


def _id_problem(new: str, ids: set[str]) -> str | None:
    if new == "incident":
        return "'incident' is reserved for facts about the incident as a whole"
    return f"duplicate id '{new}'" if new in ids else None


def _event_problems(e: EventModel, ids: set[str], people: set[str], policy: m.Policy) -> list[tuple]:
    """(where in the event, message, hint) for each problem of one event."""
    out: list[tuple] = []
    problem = _id_problem(e.id, ids)
    if problem:
        out.append((("id",), problem, "ids of people and events must be unique"))
    for attr in ("actor", "target"):
        ref = getattr(e, attr)
        if ref is not None and ref not in people:
            out.append(((attr,), f"event '{e.id}' names {attr} '{ref}', who is not in 'people'",
                        did_you_mean(ref, people) or f"people: {known_list(people)}"))
    if e.action not in policy.actions:
        hint = did_you_mean_meaning(e.action, policy.actions) or f"actions: {known_list(policy.actions)}"
        out.append((("action",), f"unknown action '{e.action}'", hint))
    return out


def _rule_problems(mapping: Mapping, policy: m.Policy, loc: Loc, rule: Rule) -> list[Diagnostic]:
    """What one rule states, checked statement by statement against the vocabulary."""
    model = mapping.model
    out = []
    ids = {p.id for p in model.people} | {e.id for e in model.events}
    people = {p.id: p.role for p in model.people}
    for j, e in enumerate(rule.events):
        out += [Diagnostic(mapping.span((*loc, "events", j, *at)), "M005", INVALID_RULE + message, hint)
                for at, message, hint in _event_problems(e, ids, set(people), policy)]
        ids.add(e.id)
    events = {e.id for e in model.events} | {e.id for e in rule.events}
    for key, value in rule.facts.items():
        problem = _fact_problem(key, value, people, events, policy)
        if problem:
            out.append(Diagnostic(mapping.span((*loc, "facts", key)), "M005", INVALID_RULE + problem[0],
                                  problem[1]))
    return out


def _fact_problem(key: str, value: str, people: dict[str, str], events: set[str],
                  policy: m.Policy) -> tuple[str, str | None] | None:
    """What is wrong with stating `key: value` (as a scenario's loader says it), or None."""
    if not re.fullmatch(r"[^.\s]+\.[^.\s]+", key):
        return (f"'{key}' should name a subject and a fact: SUBJECT.FACT",
                "e.g. incident.medical_aid_given or shots.imminent_threat")
    subject, name = key.split(".")
    if subject == "incident":
        kind, what = "incident", "the incident"
    elif subject in events:
        kind, what = "event", f"event '{subject}'"
    elif subject in people:
        kind, what = people[subject], f"{people[subject]} '{subject}'"
        if kind not in policy.roles:
            return None  # reported at the person
    else:
        return (f"'{subject}' is not a person, an event or 'incident'",
                did_you_mean(subject, [*people, *events, "incident"]))
    pool = policy.facts_about(kind)
    spec = pool.get(name)
    if spec is None:
        return (f"{what} has no fact '{name}'",
                did_you_mean_meaning(name, {n: f.question for n, f in pool.items()}) or
                f"facts about {what}: {known_list(pool)}")
    if parse_value(spec, value) is not INVALID:
        return None
    if spec.kind == "yes_no":
        return f"'{name}' is yes/no, not '{value}'", "write yes or no; leave out a rule that says nothing"
    if spec.kind == "number":
        return f"'{name}' is a number, not '{value}'", "write a finite decimal such as 3 or 2.5"
    return (f"'{value}' is not a possible value of '{name}'",
            did_you_mean(value, spec.values) or f"possible values: {', '.join(spec.values)}")

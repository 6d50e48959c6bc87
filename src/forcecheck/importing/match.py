"""Which of a mapping's rules a record's codes match, and what they state together.

A column's value is one code, or, for a column with `split`, several members (`"gun;knife"`)
whose rules combine as the column declares: `any` keeps every member's statements, `all` only
what every member states alike, `precedence` the rule of the member first in the declared
order. A rule with `when` or `unless` holds only when another column of the record has (or
has not) one of the values named, so a threat code can be read differently where the weapon
column says unarmed.

Two matched rules may state one fact differently (two columns, or two members). Neither wins
silently: the fact is left unknown and the conflict is returned, to be counted and listed, unless
a column `defers_to` the other, whose statement then stands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from forcecheck.importing.mapping import Column, MappingModel, Rule

Matched = tuple[tuple[str, str], Rule]  # ((column, code), rule)


@dataclass(frozen=True)
class Statement:
    value: str
    column: str
    code: str
    reading: str


@dataclass(frozen=True)
class Conflict:
    """One fact stated differently by two codes of one record: left unknown."""

    fact: str
    codes: tuple[tuple[str, str, str], ...]  # (column, code, value stated)

    def label(self) -> str:
        return f"{self.fact}: " + " vs ".join(f"{c}={code} says {v}" for c, code, v in self.codes)


def members(spec: Column, value: str) -> list[str]:
    """The codes a field holds: itself, or its members when the column is split."""
    if spec.split is None:
        return [value]
    return [m.strip() for m in value.split(spec.split) if m.strip()] or [""]


def holds(rule: Rule, row: dict[str, str]) -> bool:
    """Whether a rule's conditions on other columns hold for this record."""
    def value(col: str) -> str:
        return (row.get(col) or "").strip()

    return (all(value(c) in vs for c, vs in rule.when.items()) and
            not any(value(c) in vs for c, vs in rule.unless.items()))


def match_column(column: str, spec: Column, value: str, row: dict[str, str],
                 unmapped: Callable[[str, str], None]) -> list[Matched]:
    """The rules a field's value matches, members combined as the column declares; a code the
    mapping does not list is told to `unmapped` and states nothing."""
    found: list[Matched] = []
    every = True  # every member has a rule that holds (what `all` needs)
    for member in members(spec, value):
        rule = spec.values.get(member)
        if rule is None:
            unmapped(column, member or "(empty)")
            every = False
        elif not holds(rule, row):
            every = False
        else:
            found.append(((column, member), rule))
    if spec.combine == "all":
        if not every:
            return []
        found = [common(column, found)] if len(found) > 1 else found
    elif spec.combine == "precedence" and len(found) > 1:
        order = {code: i for i, code in enumerate(spec.precedence)}
        found = [min(found, key=lambda m: order.get(m[0][1], len(order)))]
    return [(at, rule) for at, rule in found if rule.facts or rule.events]


def common(column: str, found: list[Matched]) -> Matched:
    """What every member states alike, as one rule quoted with all the members."""
    rules = [r for _, r in found]
    facts = {k: v for k, v in rules[0].facts.items() if all(r.facts.get(k) == v for r in rules)}
    first = [e.model_dump() for e in rules[0].events]
    events = rules[0].events if all([e.model_dump() for e in r.events] == first for r in rules) else []
    code = ";".join(c for (_, c), _ in found)
    reading = "Every member states it: " + " / ".join(" ".join(r.reading.split()) for r in rules)
    return ((column, code), Rule(facts=facts, events=events, reading=reading))


def match(model: MappingModel, row: dict[str, str], unmapped: Callable[[str, str], None]) -> list[Matched]:
    """Every rule the record's codes match, column by column in the mapping's order."""
    out: list[Matched] = []
    for column, spec in model.columns.items():
        out += match_column(column, spec, (row.get(column) or "").strip(), row, unmapped)
    return out


def codes(model: MappingModel, row: dict[str, str]) -> list[str]:
    """column=code for every code (each member of a split field) the record has in a column the
    mapping reads, listed or not: what a comparison of two versions shows changing."""
    return [f"{column}={m}" for column, spec in model.columns.items()
            for m in members(spec, (row.get(column) or "").strip()) if m]


def resolve(model: MappingModel, matched: list[Matched]) -> tuple[dict[str, Statement], list[Conflict]]:
    """The facts the matched rules state together: one statement per fact; a fact two codes
    state differently is left out (unknown) and returned as a conflict, unless one column
    `defers_to` the other."""
    stated: dict[str, list[Statement]] = {}
    for (column, code), rule in matched:
        for key, value in rule.facts.items():
            stated.setdefault(key, []).append(Statement(value, column, code, rule.reading))
    facts: dict[str, Statement] = {}
    conflicts: list[Conflict] = []
    for key, statements in stated.items():
        kept = _deferred(model, statements)
        if len({s.value for s in kept}) == 1:
            facts[key] = kept[-1]
        else:
            conflicts.append(Conflict(key, tuple((s.column, s.code, s.value) for s in kept)))
    return facts, conflicts


def _deferred(model: MappingModel, statements: list[Statement]) -> list[Statement]:
    """The statements left once each column that defers to another column stating the fact
    has stepped aside."""
    columns = {s.column for s in statements}
    kept = [s for s in statements
            if not any(c in columns and c != s.column
                       for c in (model.columns[s.column].defers_to if s.column in model.columns else []))]
    return kept or statements

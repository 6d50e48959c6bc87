"""What a mapping makes of every record before any record is read: structural outcomes.

A mapping can only state what its codes state. Some clause outcomes are therefore impossible
(no code states a fact a breach needs, so "0 breached" holds for every version of the
database) or certain (a clause is "breach possible" in every record, whatever the data) by
construction, and a count built on them is a fact about the mapping, not the data.

Every record a mapping can produce is one choice per column: one of the distinct things its
codes state (a code the mapping does not list states nothing, so "nothing" is always a choice;
for a split column, a member or two members together, combined as the column declares; a rule
with `when`/`unless` may or may not hold). Each combination is built as the import builds a
record (conflicts and contradictions left unknown as there), checked, and given its status per
clause, as the corpus report counts them. Counting over more combinations than any data can
show only widens what is reachable, so an outcome said to be impossible or certain is so for
every record (up to two members of a split field together: three or more whose rules conflict
could leave a set of facts no pair gives). Why an outcome is impossible is read from what would
settle it in a combination where it is still open: the facts and values that would, which no
code of the mapping states.

Secondary events (an event a code adds, such as the Taser of "shot and Tasered") are compared
with the same combination without them: a clause whose status they change is said to rest on
them for the records that have them.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

from forcecheck.importing.build import as_json, scenario_data
from forcecheck.importing.mapping import Column, Mapping, MappingModel, Rule, placeholders
from forcecheck.importing.match import Matched, common
from forcecheck.policy.compiler import CompiledPolicy

MAX_COMBINATIONS = 2048  # records a mapping can produce, checked; beyond, not worked out
WORDS = {"breached": "breached", "breach_possible": "breach possible", "undetermined": "open",
         "met": "met", "not_applicable": "not applicable"}
OPEN = ("breach_possible", "undetermined")


@dataclass
class ClauseStructure:
    clause: str
    reachable: set[str] = field(default_factory=set)  # statuses some record can have
    notes: list[str] = field(default_factory=list)  # "breached: 0 by construction: ..."
    secondary: list[str] = field(default_factory=list)  # "taser (manner_of_death=...): met -> ..."

    @property
    def impossible(self) -> list[str]:
        can_apply = bool(self.reachable - {"not_applicable"})
        return [s for s in ("breached", "met") if s not in self.reachable and can_apply]

    @property
    def certain(self) -> str | None:
        return next(iter(self.reachable)) if len(self.reachable) == 1 else None


@dataclass
class Structure:
    combinations: int
    worked_out: bool
    clauses: dict[str, ClauseStructure] = field(default_factory=dict)
    switched_off: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """What the import prints: one line per structural note."""
        if not self.worked_out:
            return [f"structural outcomes not worked out: the mapping can give {self.combinations:,} "
                    f"kinds of record, more than {MAX_COMBINATIONS:,}"]
        return [f"{c}: {note}" for c, cs in self.clauses.items() for note in [*cs.notes, *cs.secondary]]

    def short_lines(self) -> list[str]:
        """What the import prints: one line per clause with an outcome fixed by the mapping."""
        if not self.worked_out:
            return self.lines()
        out = []
        for c, cs in self.clauses.items():
            said = ([f"{WORDS[cs.certain]} in every record"] if cs.certain else []) + \
                   [f"{st}: 0" for st in cs.impossible if cs.certain in (None, *OPEN)]
            if cs.secondary:
                said.append("rests on a secondary event in some records")
            if said:
                out.append(f"{c}: {'; '.join(said)}")
        return out


def switch_off(model: MappingModel, readings: list[tuple[str, str]]) -> MappingModel:
    """The mapping with some codes' readings switched off (`--unknown FIELD=CODE`): those codes
    state nothing. A column or code the mapping does not have is a ValueError naming it."""
    columns = dict(model.columns)
    for column, code in readings:
        spec = columns.get(column)
        if spec is None or code not in spec.values:
            known = sorted(columns) if spec is None else sorted(spec.values)
            raise ValueError(f"the mapping has no {'column' if spec is None else 'code'} "
                             f"'{column if spec is None else code}'; it has: {', '.join(known)}")
        values = dict(spec.values)
        values[code] = Rule(unknown=True, reading=f"switched off (--unknown {column}={code}); the mapping "
                            f"read: {' '.join(values[code].reading.split())}")
        columns[column] = spec.model_copy(update={"values": values})
    return model.model_copy(update={"columns": columns})


def _key(rules: list[Matched]) -> str:
    return json.dumps([[sorted(r.facts.items()), [e.model_dump() for e in r.events]] for _, r in rules],
                      sort_keys=True)


def options(column: str, spec: Column) -> list[list[Matched]]:
    """The distinct things one column can state: nothing, each code's rule, and for a split
    column whose members all count, two members together."""
    single: dict[str, list[Matched]] = {}
    for code, rule in spec.values.items():
        if rule.facts or rule.events:
            bare = rule.model_copy(update={"when": {}, "unless": {}})
            single.setdefault(_key([((column, code), bare)]), [((column, code), bare)])
    found: dict[str, list[Matched]] = {"[]": [], **single}
    if spec.split is not None and spec.combine != "precedence":
        for a, b in itertools.combinations(list(single.values()), 2):
            both = a + b if spec.combine == "any" else [common(column, a + b)]
            found.setdefault(_key(both), both)
    return list(found.values())


def structure(mapping: Mapping, compiled: CompiledPolicy, explain: bool = True) -> Structure:
    """Which statuses each clause can have, over every record the mapping can produce; with
    `explain`, the notes that say why (what would settle each outcome otherwise: the costly
    part, which the import, printing only the outcomes, leaves out)."""
    from forcecheck import api
    from forcecheck.report.corpus import status
    from forcecheck.report.record import build_record

    model = mapping.model
    choices = [options(c, spec) for c, spec in model.columns.items()]
    total = 1
    for ch in choices:
        total *= len(ch)
    out = Structure(total, total <= MAX_COMBINATIONS)
    if not out.worked_out:
        return out
    row = {f: "x" for f in placeholders(model)}
    seen: dict[tuple[int, ...], dict[str, str]] = {}
    for picks in itertools.product(*(range(len(ch)) for ch in choices)):
        matched = [m for ch, i in zip(choices, picks, strict=True) for m in ch[i]]
        result = _checked(mapping, compiled, row, matched)
        if result is None:
            continue
        rec = build_record(api.check(result, compiled, depth="verdicts").evaluation, "structure")
        seen[picks] = {c: status(rec, c) for c in rec.verdicts}
        for clause, st in seen[picks].items():
            out.clauses.setdefault(clause, ClauseStructure(clause)).reachable.add(st)
    if explain:
        _explain(out, mapping, compiled, choices, seen, row)
    _secondary(out, model, choices, seen)
    return out


def _checked(mapping: Mapping, compiled: CompiledPolicy, row: dict[str, str], matched: list[Matched]):
    """The scenario of one combination, as the import would build it, or None if none loads."""
    from forcecheck.diagnostics import InputError
    from forcecheck.importing.records import contradiction
    from forcecheck.scenario.load import load_scenario

    def load(rules: list[Matched]):
        try:
            text = as_json(scenario_data(mapping.model, "x", row, rules))
            return load_scenario("structure", compiled, text=text)
        except InputError:
            return None

    loaded = load(matched)
    if loaded is None:
        kept, refused = contradiction(mapping.model, compiled, "x", row, matched, "structure")
        loaded = load(kept) if refused else None
    return loaded


def _stated(model: MappingModel) -> set[tuple[str, str]]:
    rules = [*model.always, *(r for spec in model.columns.values() for r in spec.values.values())]
    return {(k, v) for r in rules for k, v in r.facts.items()}


def _value(v: object) -> str:
    return ("yes" if v else "no") if isinstance(v, bool) else str(v)


def _explain(out: Structure, mapping: Mapping, compiled: CompiledPolicy, choices, seen, row) -> None:
    """The note for each outcome impossible or certain, with the facts no code states that would
    settle it otherwise."""
    from forcecheck import api

    stated = _stated(mapping.model)
    full: dict[tuple[int, ...], object] = {}

    def missing(clause: str, verdict: str) -> list[str]:
        picks = next((p for p, st in seen.items() if st.get(clause) in OPEN), None)
        if picks is None:
            return []
        if picks not in full:
            matched = [m for ch, i in zip(choices, picks, strict=True) for m in ch[i]]
            full[picks] = api.check(_checked(mapping, compiled, row, matched), compiled).evaluation
        found: list[frozenset[str]] = []  # facts only: a policy's open question is no code's to state
        for account in full[picks].accounts:
            for item in account.clause(clause).items:
                for s in item.settlements:
                    unstated = frozenset(f"{u.key} = {_value(v)}" for u, v in s.assignments
                                         if u.subject != "policy" and (u.key, _value(v)) not in stated)
                    if s.verdict == verdict and unstated and unstated not in found:
                        found.append(unstated)
        smallest = [f for f in found if not any(g < f for g in found)]
        return [" and ".join(sorted(f)) for f in smallest[:3]]

    def because(clause: str, verdict: str) -> str:
        facts = missing(clause, verdict)
        return (f"no code states {' or '.join(facts)}" if facts else
                "no combination of the mapping's codes gives it")

    for clause, cs in out.clauses.items():
        certain = cs.certain
        if certain == "not_applicable":
            cs.notes.append("applies to no record by construction: no code adds what it applies to")
        elif certain in OPEN:
            cs.notes.append(f"{WORDS[certain]} in every record by construction: met: 0, "
                            f"{because(clause, 'met')}; breached: 0, {because(clause, 'breached')}")
        elif certain is not None:
            cs.notes.append(f"{WORDS[certain]} in every record by construction")
        else:
            cs.notes += [f"{st}: 0 by construction: {because(clause, st)}" for st in cs.impossible]


def _secondary(out: Structure, model: MappingModel, choices, seen) -> None:
    """Where a code's added event changes a clause's status, against the same record without it."""
    names = list(model.columns)
    for (col_i, ch), clause in itertools.product(enumerate(choices), list(out.clauses)):
        for opt_i, option in enumerate(ch):
            if not any(r.events for _, r in option):
                continue
            changes = set()
            for picks, st in seen.items():
                if picks[col_i] != opt_i:
                    continue
                without = seen.get(picks[:col_i] + (0,) + picks[col_i + 1:])
                if without is not None and without.get(clause) != st.get(clause):
                    changes.add(f"{WORDS[without.get(clause, 'not_applicable')]} -> "
                                f"{WORDS[st.get(clause, 'not_applicable')]}")
            if changes:
                events = ", ".join(e.id for _, r in option for e in r.events)
                codes = ", ".join(f"{names[col_i]}={code}" for (_, code), _ in option)
                out.clauses[clause].secondary.append(
                    f"the secondary event {events} ({codes}) can turn {'; '.join(sorted(changes))}")


def clause_codes(mapping: Mapping, compiled: CompiledPolicy, found: Structure | None = None) \
        -> dict[str, dict[str, dict]]:
    """clause -> "column=code" -> {reading, secondary}: the codes whose readings state a fact the
    clause reads, or add an event (a secondary event) that changes the clause's status;
    `secondary` when the code adds an event."""
    from forcecheck.policy import model as m

    policy = compiled.policy
    out: dict[str, dict[str, dict]] = {}
    for clause in policy.clauses:
        reads = {k.rpartition(".")[2] for node in (clause.where, clause.requirement)
                 for k in m.facts_read(node, policy)}
        moved = " ".join(found.clauses[clause.id].secondary) if found and clause.id in found.clauses else ""
        for column, spec in mapping.model.columns.items():
            for code, rule in spec.values.items():
                label = f"{column}={code}"
                states = any(k.rpartition(".")[2] in reads for k in rule.facts)
                if states or (rule.events and f"({label}" in moved):
                    out.setdefault(clause.id, {})[label] = {"reading": " ".join(rule.reading.split()),
                                                            "secondary": bool(rule.events)}
    return out


def notes(found: Structure) -> dict[str, list[str]]:
    """clause -> its structural notes, as the corpus report prints them."""
    if not found.worked_out:
        return {}
    return {c: [*cs.notes, *cs.secondary] for c, cs in found.clauses.items() if cs.notes or cs.secondary}

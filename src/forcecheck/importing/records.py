"""Each row of a database as a validated scenario, or the diagnostics that say why not.

A record is loaded, as `check` will load it, before it is handed on, so every file an import
writes loads. Its id must be its own: two records whose ids give the same name (the same id
twice, or, in theory only, two ids whose hashes agree; see `build.record_name`) are refused,
naming both, so no record is ever written over another. A date that is not a calendar date
(YYYY-MM-DD) is left out of the scenario and counted in a note, as values the mapping does not
cover are: the record is still imported, since the policy reads no date. What is kept between
records is small: the names seen so far, and the counts of values shown in the notes.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from forcecheck.diagnostics import Diagnostic, InputError, Span, visible
from forcecheck.importing.build import as_json, as_yaml, record_name, scenario_data
from forcecheck.importing.data import rows
from forcecheck.importing.mapping import Mapping, MappingModel, conditions, placeholders
from forcecheck.importing.match import Conflict, Matched, match
from forcecheck.importing.match import codes as record_codes
from forcecheck.policy.compiler import CompiledPolicy
from forcecheck.scenario.load import load_scenario
from forcecheck.scenario.schema import ScenarioModel
from forcecheck.scenario.yamlsource import MAX_BYTES

MAX_ID_CHARS = 100  # a record id; with the mapping's id (at most 64) a file name stays < 255 bytes
SHOWN_VALUES = 20  # values listed per note
SHOWN_CHARS = 60  # characters of one value shown in a note
SHOWN_IDS = 5  # record ids listed per conflict


@dataclass
class ImportResult:
    """One record: its scenario text, or why it could not be imported."""

    line: int
    record_id: str | None
    text: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    name: str | None = None  # the record's part of its file name and scenario id
    span: Span | None = None  # the record's line in the data file


@dataclass
class Unmapped:
    """Coded values the mapping does not cover (column -> value -> records), and dates that are
    not dates (left out): what the import says it has never seen, when it ends."""

    counts: dict[str, Counter] = field(default_factory=dict)
    bad_dates: Counter = field(default_factory=Counter)
    date_column: str = "date"
    # fact -> codes that stated it differently -> records, and the first record ids: left unknown
    conflicts: dict[str, Counter] = field(default_factory=dict)
    conflict_ids: dict[str, list[str]] = field(default_factory=dict)
    # codes whose statements together the policy refuses -> records: their facts left unknown
    contradictions: Counter = field(default_factory=Counter)
    contradiction_ids: dict[str, list[str]] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)  # kinds of record loaded in full by this import
    unlisted: list[str] = field(default_factory=list)  # columns the mapping neither reads nor ignores

    def add(self, column: str, value: str) -> None:
        self.counts.setdefault(column, Counter())[value] += 1

    def merge(self, other: Unmapped) -> None:
        """Add what another process counted (`import --jobs`)."""
        for column, counts in other.counts.items():
            self.counts.setdefault(column, Counter()).update(counts)
        self.bad_dates.update(other.bad_dates)
        for fact, counts in other.conflicts.items():
            self.conflicts.setdefault(fact, Counter()).update(counts)
            ids = self.conflict_ids.setdefault(fact, [])
            ids += other.conflict_ids.get(fact, [])[:SHOWN_IDS - len(ids)]
        self.contradictions.update(other.contradictions)
        for codes, found in other.contradiction_ids.items():
            ids = self.contradiction_ids.setdefault(codes, [])
            ids += found[:SHOWN_IDS - len(ids)]

    def lines(self) -> list[str]:
        """One line per column, every value from the data shown as text a terminal cannot act on."""
        out = []
        for column in sorted(self.counts):
            counts = self.counts[column]
            out.append(f"{column}: {_counted(counts)} the mapping does not cover, in {counts.total()} "
                       f"record(s), left unknown: {_shown(counts)}")
        for fact in sorted(self.conflicts):
            counts = self.conflicts[fact]
            out.append(f"conflict: {counts.total()} record(s) state {fact} differently in two codes, left "
                       f"unknown: {_shown(counts)}; records {_ids(self.conflict_ids[fact], counts.total())}")
        for codes, n in sorted(self.contradictions.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"contradiction: {n} record(s) coded {codes}, which the policy's constraints "
                       f"refuse together: what those codes state is left unknown; records "
                       f"{_ids(self.contradiction_ids[codes], n)}")
        if self.unlisted:
            out.append(f"columns the mapping neither reads nor ignores (dropped; --strict refuses them): "
                       f"{', '.join(self.unlisted)}")
        if self.bad_dates:
            out.append(f"{self.date_column}: {_counted(self.bad_dates)} that are not dates (YYYY-MM-DD), in "
                       f"{self.bad_dates.total()} record(s), left out of the scenarios' date: "
                       f"{_shown(self.bad_dates)}")
        return [visible(line) for line in out]


def _ids(ids: list[str], total: int) -> str:
    more = f", and {total - len(ids)} more" if total > len(ids) else ""
    return ", ".join(ids) + more


def _counted(counts: Counter) -> str:
    return f"{len(counts)} value(s)"


def _shown(counts: Counter) -> str:
    values = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    cut = [(v if len(v) <= SHOWN_CHARS else v[:SHOWN_CHARS] + "...", n) for v, n in values[:SHOWN_VALUES]]
    more = f", and {len(values) - SHOWN_VALUES} more" if len(values) > SHOWN_VALUES else ""
    return ", ".join(f"'{v}' ({n})" for v, n in cut) + more


def checked_date(value: str) -> str | None:
    """An ISO calendar date (2016-03-01) as it is, or None."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return value


def import_records(mapping: Mapping, data: Path, compiled: CompiledPolicy, unmapped: Unmapped,
                   as_lines: bool = False) -> Iterator[ImportResult]:
    """Each record of `data` as a scenario text (validated; a JSON line when `as_lines`, else a
    YAML file's text), or its diagnostics. The data file is opened (and a CSV header checked)
    now; the records are read as they are asked for. (`parallel.imported` does the same in
    several processes.)"""
    return (task if isinstance(task, ImportResult) else
            _record(mapping.model, compiled, unmapped, *task, as_lines)
            for task in tasks(mapping, data, unmapped))


def tasks(mapping: Mapping, data: Path, unmapped: Unmapped, strict: bool = False) \
        -> Iterator[ImportResult | Task]:
    """Each row of `data`: a record refused already, or one to build (`Task`)."""
    model = mapping.model
    unmapped.date_column = model.date or "date"
    if model.relational:
        from forcecheck.importing.relational import relational_rows

        found = relational_rows(mapping, data)
    else:
        found = rows(data, model.format)
    return _records(mapping, found, data, unmapped, strict)


Task = tuple[dict[str, str], str, Span, str]  # row, record id, where, name: a record to build


def _records(mapping: Mapping, found, data: Path, unmapped: Unmapped,
             strict: bool = False) -> Iterator[ImportResult | Task]:
    """Each row read: a record refused already (unreadable, no column, its id), or one to build.
    The first record's columns that the mapping neither reads nor ignores are noted (with
    `strict`, refused before anything is written)."""
    model = mapping.model
    needed = sorted(placeholders(model) | set(model.columns) | set(model.fields) | conditions(model))
    known = {*needed, *model.ignored, "_line"}
    seen: dict[str, int] = {}  # name -> the line of the record that has it
    for line, row, problem in found:
        if row is not None and not seen and not unmapped.unlisted:
            unmapped.unlisted = [c for c in row if c not in known]
            if strict and unmapped.unlisted:
                raise InputError([Diagnostic(mapping.span(("columns",)) if model.columns else None, "M018",
                                             f"--strict: the data has column(s) the mapping neither reads "
                                             f"nor ignores: {visible(', '.join(unmapped.unlisted))}",
                                             "map each, or list it under 'ignored:' with the reason")])
        span = Span(str(data), line, 1)
        if problem is not None:
            yield ImportResult(line, None, None, [Diagnostic(span, "M011", f"record not read: {problem}",
                                                             "fix the row; the others are imported")])
            continue
        assert row is not None
        missing = [c for c in needed if c not in row]
        if missing:
            yield ImportResult(line, None, None, [Diagnostic(span, "M012", f"the record has no column "
                                                             f"'{missing[0]}'", "is this the layout the "
                                                             "mapping is for?")])
            continue
        record_id = (row.get(model.id) or "").strip()
        refused = _refused_id(model.id, record_id, span, seen)
        if refused is not None:
            yield ImportResult(line, record_id or None, None, [refused])
            continue
        name = record_name(record_id)
        seen[name] = line
        yield row, record_id, span, name


def _refused_id(column: str, record_id: str, span: Span, seen: dict[str, int]) -> Diagnostic | None:
    if not record_id:
        return Diagnostic(span, "M013", f"record has no id (column '{column}')",
                          "each record needs its own id")
    if len(record_id) > MAX_ID_CHARS:
        return Diagnostic(span, "M015", f"record id is {len(record_id)} characters long, more than "
                          f"{MAX_ID_CHARS} (column '{column}')", "a record id names a file: shorten it "
                          "in the data; the other records are imported")
    earlier = seen.get(record_name(record_id))
    if earlier is not None:
        return Diagnostic(span, "M013", f"record has the id '{record_id}' of the record at line {earlier}, "
                          f"so it would get that record's file name and scenario id (column '{column}')",
                          "each record needs its own id; the first record was imported")
    return None


def _record(model: MappingModel, compiled: CompiledPolicy, unmapped: Unmapped, row: dict[str, str],
            record_id: str, span: Span, name: str, as_lines: bool) -> ImportResult:
    matched = match(model, row, unmapped.add)
    date = None
    if model.date and (raw := (row.get(model.date) or "").strip()):
        date = checked_date(raw)
        if date is None:
            unmapped.bad_dates[raw] += 1
    conflicts: list[Conflict] = []
    read = record_codes(model, row)
    data = scenario_data(model, record_id, row, matched, date=date, conflicts=conflicts, codes=read)
    text = as_json(data) if as_lines else as_yaml(data)
    where = f"{span.path}:{span.line}"
    errors = _checked(where, compiled, text, data, unmapped.kinds)
    if errors:
        kept, refused = contradiction(model, compiled, record_id, row, matched, where)
        if refused:
            conflicts = []
            data = scenario_data(model, record_id, row, kept, date=date, conflicts=conflicts, codes=read)
            text = as_json(data) if as_lines else as_yaml(data)
            if not _load_errors(where, compiled, text):
                label = " with ".join(f"{c}={v}" for c, v in refused)
                unmapped.contradictions[label] += 1
                _note_id(unmapped.contradiction_ids.setdefault(label, []), record_id)
                errors = []
    if errors:
        return ImportResult(span.line, record_id, None, [Diagnostic(
            span, "M014", f"record {record_id} gives a scenario that does not load: "
            f"{errors[0].message}", "the mapping's rules for this record's codes disagree")])
    for c in conflicts:
        unmapped.conflicts.setdefault(c.fact, Counter())[" vs ".join(f"{col}={code}"
                                                                      for col, code, _ in c.codes)] += 1
        _note_id(unmapped.conflict_ids.setdefault(c.fact, []), record_id)
    return ImportResult(span.line, record_id, text, name=name, span=span)


def _note_id(ids: list[str], record_id: str) -> None:
    if len(ids) < SHOWN_IDS:
        ids.append(visible(record_id))


MAX_KINDS = 100_000  # kinds of record remembered as loading


def _kind(data: dict) -> str:
    """What the policy's vocabulary reads of a record: its people, events, sources and stated
    values, without the text that differs from record to record (title, quotes, fields)."""
    accounts = [{**a, "facts": {k: (f["value"], f["source"]) for k, f in a["facts"].items()}}
                for a in data["accounts"]]
    return json.dumps([data["people"], data["events"], data["sources"], accounts], sort_keys=True)


def _checked(where: str, compiled: CompiledPolicy, text: str, data: dict,
             kinds: set[str]) -> list[Diagnostic]:
    """The errors of a record's scenario. A record of a kind already loaded in full (the same
    people, events and stated values: everything the vocabulary and the constraints read) has
    its shape checked, and its text read back, without the vocabulary pass again: an import
    spent three quarters of its time proving the same few dozen kinds of record again."""
    kind = _kind(data)
    if kind in kinds and len(text.encode("utf-8")) <= MAX_BYTES:
        try:
            ScenarioModel.model_validate(json.loads(text) if text.startswith("{") else data)
            return []
        except (ValidationError, ValueError):
            pass  # the full load says what is wrong, located
    errors = _load_errors(where, compiled, text)
    if not errors and len(kinds) < MAX_KINDS:
        kinds.add(kind)
    return errors


def _load_errors(where: str, compiled: CompiledPolicy, text: str) -> list[Diagnostic]:
    try:
        load_scenario(where, compiled, text=text)
    except InputError as exc:
        return [d for d in exc.diagnostics if d.severity == "error"]
    return []


def contradiction(model: MappingModel, compiled: CompiledPolicy, record_id: str, row: dict[str, str],
                  matched: list[Matched], where: str) -> tuple[list[Matched], list[tuple[str, str]]]:
    """When a record's codes together give a scenario the policy refuses: the codes that are
    refused two at a time (each rule alone was checked when the mapping loaded), and the matched
    rules with those codes' facts taken out (their events kept). A contradiction between
    columns leaves those facts unknown instead of refusing the record."""
    stating = [i for i, (_, rule) in enumerate(matched) if rule.facts]
    refused: set[int] = set()
    for a, b in itertools.combinations(stating, 2):
        pair = [matched[a], matched[b]]
        text = as_json(scenario_data(model, record_id, row, pair))
        if _load_errors(where, compiled, text):
            refused |= {a, b}
    kept = [(at, rule.model_copy(update={"facts": {}})) if i in refused else (at, rule)
            for i, (at, rule) in enumerate(matched)]
    return kept, [matched[i][0] for i in sorted(refused)]

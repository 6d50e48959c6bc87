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
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from forcecheck.diagnostics import Diagnostic, InputError, Span, visible
from forcecheck.importing.build import as_json, as_yaml, record_name, scenario_data
from forcecheck.importing.data import rows
from forcecheck.importing.mapping import Mapping, placeholders
from forcecheck.policy.compiler import CompiledPolicy
from forcecheck.scenario.load import load_scenario

MAX_ID_CHARS = 100  # a record id; with the mapping's id (at most 64) a file name stays < 255 bytes
SHOWN_VALUES = 20  # values listed per note
SHOWN_CHARS = 60  # characters of one value shown in a note


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

    def add(self, column: str, value: str) -> None:
        self.counts.setdefault(column, Counter())[value] += 1

    def lines(self) -> list[str]:
        """One line per column, every value from the data shown as text a terminal cannot act on."""
        out = []
        for column in sorted(self.counts):
            counts = self.counts[column]
            out.append(f"{column}: {_counted(counts)} the mapping does not cover, in {counts.total()} "
                       f"record(s), left unknown: {_shown(counts)}")
        if self.bad_dates:
            out.append(f"{self.date_column}: {_counted(self.bad_dates)} that are not dates (YYYY-MM-DD), in "
                       f"{self.bad_dates.total()} record(s), left out of the scenarios' date: "
                       f"{_shown(self.bad_dates)}")
        return [visible(line) for line in out]


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
    now; the records are read as they are asked for."""
    model = mapping.model
    unmapped.date_column = model.date or "date"
    return _records(mapping, rows(data, model.format), data, compiled, unmapped, as_lines)


def _records(mapping: Mapping, found, data: Path, compiled: CompiledPolicy, unmapped: Unmapped,
             as_lines: bool) -> Iterator[ImportResult]:
    model = mapping.model
    needed = sorted(placeholders(model) | set(model.columns) | set(model.fields))
    seen: dict[str, int] = {}  # name -> the line of the record that has it
    for line, row, problem in found:
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
        yield _record(mapping, compiled, unmapped, row, record_id, span, as_lines, name)


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


def _record(mapping: Mapping, compiled: CompiledPolicy, unmapped: Unmapped, row: dict[str, str],
            record_id: str, span: Span, as_lines: bool, name: str) -> ImportResult:
    model = mapping.model
    matched = []
    for column, spec in model.columns.items():
        value = (row.get(column) or "").strip()
        rule = spec.values.get(value)
        if rule is None:
            unmapped.add(column, value or "(empty)")
        elif rule.facts or rule.events:
            matched.append(((column, value), rule))
    date = None
    if model.date and (raw := (row.get(model.date) or "").strip()):
        date = checked_date(raw)
        if date is None:
            unmapped.bad_dates[raw] += 1
    data = scenario_data(model, record_id, row, matched, date=date)
    text = as_json(data) if as_lines else as_yaml(data)
    try:
        load_scenario(f"{span.path}:{span.line}", compiled, text=text)
    except InputError as exc:
        errors = [d for d in exc.diagnostics if d.severity == "error"]
        if errors:
            return ImportResult(span.line, record_id, None, [Diagnostic(
                span, "M014", f"record {record_id} gives a scenario that does not load: "
                f"{errors[0].message}", "the mapping's rules for this record's codes disagree")])
    return ImportResult(span.line, record_id, text, name=name, span=span)

"""Importing incident databases: a declarative mapping turns each record into a scenario.

A mapping file (YAML) says which columns give a record's id, title, date and place; the people
and events every record has; and, column by column, which coded values state which facts (or
add which events), each with a `reading` that says why the code means that. Every statement
is attributed to the database, under one account named for it, with the record id and the
column value as its quote (`threat_level=attack`). A value the mapping does not list leaves
the facts unknown and is counted, so the import can say what it has never seen.

The mapping is checked when it loads: its shape by pydantic, and every rule against the
policy's vocabulary by building, for each rule, the scenario it would give and loading it;
a problem is reported at the rule's line in the mapping.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError

from forcecheck.diagnostics import Diagnostic, InputError, Span, sorted_diagnostics
from forcecheck.files import read_text
from forcecheck.policy.compiler import CompiledPolicy
from forcecheck.scenario.load import load_scenario
from forcecheck.scenario.schema import ID_PATTERN, EventModel, PersonModel, Strict, pydantic_diagnostics
from forcecheck.scenario.yamlsource import load_yaml

MAX_MAPPING_BYTES = 1_000_000
MAX_DATA_BYTES = 200_000_000
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_ ]*)\}")


class Rule(Strict):
    """What one coded value of a column says, and why."""

    facts: dict[str, str] = {}  # "subject.fact": value, as in a scenario
    events: list[EventModel] = []  # events the value adds
    unknown: bool = False  # the value is known to say nothing the policy reads
    reading: str = Field(min_length=1)


class Column(Strict):
    reading: str | None = None  # what the column records, from the database's documentation
    values: dict[str, Rule]


class Database(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    publisher: str | None = None
    url: str | None = None
    licence: str | None = None


class AccountSpec(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    summary: str | None = None


class MappingModel(Strict):
    mapping: str = Field(pattern=ID_PATTERN)
    title: str
    format: Literal["csv", "jsonl"] = "csv"
    database: Database
    account: AccountSpec
    id: str  # the column that identifies a record
    title_template: str  # "{column}" placeholders
    date: str | None = None  # a column holding an ISO date
    place: str | None = None  # a template
    summary: str  # a template
    people: list[PersonModel] = Field(min_length=1)
    events: list[EventModel] = []
    always: list[Rule] = []  # what every record of the database says
    columns: dict[str, Column] = {}
    fields: list[str] = []  # columns copied into each scenario's `record.fields`, for filters
    ignored: dict[str, str] = {}  # columns deliberately not mapped, and why


@dataclass
class Mapping:
    model: MappingModel
    path: str
    doc: object

    def span(self, loc: tuple) -> Span:
        return self.doc.span(loc)  # type: ignore[attr-defined]


@dataclass
class ImportResult:
    """One record: its scenario text, or why it could not be imported."""

    line: int
    record_id: str | None
    text: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class Unmapped:
    """Coded values the mapping does not cover: column -> value -> records."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, column: str, value: str) -> None:
        self.counts.setdefault(column, Counter())[value] += 1

    def lines(self) -> list[str]:
        out = []
        for column in sorted(self.counts):
            values = sorted(self.counts[column].items(), key=lambda kv: (-kv[1], kv[0]))
            shown = ", ".join(f"'{v}' ({n})" for v, n in values[:20])
            more = f", and {len(values) - 20} more" if len(values) > 20 else ""
            total = sum(self.counts[column].values())
            out.append(f"{column}: {len(values)} value(s) the mapping does not cover, in {total} "
                       f"record(s), left unknown: {shown}{more}")
        return out


def shipped_mapping(name: str) -> Path | None:
    """A mapping shipped with forcecheck, by name (`wapo-2015`): in the wheel, or in a checkout."""
    from importlib.resources import files

    packaged = Path(str(files("forcecheck"))) / "_mappings"
    for folder in (packaged, Path(__file__).resolve().parents[3] / "mappings"):
        candidate = folder / f"{name}.yaml"
        if re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) and candidate.is_file():
            return candidate
    return None


def load_mapping(path: Path, compiled: CompiledPolicy) -> Mapping:
    """Read and check a mapping file (or a shipped one, by name); every problem is located."""
    if not path.exists():
        path = shipped_mapping(str(path)) or path
    text = read_text(path, MAX_MAPPING_BYTES, "M001", "mapping file")
    doc = load_yaml(path, text)
    if not isinstance(doc.data, dict):
        raise InputError([*doc.problems, Diagnostic(doc.span(()), "M001", "a mapping file must be a "
                                                    "mapping of keys (mapping, database, columns, ...)",
                                                    "start from mappings/wapo-2015.yaml")])
    try:
        model = MappingModel.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(sorted_diagnostics([*doc.problems, *pydantic_diagnostics(
            exc, doc, MappingModel, ("M002", "M003", "M004"), "the mapping")])) from None
    mapping = Mapping(model, str(path), doc)
    problems = [*doc.problems, *_check_rules(mapping, compiled)]
    if problems:
        raise InputError(sorted_diagnostics(problems))
    return mapping


def _check_rules(mapping: Mapping, compiled: CompiledPolicy) -> list[Diagnostic]:
    """Each rule, alone on top of what every record has, must give a scenario that loads."""
    model = mapping.model
    out: list[Diagnostic] = []
    rules: list[tuple[tuple, Rule]] = [(("always", i), r) for i, r in enumerate(model.always)]
    for column, spec in model.columns.items():
        rules += [(("columns", column, "values", value), r) for value, r in spec.values.items()]
    fields = {f: "x" for f in _placeholders(model)}
    for loc, rule in rules:
        if loc[0] == "always":  # alone
            scenario = _scenario(model, "probe", fields, [], always=[rule])
        else:  # on top of what every record says
            scenario = _scenario(model, "probe", fields, [((loc[1], loc[-1]), rule)])
        try:
            load_scenario(f"{mapping.path}", compiled, text=_dump(scenario))
        except InputError as exc:
            for d in exc.diagnostics:
                if d.severity != "error":
                    continue
                out.append(Diagnostic(mapping.span(loc), "M005", f"this rule does not give a valid "
                                      f"scenario: {d.message}", d.hint))
    return out


def _placeholders(model: MappingModel) -> set[str]:
    found = set(PLACEHOLDER.findall(model.title_template)) | set(PLACEHOLDER.findall(model.summary))
    found |= set(PLACEHOLDER.findall(model.place or ""))
    return found | {model.id} | ({model.date} if model.date else set())


def _fill(template: str, row: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m_: (row.get(m_.group(1)) or "unknown").strip() or "unknown", template)


def _scenario(model: MappingModel, record_id: str, row: dict[str, str],
              matched: list[tuple[tuple[str, str], Rule]], always: list[Rule] | None = None) -> dict:
    """The scenario (as data) for one record: the mapping's people and events, the facts of
    every rule that matched, each attributed to the database with the record and the code."""
    source = model.database.id
    facts: dict[str, dict] = {}
    events = [e.model_dump(exclude_none=True, exclude_defaults=True) for e in model.events]
    for rule in model.always if always is None else always:
        for key, value in rule.facts.items():
            facts[key] = {"value": value, "source": source,
                          "quote": f"record {record_id}: every record of the database",
                          "note": _words(rule.reading)}
    for (column, value), rule in matched:
        for key, fact_value in rule.facts.items():
            facts[key] = {"value": fact_value, "source": source,
                          "quote": f"record {record_id}: {column}={value}", "note": _words(rule.reading)}
        events += [e.model_dump(exclude_none=True, exclude_defaults=True) for e in rule.events]
    data: dict = {
        "id": f"{model.mapping}-{_slug(record_id)}",
        "title": _fill(model.title_template, row),
        "kind": "real",
    }
    if model.date and row.get(model.date):
        data["date"] = row[model.date]
    if model.place:
        data["place"] = _fill(model.place, row)
    data["summary"] = _words(_fill(model.summary, row))
    data["sources"] = [model.database.model_dump(exclude_none=True, exclude={"licence"})]
    data["people"] = [p.model_dump(exclude_none=True, exclude_defaults=True) for p in model.people]
    data["events"] = events
    account = {"id": model.account.id, "name": model.account.name, "sources": [source]}
    if model.account.summary:
        account["summary"] = _words(model.account.summary)
    account["facts"] = facts
    data["accounts"] = [account]
    data["record"] = {"database": model.database.id, "id": record_id, "mapping": model.mapping,
                      "fields": {f: row.get(f) or None for f in model.fields}}
    return data


def _words(text: str) -> str:
    """Folded YAML text as one line: the same words, single spaces, no trailing newline."""
    return " ".join(text.split())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "x"


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: 20x faster


def _dump(data: dict) -> str:
    return ("# Generated by `forcecheck import`: edit the mapping, not this file.\n" +
            yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100))


def _rows(path: Path, fmt: str) -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
    """(line, row, problem) for each record of a CSV or JSON Lines file."""
    text = read_text(path, MAX_DATA_BYTES, "M010", "data file")
    if fmt == "jsonl":
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, None, f"not JSON: {exc.msg} (column {exc.colno})"
                continue
            if not isinstance(row, dict):
                yield n, None, "a record must be a JSON object"
                continue
            yield n, {str(k): "" if v is None else str(v) for k, v in row.items()}, None
        return
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        yield 1, None, "no header row"
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a field past csv's size limit, a broken quote...
            yield reader.line_num, None, f"not valid CSV: {exc}"
            continue
        n = reader.line_num
        if not row:
            continue
        if len(row) != len(header):
            yield n, None, f"{len(row)} fields where the header has {len(header)}"
            continue
        yield n, dict(zip(header, row, strict=True)), None


def import_records(mapping: Mapping, data: Path, compiled: CompiledPolicy,
                   unmapped: Unmapped) -> Iterator[ImportResult]:
    """Each record of `data` as a scenario text (validated), or its diagnostics."""
    model = mapping.model
    seen: set[str] = set()
    for line, row, problem in _rows(data, model.format):
        span = Span(str(data), line, 1)
        if problem is not None:
            yield ImportResult(line, None, None, [Diagnostic(span, "M011", f"record not read: {problem}",
                                                             "fix the row; the others are imported")])
            continue
        assert row is not None
        missing = [c for c in sorted(_placeholders(model) | set(model.columns) | set(model.fields))
                   if c not in row]
        if missing:
            yield ImportResult(line, None, None, [Diagnostic(span, "M012", f"the record has no column "
                                                             f"'{missing[0]}'", "is this the layout the "
                                                             "mapping is for?")])
            continue
        record_id = (row.get(model.id) or "").strip()
        if not record_id or record_id in seen:
            what = "no id" if not record_id else f"the id '{record_id}' of an earlier record"
            yield ImportResult(line, record_id or None, None, [Diagnostic(
                span, "M013", f"record has {what} (column '{model.id}')", "each record needs its own id")])
            continue
        seen.add(record_id)
        matched = []
        for column, spec in model.columns.items():
            value = (row.get(column) or "").strip()
            rule = spec.values.get(value)
            if rule is None:
                unmapped.add(column, value or "(empty)")
            elif rule.facts or rule.events:
                matched.append(((column, value), rule))
        text = _dump(_scenario(model, record_id, row, matched))
        try:
            load_scenario(f"{data}:{line}", compiled, text=text)
        except InputError as exc:
            errors = [d for d in exc.diagnostics if d.severity == "error"]
            if errors:
                yield ImportResult(line, record_id, None, [Diagnostic(
                    span, "M014", f"record {record_id} gives a scenario that does not load: "
                    f"{errors[0].message}", "the mapping's rules for this record's codes disagree")])
                continue
        yield ImportResult(line, record_id, text)


def file_name(mapping: Mapping, record_id: str) -> str:
    return f"{mapping.model.mapping}-{_slug(record_id)}.yaml"


def write_import(mapping: Mapping, results: Iterable[ImportResult], output: Path,
                 failed: Callable[[ImportResult], None]) -> int:
    """Write each imported scenario: one file per record in the folder `output`, or one JSON
    line per record when `output` ends in `.jsonl` (written once, atomically, at the end).
    `failed` is told of each record that was not imported; the number imported is returned."""
    from forcecheck.files import write_text

    as_lines = output.suffix == ".jsonl"
    if not as_lines:
        if output.exists() and not output.is_dir():
            raise InputError([Diagnostic(None, "U003", f"--output '{output}' is not a folder",
                                         "give a folder for the scenario files, or a .jsonl file")])
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError([Diagnostic(None, "U003", f"cannot make the folder '{output}': "
                                         f"{exc.strerror}", "give a folder you can write to")]) from None
    imported = 0
    lines: list[str] = []
    for result in results:
        if result.text is None:
            failed(result)
            continue
        imported += 1
        if as_lines:
            lines.append(json.dumps(yaml.safe_load(result.text), ensure_ascii=False, separators=(",", ":")))
        else:
            write_text(output / file_name(mapping, result.record_id or ""), result.text)
    if as_lines:
        write_text(output, "".join(line + "\n" for line in lines))
    return imported


def readings(mapping: Mapping) -> list[tuple[str, str, str]]:
    """(column, code, reading) for every code the mapping reads, as the corpus report shows them."""
    return [(col, value or "(empty)", " ".join(rule.reading.split()))
            for col, spec in mapping.model.columns.items() for value, rule in spec.values.items()]

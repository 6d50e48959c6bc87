"""Importing incident databases: a declarative mapping turns each record into a scenario.

A mapping file (YAML) says which columns give a record's id, title, date and place; the people
and events every record has; and, column by column, which coded values state which facts (or
add which events), each with a `reading` that says why the code means that. Every statement
is attributed to the database, under one account named for it, with the record id and the
column value as its quote (`threat_level=attack`). A value the mapping does not list leaves
the facts unknown and is counted, so the import can say what it has never seen.

This module holds the mapping's format and its reading; the rest of the import is beside it:
`rules` loads a mapping for a policy (`load_mapping`), checking every rule against the
policy's vocabulary (a problem is reported at the rule's line), `data` reads the database's
rows within bounds, `records` turns each row into a validated scenario, and `output` writes
them.

`--mapping NAME` always means the mapping shipped under that name, and anything else must look
like a path (a `/`, or a .yaml/.yml ending): a local file can never silently stand in for a
shipped mapping because it happens to have the same name.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from forcecheck.diagnostics import Diagnostic, InputError, Span, sorted_diagnostics
from forcecheck.files import read_text
from forcecheck.scenario.schema import ID_PATTERN, EventModel, PersonModel, Strict, pydantic_diagnostics
from forcecheck.scenario.yamlsource import load_yaml

MAX_MAPPING_BYTES = 1_000_000
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_ ]*)\}")
SHIPPED_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


class Rule(Strict):
    """What one coded value of a column says, and why."""

    facts: dict[str, str] = {}  # "subject.fact": value, as in a scenario
    events: list[EventModel] = []  # events the value adds
    unknown: bool = False  # the value is known to say nothing the policy reads
    reading: str = Field(min_length=1)
    # The rule holds only when another column has one of these values (`when`), or none of
    # them (`unless`): {column: [values]}
    when: dict[str, list[str]] = {}
    unless: dict[str, list[str]] = {}


class Column(Strict):
    reading: str | None = None  # what the column records, from the database's documentation
    values: dict[str, Rule]
    split: str | None = Field(None, min_length=1)  # the field holds several members: "gun;knife"
    # How members' rules combine: every member's statements (any), only what every member
    # states alike (all), or the member first in `precedence` (precedence)
    combine: Literal["any", "all", "precedence"] = "any"
    precedence: list[str] = []
    defers_to: list[str] = []  # columns whose statement wins where both state one fact


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
    mapping: str = Field(pattern=ID_PATTERN, max_length=64)  # the prefix of every file name
    title: str
    format: Literal["csv", "jsonl", "parquet"] = "csv"
    # Relational input, read through DuckDB (the `relational` extra): further files by name
    # (paths relative to the data file's folder), a query over `data` and them whose rows are
    # the records, a filter, and derived fields: SQL, declared in the mapping
    tables: dict[str, str] = {}
    source: str | None = None
    where: str | None = None
    derive: dict[str, str] = {}
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

    @property
    def relational(self) -> bool:
        """Whether the rows come through the relational engine (DuckDB)."""
        return bool(self.tables or self.source or self.where or self.derive) or self.format == "parquet"


@dataclass
class Mapping:
    model: MappingModel
    path: str
    doc: object

    def span(self, loc: tuple) -> Span:
        return self.doc.span(loc)  # type: ignore[attr-defined]


def _shipped_folders() -> list[Path]:
    from importlib.resources import files

    return [Path(str(files("forcecheck"))) / "_mappings", Path(__file__).resolve().parents[3] / "mappings"]


def shipped_mapping(name: str) -> Path | None:
    """A mapping shipped with forcecheck, by name (`wapo-2015`): in the wheel, or in a checkout."""
    if not SHIPPED_NAME.fullmatch(name):
        return None
    return next((f / f"{name}.yaml" for f in _shipped_folders() if (f / f"{name}.yaml").is_file()), None)


def shipped_names() -> list[str]:
    return sorted({p.stem for f in _shipped_folders() if f.is_dir() for p in f.glob("*.yaml")})


def looks_like_path(given: str) -> bool:
    """A path names a file the user means (`./wapo-2015`, `maps/x.yaml`, `x.yml`); anything
    else is the name of a shipped mapping, whatever the current folder holds."""
    seps = {os.sep, os.altsep or os.sep}
    return any(sep in given for sep in seps) or given.lower().endswith((".yaml", ".yml"))


def mapping_path(given: str | Path) -> Path:
    """Where `--mapping` points: the shipped mapping of that name, or the path given. A name
    that is not shipped is an error naming the shipped ones, even when a local file has it."""
    text = str(given)
    if looks_like_path(text):
        return Path(text)
    found = shipped_mapping(text)
    if found is None:
        local = f"; to use the file '{text}' here, write ./{text}" if Path(text).exists() else ""
        raise InputError([Diagnostic(None, "M001", f"no shipped mapping is called '{text}'",
                                     f"shipped: {', '.join(shipped_names()) or 'none'}; a mapping file is "
                                     f"given as a path (with a '/', or ending in .yaml){local}")])
    return found


def read_mapping(given: str | Path) -> Mapping:
    """Read a mapping file (or a shipped one, by name) and check its shape; its rules are
    checked against a policy by `rules.load_mapping`, the import's front door."""
    path = mapping_path(given)
    text = read_text(path, MAX_MAPPING_BYTES, "M001", "mapping file")
    doc = load_yaml(path, text)
    if not isinstance(doc.data, dict):
        raise InputError([*doc.problems, Diagnostic(doc.span(()), "M001", "a mapping file must be a "
                                                    "mapping of keys (mapping, database, columns, ...)",
                                                    "start from mappings/wapo-2015.yaml")])
    try:
        model = MappingModel.model_validate(doc.data)
    except ValidationError as exc:
        found = pydantic_diagnostics(exc, doc, MappingModel, ("M002", "M003", "M004"), "the mapping")
        raise InputError(sorted_diagnostics([*doc.problems, *map(_unknown_key_hint, found)])) from None
    return Mapping(model, str(path), doc)


def _model_at(path: list[str]) -> type | None:
    """The model of the mapping at a dotted path (through dicts and lists of models)."""
    from typing import get_args, get_origin

    model: object = MappingModel
    for part in path:
        if isinstance(model, type) and issubclass(model, Strict) and part in model.model_fields:
            model = model.model_fields[part].annotation
        elif get_origin(model) in (dict, list):
            model = get_args(model)[-1]
        else:
            return None
    while get_origin(model) in (dict, list):
        model = get_args(model)[-1]
    return model if isinstance(model, type) and issubclass(model, Strict) else None


def _unknown_key_hint(d: Diagnostic) -> Diagnostic:
    """An unknown key's hint, where the generic one could not say which keys are allowed: the keys
    of the model there, and, for a key that looks like prose, the comma that made it one."""
    m = re.fullmatch(r"unknown key '(.*)' in (.*)", d.message, re.S)
    if d.code != "M002" or m is None or (d.hint or "").strip() != "allowed:":
        return d
    key, where = m.groups()
    model = _model_at(where.split("."))
    hint = f"allowed: {', '.join(model.model_fields)}" if model else ""
    if " " in key.strip() or key.endswith((".", ",")):
        hint = ("a comma inside unquoted text in { } ends the value there: quote the text "
                "(reading: \"A gun, a firearm.\")" + (f"; {hint}" if hint else ""))
    return Diagnostic(d.span, d.code, d.message, hint or None, d.severity)


def placeholders(model: MappingModel) -> set[str]:
    """Every column the mapping's templates, id and date read."""
    found = set(PLACEHOLDER.findall(model.title_template)) | set(PLACEHOLDER.findall(model.summary))
    found |= set(PLACEHOLDER.findall(model.place or ""))
    return found | {model.id} | ({model.date} if model.date else set())


def conditions(model: MappingModel) -> set[str]:
    """The columns the rules' `when` and `unless` read."""
    return {c for spec in model.columns.values() for rule in spec.values.values()
            for c in (*rule.when, *rule.unless)}


def readings(mapping: Mapping) -> list[tuple[str, str, str]]:
    """(column, code, reading) for every code the mapping reads, as the corpus report shows them."""
    return [(col, value or "(empty)", " ".join(rule.reading.split()))
            for col, spec in mapping.model.columns.items() for value, rule in spec.values.items()]

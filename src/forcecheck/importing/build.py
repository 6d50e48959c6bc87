"""One record's scenario, as data, and its names and text.

Kept apart from reading and writing so that the mapping's rule check (`rules`) and the import
(`records`) build scenarios the same way. A record's name (its file name and scenario id) is
made from its id so that two different ids can never share one: an id that is already a
lower-case slug keeps it, and any other id gets its slug followed by `--` and a hash of the
id itself, a form no kept id has (a kept id never holds `--`). So `A` and `a`, or `x y` and
`x/y`, give different files, on every file system, whatever order the records come in.
"""

from __future__ import annotations

import hashlib
import json
import re

import yaml

from forcecheck.importing.mapping import PLACEHOLDER, MappingModel, Rule
from forcecheck.importing.match import Conflict, resolve
from forcecheck.scenario.yamlsource import YAML_UNSAFE

SLUG_KEPT = 40  # characters of a changed id's slug kept before its hash
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: 20x faster


def record_name(record_id: str) -> str:
    """The part of a record's file name and scenario id that comes from its id: injective."""
    slug = re.sub(r"[^a-z0-9-]+", "-", record_id.lower()).strip("-")
    if slug == record_id and "--" not in slug:
        return slug
    digest = hashlib.sha256(record_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{slug[:SLUG_KEPT].rstrip('-') or 'x'}--{digest}"


def fill(template: str, row: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m_: (row.get(m_.group(1)) or "unknown").strip() or "unknown", template)


def words(text: str) -> str:
    """Folded YAML text as one line: the same words, single spaces, no trailing newline."""
    return " ".join(text.split())


def attribution(model: MappingModel) -> dict[str, str]:
    """The database's title, publisher, address and licence, as every record carries them."""
    return model.database.model_dump(exclude_none=True, exclude={"id"})


def scenario_data(model: MappingModel, record_id: str, row: dict[str, str],
                  matched: list[tuple[tuple[str, str], Rule]], always: list[Rule] | None = None,
                  date: str | None = None, conflicts: list[Conflict] | None = None,
                  codes: list[str] | None = None) -> dict:
    """The scenario (as data) for one record: the mapping's people and events, the facts of
    every rule that matched, each attributed to the database with the record and the code.
    `date` is the record's date once checked (None leaves it out). A fact two codes state
    differently is left unknown and added to `conflicts` (see `match.resolve`). `codes` are
    the record's codes in the mapping's columns (by default, those of the rules matched)."""
    source = model.database.id
    facts: dict[str, dict] = {}
    events = [e.model_dump(exclude_none=True, exclude_defaults=True) for e in model.events]
    for rule in model.always if always is None else always:
        for key, value in rule.facts.items():
            facts[key] = {"value": value, "source": source,
                          "quote": f"record {record_id}: every record of the database",
                          "note": words(rule.reading)}
    stated, found = resolve(model, matched)
    for key, st in stated.items():
        facts[key] = {"value": st.value, "source": source,
                      "quote": f"record {record_id}: {st.column}={st.code}", "note": words(st.reading)}
    if conflicts is not None:
        conflicts += found
    seen_events: set[str] = {e["id"] for e in events}
    for _, rule in matched:
        for e in rule.events:
            if e.id not in seen_events:  # two members adding one event add it once
                seen_events.add(e.id)
                events.append(e.model_dump(exclude_none=True, exclude_defaults=True))
    data: dict = {
        "id": f"{model.mapping}-{record_name(record_id)}",
        "title": fill(model.title_template, row),
        "kind": "real",
    }
    if date:
        data["date"] = date
    if model.place:
        data["place"] = fill(model.place, row)
    data["summary"] = words(fill(model.summary, row))
    data["sources"] = [model.database.model_dump(exclude_none=True, exclude={"licence"})]
    data["people"] = [p.model_dump(exclude_none=True, exclude_defaults=True) for p in model.people]
    data["events"] = events
    account = {"id": model.account.id, "name": model.account.name, "sources": [source]}
    if model.account.summary:
        account["summary"] = words(model.account.summary)
    account["facts"] = facts
    data["accounts"] = [account]
    data["record"] = {"database": model.database.id, "id": record_id, "mapping": model.mapping,
                      "fields": {f: (date if f == model.date else row.get(f)) or None for f in model.fields},
                      "attribution": attribution(model),
                      "codes": sorted(set(codes) if codes is not None else
                                      {f"{column}={code}" for (column, code), _ in matched})}
    return data


def as_yaml(data: dict) -> str:
    """A scenario file's text."""
    return ("# Generated by `forcecheck import`: edit the mapping, not this file.\n" +
            yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100))


def as_json(data: dict) -> str:
    """A scenario as one JSON line (no newline), straight from the data: what `check` reads
    from a .jsonl file. Characters JSON leaves raw that the YAML loader (which places a line's
    problems) refuses or reads as a line break are written as \\u escapes, so it reads the line
    as JSON does."""
    line = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return YAML_UNSAFE.sub(lambda m_: f"\\u{ord(m_.group()):04x}", line)

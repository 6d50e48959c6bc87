"""The JSON report: the report model as it is, a public contract versioned by `format`
(docs/json-format.md), with its JSON Schema generated from the same classes.

Keys come in the models' field order and lists in policy, scenario and timeline order, so the
same input gives the same bytes.
"""

from __future__ import annotations

import json

from forcecheck.report.model import QuestionsReport, Report


def render_json(report: Report, indent: int | None = 2) -> str:
    """The report model as JSON: indented for people, or one compact line (`indent=None`, what
    `check` writes to a pipe: a large scenario's traces are a fifth of the size)."""
    return report.model_dump_json(indent=indent, by_alias=True) + "\n"


def render_questions_json(report: QuestionsReport, indent: int | None = 2) -> str:
    return report.model_dump_json(indent=indent, by_alias=True) + "\n"


SCHEMA_BASE = "https://forcecheck.invalid/schema"


SCHEMAS = ("check", "questions", "compare", "corpus", "record", "casebook")


def _model(kind: str):
    """The pydantic model (or union) whose schema is the contract of one JSON output."""

    from forcecheck.report import documents as d

    return {"check": Report, "questions": QuestionsReport, "compare": d.Comparison,
            "corpus": d.CorpusReport, "record": d.Record | d.ErrorRecord, "casebook": d.Casebook}[kind]


def schema(kind: str = "check") -> str:
    """The JSON Schema of one JSON output: `check` (`--format json`), `questions`
    (`--questions --format json`), `compare` (several `--policy`), `corpus` (`corpus --format
    json`) or `record` (one line of a batch's JSON Lines: a record or an error record)."""
    from pydantic import TypeAdapter

    model = _model(kind)
    generated = (model.model_json_schema(by_alias=True, mode="serialization") if isinstance(model, type)
                 else TypeAdapter(model).json_schema(by_alias=True, mode="serialization"))
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema",
           "$id": f"{SCHEMA_BASE}/{kind}-output.schema.json", **generated}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: str = "docs") -> None:
    """Regenerate the shipped schemas: `python -m forcecheck.report.json`."""
    from pathlib import Path

    for kind in SCHEMAS:
        Path(folder, f"{kind}-output.schema.json").write_text(schema(kind), encoding="utf-8")


if __name__ == "__main__":
    write_schemas()

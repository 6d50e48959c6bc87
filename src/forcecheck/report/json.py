"""The JSON report: the report model as it is, a public contract versioned by `format`
(docs/json-format.md), with its JSON Schema generated from the same classes.

Keys come in the models' field order and lists in policy, scenario and timeline order, so the
same input gives the same bytes.
"""

from __future__ import annotations

import json

from forcecheck.report.model import QuestionsReport, Report


def render_json(report: Report) -> str:
    return report.model_dump_json(indent=2, by_alias=True) + "\n"


def render_questions_json(report: QuestionsReport) -> str:
    return report.model_dump_json(indent=2, by_alias=True) + "\n"


SCHEMA_BASE = "https://forcecheck.invalid/schema"


def schema(kind: str = "check") -> str:
    """The JSON Schema of `--format json` ("check") or of `--questions --format json`."""
    model = Report if kind == "check" else QuestionsReport
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema",
           "$id": f"{SCHEMA_BASE}/{kind}-output.schema.json",
           **model.model_json_schema(by_alias=True, mode="serialization")}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: str = "docs") -> None:
    """Regenerate the shipped schemas: `python -m forcecheck.report.json`."""
    from pathlib import Path

    for kind in ("check", "questions"):
        Path(folder, f"{kind}-output.schema.json").write_text(schema(kind), encoding="utf-8")


if __name__ == "__main__":
    write_schemas()

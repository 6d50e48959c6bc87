"""The JSON output is a public contract: it matches the JSON Schemas in docs/, which are
generated from the report model that produces the output (one source of truth)."""

import json

import pytest
from jsonschema import Draft202012Validator

from forcecheck.report.json import SCHEMAS, schema

from conftest import ROOT, SCENARIOS

CHECK = json.loads((ROOT / "docs" / "check-output.schema.json").read_text())
QUESTIONS = json.loads((ROOT / "docs" / "questions-output.schema.json").read_text())
COMPARE, CORPUS, RECORD = (json.loads((ROOT / "docs" / f"{kind}-output.schema.json").read_text())
                           for kind in ("compare", "corpus", "record"))
ALL = sorted(SCENARIOS.rglob("*.yaml"))


def problems(doc, against=CHECK) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in Draft202012Validator(against).iter_errors(doc)]


def test_the_shipped_schemas_are_generated_from_the_models():
    for kind in SCHEMAS:
        name = f"{kind}-output.schema.json"
        shipped = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert shipped == schema(kind), f"docs/{name} is stale: run `python -m forcecheck.report.json`"
        Draft202012Validator.check_schema(json.loads(shipped))


@pytest.mark.slow  # a sweep of the whole corpus
@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_output_matches_the_schema(cli, path):
    doc = json.loads(cli("check", str(path), "--format", "json").out)
    assert problems(doc) == []
    questions = json.loads(cli("check", str(path), "--format", "json", "--questions").out)
    assert problems(questions, QUESTIONS) == []


def test_the_schema_notices_a_wrong_value_and_allows_an_added_field(cli):
    doc = json.loads(cli("check", str(ALL[0]), "--format", "json").out)
    doc["scenarios"][0]["clauses"][0]["surprise"] = 1  # a later version may add fields
    assert problems(doc) == []
    doc["format"] = "forcecheck.check/1"
    doc["scenarios"][0]["table"][0]["cells"][0]["verdict"] = "maybe"
    found = " ".join(problems(doc))
    assert "format: 'forcecheck.check/3' was expected" in found and "'maybe' is not one of" in found


def test_hypothetical_output_matches_the_schema(cli):
    path = str(SCENARIOS / "real" / "northridge-2025-12-31.yaml")
    doc = json.loads(cli("check", path, "--format", "json", "--base", "family",
                         "--assume", "reaches_off_duty_officers=yes").out)
    assert doc["scenarios"][0]["hypothetical"]["assumptions"]
    assert problems(doc) == []


@pytest.mark.parametrize("path", sorted((SCENARIOS / "real").glob("*.yaml")), ids=lambda p: p.stem)
def test_side_by_side_output_matches_its_schema(cli, path):
    doc = json.loads(cli("check", str(path), "-p", "dhs", "-p", "doj", "-p", "cfr-287-8", "-f", "json").out)
    assert doc["format"] == "forcecheck.compare/1" and problems(doc, COMPARE) == []
    doc["concepts"][0]["cells"][0]["verdict"] = "maybe"
    assert problems(doc, COMPARE) != []


def test_batch_records_and_the_corpus_match_their_schemas(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: [\n", encoding="utf-8")
    out = cli("check", str(SCENARIOS / "teaching"), str(bad), "--format", "json").out
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) > 20 and "errors" in lines[-1]
    assert [p for rec in lines for p in problems(rec, RECORD)] == []
    records = tmp_path / "records.jsonl"
    records.write_text(out, encoding="utf-8")
    corpus = json.loads(cli("corpus", str(records), "--format", "json").out)
    assert corpus["format"] == "forcecheck.corpus/1" and corpus["errors"] == 1
    assert problems(corpus, CORPUS) == []
    del lines[0]["verdicts"]
    assert problems(lines[0], RECORD) != []

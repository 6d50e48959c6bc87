"""The JSON output is a public contract: it must match docs/check-output.schema.json.

A small validator for the parts of JSON Schema the document uses (type, const, enum,
required, properties, additionalProperties, items, $ref, oneOf) keeps the dependency list short.
"""

import json

import pytest

from conftest import ROOT, SCENARIOS

SCHEMA = json.loads((ROOT / "docs" / "check-output.schema.json").read_text())
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _is(value, name):
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def problems(value, schema, path="$"):
    if "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].split("/")[-1]]
    if "oneOf" in schema:
        if sum(not problems(value, s, path) for s in schema["oneOf"]) != 1:
            return [f"{path}: matches not exactly one of oneOf"]
        return []
    out = []
    types = schema.get("type")
    if types and not any(_is(value, t) for t in ([types] if isinstance(types, str) else types)):
        return [f"{path}: {value!r} is not {types}"]
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        out += [f"{path}: missing {k}" for k in schema.get("required", []) if k not in value]
        extra = schema.get("additionalProperties", True)
        for k, v in value.items():
            if k in props:
                out += problems(v, props[k], f"{path}.{k}")
            elif extra is False:
                out.append(f"{path}: unexpected key {k}")
            elif isinstance(extra, dict):
                out += problems(v, extra, f"{path}.{k}")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            out += problems(v, schema["items"], f"{path}[{i}]")
    return out


ALL = sorted(SCENARIOS.rglob("*.yaml"))


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_output_matches_the_documented_schema(cli, path):
    doc = json.loads(cli("check", str(path), "--format", "json").out)
    assert problems(doc, SCHEMA) == []


def test_the_validator_notices_a_stray_key(cli):
    doc = json.loads(cli("check", str(ALL[0]), "--format", "json").out)
    doc["scenarios"][0]["clauses"][0]["surprise"] = 1
    doc["format"] = "forcecheck.check/1"
    found = problems(doc, SCHEMA)
    assert any("unexpected key surprise" in p for p in found)
    assert any("forcecheck.check/1" in p for p in found)


def test_hypothetical_output_matches_the_schema(cli):
    path = str(SCENARIOS / "real" / "northridge-2025-12-31.yaml")
    doc = json.loads(cli("check", path, "--format", "json", "--base", "family",
                         "--assume", "reaches_off_duty_officers=yes").out)
    assert doc["scenarios"][0]["hypothetical"]["assumptions"]
    assert problems(doc, SCHEMA) == []

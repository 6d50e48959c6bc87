"""The editor schema of scenario files: generated from the pydantic models and the policy's
vocabulary, shipped in docs/, named by every shipped scenario's first line, and true of them."""

import json

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from forcecheck.scenario.editor_schema import scenario_schema
from forcecheck.scenario.yamlsource import load_yaml

from conftest import ROOT, SCENARIOS

SHIPPED = ROOT / "docs" / "scenario.schema.json"
ALL = sorted(SCENARIOS.rglob("*.yaml"))
HEADER = "# yaml-language-server: $schema=../../docs/scenario.schema.json"


def test_the_shipped_schema_is_the_generated_one(cli):
    run = cli("schema")
    assert run.code == 0
    assert run.out == SHIPPED.read_text(encoding="utf-8"), "docs/scenario.schema.json is stale: " \
        "run `forcecheck schema > docs/scenario.schema.json`"
    Draft202012Validator.check_schema(json.loads(run.out))


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_every_shipped_scenario_names_the_schema_and_meets_it(path):
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER
    validator = Draft202012Validator(json.loads(SHIPPED.read_text(encoding="utf-8")))
    # As forcecheck reads it (every scalar text) and as an editor does (YAML 1.2 types).
    for data in (load_yaml(path, text).data, YAML(typ="safe").load(text)):
        assert [e.message for e in validator.iter_errors(data)] == []


def test_the_schema_catches_what_the_vocabulary_does_not_have(policy):
    validator = Draft202012Validator(scenario_schema(policy))
    data = YAML(typ="safe").load((SCENARIOS / "teaching" / "aim-only.yaml").read_text(encoding="utf-8"))
    data["people"][0]["role"] = "civilian"
    data["events"][0]["action"] = "taser"
    data["accounts"][0]["facts"] = {"shots.subject_armed": "yes", "shots.force_reasonable": "perhaps"}
    found = " | ".join(e.message for e in validator.iter_errors(data))
    assert "'civilian' is not one of" in found and "'taser' is not one of" in found
    assert "shots.subject_armed" in found and "'perhaps'" in found


def test_facts_carry_their_question(policy):
    schema = scenario_schema(policy)
    patterns = schema["$defs"]["AccountModel"]["properties"]["facts"]["patternProperties"]
    entry = next(v for k, v in patterns.items() if k.endswith(r"\.threat_of_death_or_serious_injury$"))
    assert entry["description"].startswith("When this force was used, did the person it was used against")

"""The JSON Schema of scenario files for an editor: the pydantic models' shape, with the
policy's vocabulary filled in. Only `forcecheck schema` asks for it; loading a scenario never does.
"""

from __future__ import annotations

import re

from forcecheck.policy import model as m
from forcecheck.scenario.aliases import RENAMED
from forcecheck.scenario.schema import ScenarioModel
from forcecheck.scenario.vocabulary import DECIMAL

SCHEMA_ID = "https://forcecheck.invalid/schema/scenario.schema.json"
_YES_NO = ["yes", "no", True, False]


def scenario_schema(policy: m.Policy) -> dict:
    """The JSON Schema of scenario files under `policy`, for an editor (yaml-language-server):
    the pydantic models' shape, with the policy's roles and actions as enums and each fact
    key's plain-language question as its description. A fact is written SUBJECT.FACT, so the
    schema names the fact and leaves the subject (a person's or event's id, or `incident`) free.
    Scalars are accepted as YAML 1.2 reads them (an editor) and as forcecheck reads them (text)."""
    schema = ScenarioModel.model_json_schema()
    defs = schema["$defs"]
    defs["PersonModel"]["properties"]["role"] = {
        "enum": sorted(policy.roles), "description": "The person's role: " + "; ".join(
            f"{k}: {v}" for k, v in sorted(policy.roles.items()))}
    defs["EventModel"]["properties"]["action"] = {
        "enum": sorted(policy.actions), "description": "What the actor did: " + "; ".join(
            f"{k}: {v}" for k, v in sorted(policy.actions.items()))}
    defs["StatementModel"]["properties"]["inferred"] = {
        "enum": _YES_NO, "default": "no",
        "description": "yes when the source does not say this in words and it follows from what the "
                       "account says (the note says how)"}
    by_name: dict[str, list[m.FactSpec]] = {}
    for spec in policy.facts.values():
        by_name.setdefault(spec.name, []).append(spec)
    patterns = {}
    for name, specs in sorted(by_name.items()):
        value = _value_schema(specs)
        subjects = sorted({s.subject for s in specs})
        patterns[rf"^[a-z0-9][a-z0-9_-]*\.{re.escape(name)}$"] = {
            "description": " / ".join(dict.fromkeys(s.question for s in specs))
                           + f" (about: {', '.join(subjects)})",
            "anyOf": [value, {"type": "null"},
                      {"allOf": [{"$ref": "#/$defs/StatementModel"},
                                 {"properties": {"value": {"anyOf": [value, {"type": "null"}]}}}]}]}
    # Old names of renamed facts still load (W012): an editor accepts them, marked deprecated.
    old_names = {r.old: r for r in RENAMED.values() if r.alias and r.new in by_name}
    for old, r in sorted(old_names.items()):
        patterns[rf"^[a-z0-9][a-z0-9_-]*\.{re.escape(old)}$"] = {
            **patterns[rf"^[a-z0-9][a-z0-9_-]*\.{re.escape(r.new)}$"], "deprecated": True,
            "description": f"Old name of {r.new} (renamed {r.since}); `forcecheck fmt --fix` writes "
                           f"the new name."}
    names = "|".join(re.escape(n) for n in sorted([*by_name, *old_names]))
    facts = {"type": "object", "default": {}, "patternProperties": patterns,
             "propertyNames": {"pattern": rf"^[a-z0-9][a-z0-9_-]*\.({names})$"},
             "additionalProperties": False,
             "description": "Facts as SUBJECT.FACT: value, or {value, source, quote, note, inferred}."}
    defs["UndisputedModel"]["properties"]["facts"] = facts
    defs["AccountModel"]["properties"]["facts"] = facts
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": f"forcecheck scenario ({policy.id})", **schema}


def _value_schema(specs: list[m.FactSpec]) -> dict:
    spec = specs[0]
    if spec.kind == "yes_no":
        return {"enum": _YES_NO}
    if spec.kind == "number":
        return {"anyOf": [{"type": "number"}, {"type": "string", "pattern": DECIMAL.pattern}]}
    if spec.kind == "one_of":
        return {"enum": list(spec.values)}
    return {"type": "string"}

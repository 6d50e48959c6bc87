"""Scenario files: shape checked by pydantic, meaning checked against the policy's vocabulary.

Two passes, both reporting at file:line:col. Pydantic checks the shape (keys, lists, required
fields; `schema`). Then the vocabulary decides the rest (`vocabulary`), so nothing is declared
twice. A fact no one states is simply absent: unknown, never false.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from forcecheck.diagnostics import Diagnostic, InputError, sorted_diagnostics
from forcecheck.files import read_text
from forcecheck.policy import model as m
from forcecheck.policy.compiler import CompiledPolicy, compile_policy
from forcecheck.scenario.scenario import Scenario
from forcecheck.scenario.schema import ScenarioModel, pydantic_diagnostics
from forcecheck.scenario.vocabulary import Vocabulary
from forcecheck.scenario.yamlsource import MAX_BYTES, load_json, load_yaml

_COMPILED: dict[int, tuple[m.Policy, CompiledPolicy]] = {}


def _compiled(policy: m.Policy | CompiledPolicy) -> CompiledPolicy:
    if isinstance(policy, CompiledPolicy):
        return policy
    hit = _COMPILED.get(id(policy))
    if hit is None or hit[0] is not policy:
        hit = _COMPILED[id(policy)] = (policy, compile_policy(policy))
    return hit[1]


compiled_policy = _compiled  # a policy's compiled form, compiled once per policy object


def load_scenario(path: str | Path, policy: m.Policy | CompiledPolicy, text: str | None = None) -> Scenario:
    """Read, shape-check and vocabulary-check one scenario file (or `text`, read already from
    somewhere `path` names, such as standard input), and check that each account (with the
    undisputed facts) respects the policy's constraints."""
    compiled = _compiled(policy)
    policy = compiled.policy
    p = Path("<stdin>") if str(path) == "-" else Path(path)
    if text is None:
        text = read_text(p, MAX_BYTES, "S000", "scenario file")
    doc = load_json(p, text) or load_yaml(p, text)
    if not isinstance(doc.data, dict):
        raise InputError([*doc.problems, Diagnostic(doc.span(()), "S001", "a scenario file must be "
                                                    "a mapping of keys (id, title, people, ...)",
                                                    "start from `forcecheck new` or a file in "
                                                    "scenarios/teaching")])
    try:
        model = ScenarioModel.model_validate(doc.data)
    except ValidationError as exc:
        shape = [*doc.problems, *pydantic_diagnostics(exc, doc)]
        # Unknown keys alone do not stop the vocabulary pass: report its errors too.
        if any(e["type"] != "extra_forbidden" for e in exc.errors()):
            raise InputError(sorted_diagnostics(shape)) from None
        try:
            Vocabulary(doc, ScenarioModel.model_validate(_without(doc.data, exc)), compiled).run()
        except InputError as more:
            shape = [*shape, *more.diagnostics]
        raise InputError(sorted_diagnostics(shape)) from None
    try:
        scenario = Vocabulary(doc, model, compiled).run()
    except InputError as more:
        raise InputError(sorted_diagnostics([*doc.problems, *more.diagnostics])) from None
    if doc.problems:
        raise InputError(sorted_diagnostics(doc.problems))
    return scenario


def _without(data: dict, exc: ValidationError) -> dict:
    """A copy of `data` without the unknown keys pydantic reported."""
    import copy

    clean = copy.deepcopy(data)
    for err in exc.errors():
        *parents, key = err["loc"]
        node = clean
        for part in parents:
            node = node[part]
        node.pop(key, None)
    return clean

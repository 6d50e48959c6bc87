"""Mangled input never produces a traceback: every variant either loads or is refused with
located diagnostics. Deterministic mutations (a fixed seed), so failures reproduce."""

import random

import pytest

from forcecheck.diagnostics import InputError
from forcecheck.policy.checker import check_policy
from forcecheck.policy.parser import parse_policy_text
from forcecheck.scenario.load import load_scenario

from conftest import POLICY_DIR, SCENARIOS

# The DHS policy with its shared vocabulary inlined: one file, valid alone, to mutate.
USES = 'uses "../vocabulary/incident.rules"'
POLICY_TEXT = (POLICY_DIR.parent / "vocabulary" / "incident.rules").read_text(encoding="utf-8") + (
    POLICY_DIR / "policy.rules").read_text(encoding="utf-8").replace(USES, "")
SCENARIO_TEXT = (SCENARIOS / "real" / "minneapolis-2026-01-07.yaml").read_text(encoding="utf-8")
PIECES = ["{", "}", "(", ")", '"', ":", ",", ".", " and ", " not ", "==", "- ", "\n", "\t", "#",
          "&a ", "*a", "yes", "[", "]", "'", "\x00", "é", "  "]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(text))
        op = rng.random()
        if op < 0.4:
            text = text[:i] + text[i + rng.randint(1, 40):]
        elif op < 0.8:
            text = text[:i] + rng.choice(PIECES) + text[i:]
        else:
            j = rng.randrange(len(text))
            text = text[:i] + text[j:j + rng.randint(1, 30)] + text[i:]
    return text


@pytest.mark.parametrize("seed", range(150))
def test_mangled_policies_are_refused_cleanly(seed):
    text = mutate(POLICY_TEXT, random.Random(seed))
    try:
        check_policy(parse_policy_text(text, "policy.rules"))
    except InputError as exc:
        assert exc.diagnostics and all(d.message for d in exc.diagnostics)


@pytest.mark.parametrize("seed", range(150))
def test_mangled_scenarios_are_refused_cleanly(seed, tmp_path, policy):
    f = tmp_path / "s.yaml"
    f.write_text(mutate(SCENARIO_TEXT, random.Random(seed)), encoding="utf-8")
    try:
        load_scenario(f, policy)
    except InputError as exc:
        assert exc.diagnostics and all(d.message for d in exc.diagnostics)


def test_deep_nesting_is_refused(tmp_path, policy):
    f = tmp_path / "deep.yaml"
    f.write_text("a: " + "[" * 200 + "]" * 200 + "\n")
    with pytest.raises(InputError) as info:
        load_scenario(f, policy)
    assert info.value.diagnostics[0].code == "Y004"


def test_deeply_nested_rule_expression_is_refused():
    expr = "(" * 3000 + "yes" + ")" * 3000
    text = 'policy p { title "t" document "d" version "1" }\n' \
           f"clause c {{ applies to each event e requires {expr} }}\n"
    with pytest.raises(InputError):
        check_policy(parse_policy_text(text, "p.rules"))


def test_absurdly_nested_negation_is_refused_at_its_place():
    text = ('policy p { title "t" document "d" version "1" }\n'
            'document D { title "s" text "s.md" }\n'
            'clause c { title "t" strength must quote D transcription "x"\n'
            '  applies to each event e requires ' + "not " * 5000 + "yes }\n")
    with pytest.raises(InputError) as info:
        parse_policy_text(text, "p.rules")
    (d,) = info.value.diagnostics
    assert d.code == "P002" and d.span.line == 4

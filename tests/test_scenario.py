"""Scenario validation: shape, vocabulary and YAML hazards, each at its line and column."""

from pathlib import Path

import pytest

from forcecheck.diagnostics import InputError
from forcecheck.scenario.load import load_scenario

GOOD = """\
id: t
title: A test
kind: teaching
summary: A test scenario.
people:
  - id: officer
    role: officer
    description: an officer
  - id: man
    role: subject
    description: a man
events:
  - id: shots
    actor: officer
    action: fire_firearm
    target: man
    description: shots
undisputed:
  facts:
    officer.on_duty: yes
accounts:
  - id: one
    name: One
    facts:
      shots.subject_fleeing: no
"""


def load(tmp_path: Path, text: str, policy, raw: bytes | None = None):
    f = tmp_path / "s.yaml"
    if raw is not None:
        f.write_bytes(raw)
    else:
        f.write_text(text, encoding="utf-8")
    return load_scenario(f, policy)


def diagnostics(tmp_path, text, policy, raw=None):
    with pytest.raises(InputError) as info:
        load(tmp_path, text, policy, raw)
    return info.value.diagnostics


def at(d):
    return (d.code, d.span.line, d.span.column)


def test_a_good_scenario_loads(tmp_path, policy):
    sc = load(tmp_path, GOOD, policy)
    assert sc.undisputed[("officer", "on_duty")].value is True
    assert sc.accounts[0].statements[("shots", "subject_fleeing")].value is False


def test_unknown_key_with_suggestion(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("    target: man", "    targt: man"), policy)
    assert at(d) == ("S002", 16, 5) and d.hint == "did you mean 'target'?"


def test_missing_required_key(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("summary: A test scenario.\n", ""), policy)
    assert d.code == "S003" and "'summary' is missing" in d.message


def test_unknown_fact_with_suggestion(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("shots.subject_fleeing", "shots.subject_fleing"), policy)
    assert at(d) == ("S015", 25, 7) and d.hint == "did you mean 'subject_fleeing'?"


def test_fact_about_the_wrong_kind_of_thing(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("shots.subject_fleeing", "man.subject_fleeing"), policy)
    assert d.code == "S015" and "is a fact about an event" in d.hint


def test_wrong_type(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("subject_fleeing: no", "subject_fleeing: 3"), policy)
    assert at(d) == ("S017", 25, 30) and "yes/no" in d.message


def test_dangling_actor(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("    actor: officer", "    actor: oficer"), policy)
    assert at(d) == ("S012", 14, 12) and d.hint == "did you mean 'officer'?"


def test_unknown_action(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("fire_firearm", "fire_gun"), policy)
    assert d.code == "S011" and d.hint == "did you mean 'fire_firearm' (fired a firearm)?"


def test_did_you_mean_goes_by_meaning_not_spelling_alone(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("fire_firearm", "taser"), policy)
    assert d.hint.startswith("did you mean 'less_lethal_weapon' (used a less-lethal weapon (baton, electric")
    (d,) = diagnostics(tmp_path, GOOD + "      shots.subject_armed: yes\n", policy)
    assert d.code == "S015" and not d.hint.startswith("did you mean")  # looks alike, means otherwise
    assert d.hint.startswith("facts about event 'shots': ") and "in all)" not in d.hint  # every one


def test_account_contradicting_an_undisputed_fact(tmp_path, policy):
    text = GOOD + "      officer.on_duty: no\n"
    (d,) = diagnostics(tmp_path, text, policy)
    assert at(d) == ("S020", 26, 7) and "contradicts an undisputed fact" in d.message


def test_account_may_repeat_an_undisputed_fact(tmp_path, policy):
    load(tmp_path, GOOD + "      officer.on_duty: yes\n", policy)


def test_duplicate_key(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("title: A test\n", "title: A test\ntitle: Again\n"), policy)
    assert at(d) == ("Y005", 3, 1) and "first at line 2" in d.message


def test_aliases_are_refused(tmp_path, policy):
    text = GOOD.replace("    description: an officer", "    description: &d an officer")
    (d,) = diagnostics(tmp_path, text, policy)
    assert d.code == "Y002" and d.span.line == 8


def test_no_and_yes_stay_words_where_text_is_expected(tmp_path, policy):
    sc = load(tmp_path, GOOD.replace("title: A test", "title: no"), policy)
    assert sc.model.title == "no"


def test_non_utf8_file(tmp_path, policy):
    raw = GOOD.replace("A test scenario.", "caf\xe9").encode("latin-1")
    (d,) = diagnostics(tmp_path, "", policy, raw)
    assert at(d) == ("S000", 4, 13) and "UTF-8" in d.message


def test_invalid_yaml_points_at_the_problem(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("title: A test", "title: [unclosed"), policy)
    assert d.code == "Y001" and d.span.line >= 2


def test_tabs_get_a_hint(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("    role: officer", "\trole: officer"), policy)
    assert d.code == "Y001"


def test_missing_file(tmp_path, policy):
    with pytest.raises(InputError) as info:
        load_scenario(tmp_path / "nope.yaml", policy)
    assert "does not exist" in info.value.diagnostics[0].message


def test_empty_value_is_an_error_not_unknown(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("subject_fleeing: no", "subject_fleeing:"), policy)
    assert d.code == "S016" and "leave a fact out" in d.hint


def test_real_scenarios_must_attribute_every_statement(tmp_path, policy):
    found = diagnostics(tmp_path, GOOD.replace("kind: teaching", "kind: real"), policy)
    assert [d.code for d in found] == ["S021", "S021"]
    d = found[0]
    assert d.span.line == 20  # the first unattributed statement, in 'undisputed'


def test_expectations_are_checked_against_the_policy(tmp_path, policy):
    text = GOOD + "expect:\n  one:\n    fleeing-subjct: met\n"
    (d,) = diagnostics(tmp_path, text, policy)
    assert d.code == "S029" and d.hint == "did you mean 'fleeing-subject'?"


def test_event_only_in_some_accounts(tmp_path, policy):
    text = GOOD.replace("    description: shots\n", "    description: shots\n    accounts: [one]\n")
    text += "  - id: two\n    name: Two\n"
    sc = load(tmp_path, text, policy)
    assert "shots" in sc.world(sc.accounts[0]).events
    assert "shots" not in sc.world(sc.accounts[1]).events


def test_unclosed_quote_points_where_it_opened(tmp_path, policy):
    (d,) = diagnostics(tmp_path, GOOD.replace("title: A test", 'title: "A test'), policy)
    assert at(d) == ("Y001", 2, 8) and "left open" in d.hint


def test_a_duplicate_key_does_not_hide_the_other_problems(tmp_path, policy):
    text = GOOD.replace("title: A test\n", "title: A test\ntitle: Again\n")
    text = text.replace("role: subject", "role: suspekt")
    found = {d.code for d in diagnostics_all(tmp_path, text, policy)}
    assert {"Y005", "S011"} <= found


def diagnostics_all(tmp_path, text, policy):
    f = tmp_path / "s.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(f, policy)
    return info.value.diagnostics

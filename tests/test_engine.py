"""Exact verdicts over every completion of the unknown facts, and constraints between facts."""

import pytest

from forcecheck.diagnostics import InputError
from forcecheck.evaluation.evaluate import evaluate
from forcecheck.scenario.hypothesis import parse_hypothesis
from forcecheck.scenario.load import load_scenario

from conftest import SCENARIOS
from test_scenario import GOOD

PORTER = str(SCENARIOS / "real" / "northridge-2025-12-31.yaml")
MPLS = str(SCENARIOS / "real" / "minneapolis-2026-01-07.yaml")

# The test scenario's header and people (an officer and a man), with events of each test's own.
HEAD = GOOD[:GOOD.index("events:")]


def scenario(tmp_path, events: str, facts: str, accounts: str = "  - id: one\n    name: One\n"):
    f = tmp_path / "s.yaml"
    f.write_text(HEAD + "events:\n" + events + "undisputed:\n  facts:\n" + facts + "accounts:\n" + accounts)
    return f


BATON = """  - id: stabs
    actor: man
    action: physical_force
    target: officer
    description: He stabs at the officer with a knife.
  - id: baton
    actor: officer
    action: less_lethal_weapon
    target: man
    description: The officer strikes him with a baton.
"""


def test_the_baton_case_is_met_whichever_way_lethality_goes(tmp_path, compiled):
    # Lethality unstated: if lethal, deadly force justified by the threat; if not, force judged
    # reasonable. Either way objectively reasonable, which Kleene logic alone cannot see.
    f = scenario(tmp_path, BATON, "    officer.on_duty: yes\n"
                 "    baton.threat_of_death_or_serious_injury: yes\n    baton.force_reasonable: yes\n")
    r = evaluate(compiled, load_scenario(f, compiled))
    (item,) = r.accounts[0].clause("objectively-reasonable-force").items
    assert item.requirement.value is None  # the three-valued trace alone is open
    assert (item.verdict, item.possible) == ("met", ("met",))
    assert item.case_on.key == "baton.likely_to_kill_or_seriously_injure"
    assert [(c.value, c.possible.verdicts) for c in item.cases] == [(True, ("met",)), (False, ("met",))]
    # Whether it was deadly force at all stays open, and says what is still possible.
    cv = r.accounts[0].clause("deadly-force-imminent-threat")
    assert (cv.verdict, cv.possible) == ("undetermined", ("met", "not_applicable"))


def test_without_the_threat_the_baton_case_stays_open(tmp_path, compiled):
    f = scenario(tmp_path, BATON, "    officer.on_duty: yes\n    baton.force_reasonable: yes\n")
    r = evaluate(compiled, load_scenario(f, compiled))
    cv = r.accounts[0].clause("objectively-reasonable-force")
    assert (cv.verdict, cv.possible) == ("undetermined", ("met", "breached"))


SHOT_AFTER_DRIVING = """  - id: drive
    actor: man
    action: drive_vehicle
    description: He drives at the officer.
  - id: shots
    actor: officer
    action: fire_firearm
    target: man
    description: The officer fires.
"""


def test_a_derived_threat_never_overrides_an_explicit_no(tmp_path, compiled):
    # The review's probe F3: driven at, threat not ended, and yet "no imminent threat".
    f = scenario(tmp_path, SHOT_AFTER_DRIVING,
                 "    officer.on_duty: yes\n    drive.driven_at_person: yes\n"
                 "    shots.threat_had_ended: no\n    shots.officer_aware_of_prior_attack: yes\n",
                 "  - id: one\n    name: One\n    facts:\n"
                 "      shots.threat_of_death_or_serious_injury: no\n")
    with pytest.raises(InputError) as info:
        load_scenario(f, compiled)
    (d,) = info.value.diagnostics
    assert d.code == "S022" and "driven-at-someone-is-an-imminent-threat" in d.message
    assert "drive.driven_at_person is yes" in d.message and "shots.threat_had_ended is no" in d.message
    line = f.read_text().splitlines()[d.span.line - 1]
    assert line.strip().startswith("shots.threat_of_death_or_serious_injury")  # the account's own


def test_a_conflict_through_an_unstated_fact_is_found(tmp_path, compiled):
    # An imminent danger to those in close proximity (so an imminent threat in every
    # completion, the threat unstated) and a threat that had ended: no completion satisfies
    # every constraint.
    f = scenario(tmp_path, SHOT_AFTER_DRIVING, "    officer.on_duty: yes\n"
                 "    shots.danger_to_those_in_close_proximity: yes\n    shots.threat_had_ended: yes\n")
    with pytest.raises(InputError) as info:
        load_scenario(f, compiled)
    (d,) = info.value.diagnostics
    assert d.code == "S022" and "danger-in-close-proximity-is-an-imminent-threat" in d.message
    assert "exclusive: " in d.message


def test_a_constraint_decides_an_unstated_fact_exactly(tmp_path, compiled):
    f = scenario(tmp_path, SHOT_AFTER_DRIVING, "    officer.on_duty: yes\n    drive.driven_at_person: yes\n"
                 "    shots.threat_had_ended: no\n    shots.officer_aware_of_prior_attack: yes\n")
    r = evaluate(compiled, load_scenario(f, compiled))
    (item,) = r.accounts[0].clause("deadly-force-imminent-threat").items
    assert item.verdict == "met"
    (yes, no) = item.cases
    assert yes.possible.verdicts == ("met",)
    assert no.ruled_out_by == ("driven-at-someone-is-an-imminent-threat",)
    assert ("drive", "driven_at_person") in no.given


def test_a_hypothesis_breaking_a_constraint_is_refused(compiled, cli):
    run = cli("check", MPLS, "--base", "dhs", "--assume", "shots.threat_of_death_or_serious_injury=no",
              "--assume", "shots.officer_aware_of_prior_attack=yes", "--assume", "shots.threat_had_ended=no")
    assert run.code == 2 and run.out == ""
    assert "no completion of account 'dhs'" in run.err
    assert "driven-at-someone-is-an-imminent-threat" in run.err
    sc = load_scenario(MPLS, compiled)
    h = parse_hypothesis(sc, compiled.policy, ["shots.threat_of_death_or_serious_injury=yes",
                                                "shots.threat_had_ended=yes"], None)
    with pytest.raises(InputError) as info:
        evaluate(compiled, sc, hypothesis=h)
    assert any("exclusive: event.threat_of_death_or_serious_injury, event.threat_had_ended" in d.message
               for d in info.value.diagnostics)


def test_northridge_shows_its_real_split(compiled):
    r = evaluate(compiled, load_scenario(PORTER, compiled))
    assert r.possible("deadly-force-imminent-threat") == {"dhs": ("met", "not_applicable"),
                                                          "family": ("breached", "not_applicable")}
    assert r.contested("deadly-force-imminent-threat")
    assert r.breached is False  # a breach possible is not a breach: exit 0


def test_an_expectation_about_an_item_that_does_not_exist_is_an_error(tmp_path, compiled):
    f = scenario(tmp_path, SHOT_AFTER_DRIVING, "    officer.on_duty: yes\n",
                 "  - id: one\n    name: One\nexpect:\n  one:\n"
                 "    medical-aid: {no-such-person: not_applicable}\n"
                 "    duty-to-intervene: {shots: not_applicable}\n")
    with pytest.raises(InputError) as info:
        load_scenario(f, compiled)
    found = [(d.code, d.message) for d in info.value.diagnostics]
    assert ("S026", "'no-such-person' in 'no-such-person' is not a person of this scenario, so "
            "'medical-aid' cannot apply to it") in found
    assert any(code == "S026" and "'shots' is not something 'duty-to-intervene' applies to" in msg
               for code, msg in found)


def test_the_unstated_fact_most_verdicts_hang_on_is_named(cli):
    nobody = str(SCENARIOS / "teaching" / "facts-nobody-states.yaml")
    for command in ("validate", "check"):
        run = cli(command, nobody)
        assert run.code == 0
        assert "warning[W010]: officer-a.on_duty is stated nowhere, and 12 of the 22 undetermined" in run.err
        assert "'officer-a.on_duty: yes or no'" in run.err
    # A policy question cannot be stated by a scenario: Northridge's reach gets no warning.
    assert "W010" not in cli("validate", PORTER).err


def test_a_definition_reading_is_shown_where_a_verdict_rests_on_it(cli):
    aim = str(SCENARIOS / "teaching" / "aim-only.yaml")
    run = cli("check", aim, "--clause", "objectively-reasonable-force", "--explain", "short")
    words = " ".join(run.out.split())
    assert 'How forcecheck reads "a use of force by an officer": Force is firing a firearm' in words
    assert "aiming a firearm at someone (non-deadly force" in words
    # A clause that does not rest on it does not repeat it.
    run = cli("check", aim, "--clause", "medical-aid")
    assert "How forcecheck reads" not in run.out


def test_what_would_decide_it_never_offers_what_the_constraints_forbid(tmp_path, compiled):
    f = scenario(tmp_path, SHOT_AFTER_DRIVING, "    officer.on_duty: yes\n    drive.driven_at_person: yes\n"
                 "    shots.officer_aware_of_prior_attack: yes\n")
    r = evaluate(compiled, load_scenario(f, compiled))
    (item,) = r.accounts[0].clause("deadly-force-imminent-threat").items
    assert item.verdict == "undetermined"
    ways = {frozenset((u.key, v) for u, v in s.assignments): s.verdict for s in item.settlements}
    # The threat had not ended: then the car makes it an imminent threat in every completion.
    assert ways[frozenset({("shots.threat_had_ended", False)})] == "met"
    # "No threat, and the threat had not ended" contradicts the constraint: never offered.
    for assignment in ways:
        assert not {("shots.threat_of_death_or_serious_injury", False),
                    ("shots.threat_had_ended", False)} <= assignment


TWO_SHOTS_OFF_DUTY = """  - id: man-fires
    actor: man
    action: fire_firearm
    target: officer
    description: He fires at the officer.
  - id: first
    actor: officer
    action: fire_firearm
    target: man
    description: The officer fires back.
  - id: second
    actor: officer
    action: fire_firearm
    target: man
    description: The officer fires again when the man is down.
"""


def test_items_sharing_an_open_question_combine_exactly(tmp_path, compiled):
    # Off duty: each shot is "met or n/a" and "breached or n/a", but both hang on the same
    # question of the policy's reach, so the clause is never "met": breached or not applicable.
    f = scenario(tmp_path, TWO_SHOTS_OFF_DUTY,
                 "    officer.on_duty: no\n    man-fires.aimed_at_person: yes\n"
                 "    first.officer_aware_of_prior_attack: yes\n"
                 "    first.threat_had_ended: no\n    second.threat_had_ended: yes\n"
                 "    second.subject_fleeing: no\n")
    r = evaluate(compiled, load_scenario(f, compiled))
    cv = r.accounts[0].clause("deadly-force-imminent-threat")
    assert [(i.label, i.possible) for i in cv.items] == [
        ("first", ("met", "not_applicable")), ("second", ("breached", "not_applicable"))]
    assert (cv.possible, cv.exact) == (("breached", "not_applicable"), True)


def test_because_naming_something_not_in_the_scenario_is_an_error(tmp_path, compiled):
    f = scenario(tmp_path, SHOT_AFTER_DRIVING, "    officer.on_duty: yes\n",
                 "  - id: one\n    name: One\nexpect:\n  one:\n"
                 "    medical-aid: {verdict: undetermined, because: [shot.threat_had_ended]}\n")
    with pytest.raises(InputError) as info:
        load_scenario(f, compiled)
    (d,) = info.value.diagnostics
    assert d.code == "S012" and d.hint == "did you mean 'shots'?"


WEAPON = """id: w
title: An officer fires at a man who is firing at a passer-by
kind: teaching
summary: s
people:
  - {id: officer, role: officer, description: an officer}
  - {id: man, role: subject, description: a man with a gun}
events:
  - {id: shots, actor: officer, action: fire_firearm, target: man, description: The officer fires.}
undisputed:
  facts:
    officer.on_duty: yes
    man.armed_with: ARMED
    shots.target_weapon_use: fired_at_someone
    shots.threat_had_ended: no
accounts:
  - {id: report, name: Report}
"""


def test_a_weapon_and_what_was_done_with_it_can_be_stated(tmp_path, compiled):
    """What an incident record states first (armed with what, and what they did with it):
    firing at someone, the threat not ended, is an imminent threat by constraint, so the
    deadly-force standard is met whichever way the unstated threat question goes; and
    someone using a weapon cannot also be unarmed."""
    f = tmp_path / "w.yaml"
    f.write_text(WEAPON.replace("ARMED", "firearm"))
    r = evaluate(compiled, load_scenario(f, compiled))
    cv = r.accounts[0].clause("deadly-force-imminent-threat")
    assert cv.possible == ("met",)
    (item,) = cv.items
    assert any("firing-at-someone-is-an-imminent-threat" in c.ruled_out_by for c in item.cases)
    f.write_text(WEAPON.replace("ARMED", "unarmed"))
    with pytest.raises(InputError) as info:
        load_scenario(f, compiled)
    assert info.value.diagnostics[0].code == "S022" and "using-a-weapon-means-armed" in \
        info.value.diagnostics[0].message


def test_the_read_once_shortcut_gives_what_the_search_gives(compiled):
    """Each item's possible verdicts (by the read-once shortcut where it applies) are those of
    the full search over every completion, on the shipped scenarios and on generated ones
    (`bench/corpus.py`); and the shortcut is taken often enough for that to mean something."""
    import importlib.util

    from forcecheck.engine.constraints import Constraints
    from forcecheck.engine.exact import _read_once_form, item, kleene_item, possible
    from forcecheck.scenario.load import load_scenario

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("corpus", ROOT / "bench" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    scenarios = [load_scenario(p, compiled) for p in sorted((ROOT / "scenarios").rglob("*.yaml"))]
    scenarios += [load_scenario(f"gen-{i}.yaml", compiled, text=corpus.scenario(i, seed=7))
                  for i in range(150)]
    undetermined = shortcut = 0
    for sc in scenarios:
        for account in sc.accounts:
            world = sc.world(account)
            constraints = Constraints(compiled, world)
            for clause in compiled.policy.clauses:
                for env in compiled.bindings(clause, world):
                    outcome = item(compiled, clause, world, env, constraints)
                    if outcome.kleene != "undetermined":
                        continue
                    undetermined += 1
                    shortcut += _read_once_form(compiled, clause) and not constraints.touching(outcome.reads)
                    searched = possible(compiled, kleene_item(compiled, clause, env), world, constraints)
                    assert outcome.possible == searched, (sc.model.id, clause.id, env)
    assert shortcut > 100 and undetermined > shortcut

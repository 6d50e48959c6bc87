"""The regulation's protective necessity (review 2026-12, G5) and the no-vehicle closure that
keeps it settled where no vehicle was involved: 8 C.F.R. § 287.8(a)(2)(ii)'s "necessary to
protect" is read, for a shot at a moving vehicle, through whether another means of defence
(stepping out of the path) appeared to exist; `incident.moving_vehicle_involved: no` settles
every vehicle fact of a shot, the new shot-level "vehicle threatened" fact among them."""

from __future__ import annotations

import json
import re

import pytest

from conftest import SCENARIOS

THREE = SCENARIOS / "teaching" / "regulation-three-accounts.yaml"
CLOSURE = "    incident.moving_vehicle_involved: no\n"

# The review's probe p15: a car accelerates at an officer who could have stepped aside.
P15 = """id: p15
title: Stepping aside was possible
kind: teaching
summary: A car accelerates at an officer who could have stepped aside; he fires at the driver.
people:
  - {id: officer, role: officer, description: the officer}
  - {id: driver, role: subject, description: the driver}
events:
  - {id: drive, actor: driver, action: drive_vehicle, description: the car accelerates at him}
  - {id: shots, actor: officer, action: fire_firearm, target: driver, description: he fires}
undisputed:
  facts:
    officer.on_duty: yes
    drive.driven_at_person: yes
    shots.officer_aware_of_prior_attack: yes
    shots.threat_had_ended: no
    shots.at_operator_of_moving_vehicle: yes
    shots.deadly_threat_by_other_means: no
    shots.alternative_appeared_to_exist: no
{extra}accounts:
  - {id: a, name: Account}
"""

# A shot with no vehicle anywhere, every other fact the regulation reads stated.
KNIFE = """id: knife
title: A shot at a man swinging a knife
kind: teaching
summary: A man swings a knife at an officer, who shoots him.
people:
  - {id: officer, role: officer, description: the officer}
  - {id: man, role: subject, description: the man}
events:
  - {id: shots, actor: officer, action: fire_firearm, target: man, description: he fires}
undisputed:
  facts:
    officer.on_duty: yes
    man.armed_with: edged_weapon
    shots.threat_of_death_or_serious_injury: yes
    shots.alternative_appeared_to_exist: no
{extra}accounts:
  - {id: a, name: Account}
"""


def _fill(template: str, extra: str) -> str:
    return template.replace("{extra}", extra)


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _cfr(cli, path: str) -> tuple[str, list[str]]:
    run = cli("check", path, "--policy", "cfr-287-8", "--format", "json")
    assert run.code in (0, 1), run.err
    row = json.loads(run.out)["scenarios"][0]["table"][0]
    assert row["clause"] == "deadly-force-standard"
    cell = row["cells"][0]
    return cell["verdict"], list(cell.get("possible") or ())


def test_stepping_aside_makes_deadly_force_unnecessary_under_the_regulation(cli, tmp_path):
    """p15: no 'reasonably effective' alternative, but the officer could have stepped out of the
    car's path: the regulation's protective necessity fails (it was met before G5 was read)."""
    stated = _write(tmp_path, "aside", _fill(P15, "    shots.other_defensive_option_existed: yes\n"))
    assert _cfr(cli, stated)[0] == "breached"
    no_way = _write(tmp_path, "noway", _fill(P15, "    shots.other_defensive_option_existed: no\n"))
    assert _cfr(cli, no_way)[0] == "met"
    # unstated, the regulation waits on it, as DOJ's limb (2) does
    unstated = _write(tmp_path, "unstated", _fill(P15, ""))
    assert _cfr(cli, unstated) == ("undetermined", ["met", "breached"])


def test_a_shot_with_no_vehicle_stays_settled_once_the_closure_is_stated(cli, tmp_path):
    closed = _write(tmp_path, "closed", _fill(KNIFE, CLOSURE))
    assert _cfr(cli, closed)[0] == "met"
    # left unstated, whether the shot was at a moving vehicle is open, and so is the verdict
    opened = _write(tmp_path, "open", _fill(KNIFE, ""))
    assert _cfr(cli, opened) == ("undetermined", ["met", "breached"])
    # the shipped teaching case states it, and its officer's account stays met
    text = THREE.read_text(encoding="utf-8")
    assert CLOSURE in text
    assert _cfr(cli, str(THREE))[0] == "met"
    assert _cfr(cli, _write(tmp_path, "three", text.replace(CLOSURE, "")))[0] == "undetermined"


def test_deadly_force_that_is_no_shot_is_not_asked_about_vehicles(cli, tmp_path):
    """A neck restraint likely to kill is deadly force, but no firearm discharge: the vehicle
    question is not asked of it, and the verdict is settled without any closure."""
    body = _fill(KNIFE, "").replace(
        "action: fire_firearm, target: man, description: he fires",
        "action: neck_restraint, target: man, description: he holds the man's neck")
    body = body.replace("    shots.alternative_appeared_to_exist: no\n",
                        "    shots.alternative_appeared_to_exist: no\n"
                        "    shots.likely_to_kill_or_seriously_injure: yes\n")
    assert _cfr(cli, _write(tmp_path, "hold", body))[0] == "met"


def _vehicle_facts() -> list[str]:
    from forcecheck.policy.load import load_policy

    facts = load_policy("cfr-287-8").policy.facts.values()
    return sorted(f.name for f in facts if f.subject == "event" and f.kind == "yes_no"
                  and re.search(r"vehicle|conveyance", f.question))


# Vehicle-related facts the closure leaves alone on purpose (the vocabulary's closure section
# says why): another means of defence is not only stepping aside; "no" would not be true of
# weighing an out-of-control conveyance's hazards; the officer's knowledge covers shots too;
# a drive at a person is asked of drive events, which the closure refuses outright.
LEFT_ALONE = {"other_defensive_option_existed", "considered_conveyance_hazards",
              "officer_aware_of_prior_attack", "driven_at_person"}


def test_every_vehicle_fact_is_settled_by_the_closure_or_left_alone_on_purpose():
    found = set(_vehicle_facts())
    assert found >= LEFT_ALONE
    assert found >= {"vehicle_threatened_death_or_injury", "deadly_threat_by_other_means",
            "at_moving_vehicle", "at_operator_of_moving_vehicle"}


@pytest.mark.parametrize("fact", sorted(set(_vehicle_facts()) - LEFT_ALONE))
def test_the_closure_refuses_a_shot_that_states_a_vehicle_fact(cli, tmp_path, fact):
    """Stating no vehicle and, on the shot, any vehicle fact 'yes' is refused: the closure
    settles each of them to no (the shot-level 'vehicle threatened' fact among them)."""
    path = _write(tmp_path, fact, _fill(KNIFE, CLOSURE + f"    shots.{fact}: yes\n"))
    run = cli("validate", path, "--policy", "doj")
    assert run.code == 2, (fact, run.err)
    assert "no-moving-vehicle-settles-the-vehicle-facts" in run.err
    # without the closure the same statement is accepted
    opened = _write(tmp_path, fact + "-open", _fill(KNIFE, f"    shots.{fact}: yes\n"))
    assert cli("validate", opened, "--policy", "doj").code == 0

"""The December 2026 policy-fidelity review (issue 20), findings G2, G5-G10, G12, G14 and the
residues of F13 and F15: each on the review's own repro scenario."""

from __future__ import annotations

import json

from conftest import SCENARIOS

MPLS = str(SCENARIOS / "real" / "minneapolis-2026-01-07.yaml")
NORTHRIDGE = str(SCENARIOS / "real" / "northridge-2025-12-31.yaml")

HEAD = """id: {id}
title: {title}
kind: teaching
summary: a probe of the December review
"""


def probe(tmp_path, name: str, body: str, title: str = "probe") -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEAD.format(id=name, title=title) + body, encoding="utf-8")
    return str(path)


def table(cli, path: str, policy: str) -> dict[str, dict[str, tuple[str, tuple[str, ...]]]]:
    run = cli("check", path, "--policy", policy, "--format", "json")
    assert run.code in (0, 1), run.err
    doc = json.loads(run.out)["scenarios"][0]
    return {row["clause"]: {c["account"]: (c["verdict"], tuple(c.get("possible") or ()))
                            for c in row["cells"]} for row in doc["table"]}


def verdicts(cli, path: str, policy: str) -> dict[str, dict[str, str]]:
    return {k: {a: v[0] for a, v in row.items()} for k, row in table(cli, path, policy).items()}


# --- G7: the real incidents' DOJ facts; a shot is not both at the driver and a warning ------

P17 = """people:
  - {id: officer, role: officer, description: the officer}
  - {id: driver, role: subject, description: the driver}
events:
  - {id: shots, actor: officer, action: fire_firearm, target: driver, description: officer fires}
undisputed:
  facts:
    officer.on_duty: yes
    shots.at_operator_of_moving_vehicle: yes
    shots.aimed_at_person: yes
    shots.warning_shot: yes
    shots.in_prison_context: no
accounts:
  - {id: a, name: Account}
"""


def test_a_shot_at_the_driver_is_not_also_a_warning_shot(cli, tmp_path):
    """Review probe p17: refused as inconsistent, naming both reasons."""
    run = cli("check", probe(tmp_path, "p17", P17), "--policy", "doj")
    assert run.code == 2 and "S022" in run.err
    assert "warning" in run.err
    # either fact alone is enough to refuse it
    for drop in ("    shots.aimed_at_person: yes\n", "    shots.at_operator_of_moving_vehicle: yes\n"):
        run = cli("check", probe(tmp_path, "p17", P17.replace(drop, "")), "--policy", "doj")
        assert run.code == 2 and "S022" in run.err, drop


def test_minneapolis_has_no_spurious_doj_possible_breaches(cli):
    """Both accounts have shots at the driver, on a street: stated as marked inferences."""
    doj = verdicts(cli, MPLS, "doj")
    assert doj["disable-moving-vehicle"] == {"dhs": "met", "video": "met"}
    assert doj["warning-shots"] == {"dhs": "met", "video": "met"}
    scenario = (SCENARIOS / "real" / "minneapolis-2026-01-07.yaml").read_text(encoding="utf-8")
    for fact in ("shots.solely_to_disable_vehicle", "shots.in_prison_context"):
        block = scenario.split(f"    {fact}:\n", 1)[1].split("\n    shots.", 1)[0]
        assert "inferred: yes" in block, fact


def test_northridge_verbal_warning_is_contested_under_doj(cli):
    """DHS: he identified himself and ordered Porter to drop the rifle (inferred, marked); the
    family: neighbours did not hear it (unknown, not 'no')."""
    doj = table(cli, NORTHRIDGE, "doj")["verbal-warning"]
    assert doj["dhs"] == ("undetermined", ("met", "not_applicable"))
    assert doj["family"][1] == ("met", "breached", "not_applicable")
    run = cli("check", NORTHRIDGE, "--policy", "doj", "--format", "json")
    doc = json.loads(run.out)["scenarios"][0]
    assert "verbal-warning" in {c["clause"] for c in doc["contested"]}
    warning = table(cli, NORTHRIDGE, "doj")["warning-shots"]  # met, if DOJ reaches him
    assert warning["dhs"] == warning["family"] == ("undetermined", ("met", "not_applicable"))


# --- G6: DOJ's "the vehicle is operated in a manner that threatens" is a fact of the shot ----

P05 = """people:
  - {id: officer, role: officer, description: the officer}
  - {id: driver, role: subject, description: the driver}
events:
  - {id: shots, actor: officer, action: fire_firearm, target: driver, description: fires at the driver}
undisputed:
  facts:
    officer.on_duty: yes
    shots.at_operator_of_moving_vehicle: yes
    shots.threat_of_death_or_serious_injury: yes
    shots.other_defensive_option_existed: no
    shots.deadly_threat_by_other_means: no
    shots.alternative_appeared_to_exist: no
    shots.solely_to_disable_vehicle: no
accounts:
  - {id: a, name: Account}
"""


def test_a_car_bearing_down_on_a_pinned_officer_stated_on_the_shot_meets_doj_limb_two(cli, tmp_path):
    """Review probe p05: no separate driving event; limb (2) holds."""
    path = probe(tmp_path, "p05", P05)
    assert verdicts(cli, path, "doj")["moving-vehicle"] == {"a": "met"}
    run = cli("check", path, "--policy", "dhs", "--policy", "doj", "--policy", "cfr-287-8")
    assert "moving-vehicle: dhs-uof met; doj-uof met" in run.out.replace("\n      ", " ")


def test_the_vehicle_threat_may_be_stated_without_a_threat_to_one_person(cli, tmp_path):
    """'or others': a car driven through a crowd, stated on a shot at the vehicle (not at its
    operator), needs no drive event at a person."""
    body = P05.replace("shots.at_operator_of_moving_vehicle: yes", "shots.at_moving_vehicle: yes") \
              .replace("shots.threat_of_death_or_serious_injury: yes",
                       "shots.vehicle_threatened_death_or_injury: yes")
    assert verdicts(cli, probe(tmp_path, "crowd", body), "doj")["moving-vehicle"] == {"a": "met"}


def test_the_vehicle_threat_follows_from_a_driving_event(cli):
    """Where there is a drive at someone the officer knew of, the fact follows (step-aside)."""
    path = str(SCENARIOS / "teaching" / "step-aside-possible.yaml")
    run = cli("check", path, "--policy", "doj", "--explain", "full", "--clause", "moving-vehicle")
    assert "vehicle operated in a manner that threatened" in run.out
    # and stating that a vehicle shot at its operator threatened no one, with an imminent
    # threat from that operator, is refused: the two facts are tied
    assert verdicts(cli, path, "doj")["moving-vehicle"] == {"report": "breached"}


def test_a_driver_who_threatened_no_one_was_not_driving_threateningly(cli):
    """Minneapolis, video account: no imminent threat, so the car was not operated in a
    threatening manner either; DOJ moving-vehicle stays breached."""
    assert verdicts(cli, MPLS, "doj")["moving-vehicle"]["video"] == "breached"


# --- G2: no hindsight: an earlier deed bears on the belief only if the officer knew ----------

P03B = """people:
  - {id: officer, role: officer, description: the officer}
  - {id: man, role: subject, description: the man}
events:
  - {id: manfires, actor: man, action: fire_firearm, description: fires at a neighbour unseen}
  - {id: shots, actor: officer, action: fire_firearm, target: man, description: officer fires}
undisputed:
  facts:
    officer.on_duty: yes
    manfires.aimed_at_person: yes
    shots.threat_had_ended: no
accounts:
  - id: a
    name: Account
"""


def test_an_earlier_shot_the_officer_did_not_know_of_does_not_decide_the_threat(cli, tmp_path):
    """Review probe p03b: undetermined, not met."""
    dhs = table(cli, probe(tmp_path, "p03b", P03B), "dhs")
    assert dhs["deadly-force-imminent-threat"]["a"] == ("undetermined", ("met", "breached"))


def test_an_officer_unaware_of_the_earlier_shot_who_saw_no_threat_is_in_breach(cli, tmp_path):
    """Review probe p03: the account denies the threat; no longer refused (S022): breached (he
    was not fleeing, so the fleeing-subject exception cannot authorise it)."""
    body = P03B.replace("    name: Account\n", "    name: Account\n    facts:\n"
                        "      shots.threat_of_death_or_serious_injury: no\n"
                        "      shots.subject_fleeing: no\n")
    dhs = verdicts(cli, probe(tmp_path, "p03", body), "dhs")
    assert dhs["deadly-force-imminent-threat"] == {"a": "breached"}


def test_an_officer_who_knew_of_the_earlier_shot_faced_the_threat(cli, tmp_path):
    body = P03B.replace("    shots.threat_had_ended: no\n", "    shots.threat_had_ended: no\n"
                        "    shots.officer_aware_of_prior_attack: yes\n")
    path = probe(tmp_path, "p03k", body)
    assert verdicts(cli, path, "dhs")["deadly-force-imminent-threat"] == {"a": "met"}
    denied = body.replace("    name: Account\n", "    name: Account\n    facts:\n"
                          "      shots.threat_of_death_or_serious_injury: no\n")
    run = cli("check", probe(tmp_path, "p03k", denied))
    assert run.code == 2 and "fired-at-someone-is-an-imminent-threat" in run.err


def test_the_reading_says_how_hindsight_is_kept_out(cli):
    from forcecheck.policy.load import load_policy

    policy = load_policy("dhs").policy
    assert "knew or had reason to know" in policy.definitions["imminent_threat"].reading
    run = cli("show", "officer_aware_of_prior_attack")
    assert run.code == 0 and "or have reason to know" in " ".join(run.out.split())


# --- G10: a statement's source must be among its account's sources ---------------------------

def test_validate_warns_when_a_statement_cites_a_source_its_account_does_not_list(cli, tmp_path):
    text = (SCENARIOS / "real" / "minneapolis-2026-01-07.yaml").read_text(encoding="utf-8")
    # the review's case: the video account's threat cites 'seed', which it did not list
    listed = "  - id: video\n    name: Video and witnesses\n    sources: [startribune, cnn"
    moved = text.replace(listed + ", seed]", listed + "]")
    assert moved != text
    path = tmp_path / "m.yaml"
    path.write_text(moved, encoding="utf-8")
    run = cli("validate", str(path))
    assert "W013" in run.err and "'shots.threat_of_death_or_serious_injury' cites source 'seed'" in run.err
    assert "account 'video'" in run.err and "^" in run.err
    # the shipped scenarios have none
    assert "W013" not in cli("validate", str(SCENARIOS)).err
    assert cli("explain", "W013").code == 0


def test_minneapolis_dhs_inferences_are_marked(cli):
    """The DHS account's threat goes from the agent's fear to the reasonable-officer standard:
    marked inferred, and shown so; 'the threat had not ended' is no longer stated apart (it
    follows from an imminent threat)."""
    run = cli("check", MPLS)
    assert "DHS: yes -- source: Star Tribune (value inferred from the source): \"fearing for his life\"" \
        in " ".join(run.out.split())
    scenario = (SCENARIOS / "real" / "minneapolis-2026-01-07.yaml").read_text(encoding="utf-8")
    dhs = scenario.split("  - id: dhs\n", 1)[1].split("  - id: video\n", 1)[0]
    block = dhs.split("      shots.threat_of_death_or_serious_injury:\n", 1)[1]
    assert "inferred: yes" in block.split("\n\n", 1)[0]
    assert "      shots.threat_had_ended:" not in dhs


# --- G12: an inconsistency names only the constraints that take part -------------------------

P13 = """people:
  - {id: officer, role: officer, description: the officer}
  - {id: driver, role: subject, description: the driver}
events:
  - {id: shots, actor: officer, action: fire_firearm, target: driver, description: officer fires}
undisputed:
  facts:
    officer.on_duty: yes
    shots.at_operator_of_moving_vehicle: yes
    shots.deadly_threat_by_other_means: yes
    shots.threat_had_ended: yes
accounts:
  - {id: a, name: Account}
"""


def test_an_inconsistency_names_only_the_constraints_that_take_part(cli, tmp_path):
    """Review probe p13 (the conflict runs through the unstated threat): the two constraints
    that conflict, not every constraint linked to that fact; the hint gives their two reasons."""
    run = cli("check", probe(tmp_path, "p13", P13))
    assert run.code == 2 and "S022" in run.err
    named = run.err.split("constraints ", 1)[1].split("': ", 1)[0] + "'"
    assert named == ("'deadly-threat-by-other-means-is-an-imminent-threat', "
                     "'exclusive: event.threat_of_death_or_serious_injury, event.threat_had_ended'")
    hint = run.err.split("= hint: ", 1)[1]
    assert hint.count(";") == 1 and "close proximity" not in hint


# --- F13 residue: a warning shot aimed at no one ------------------------------------------

P08 = """people:
  - {id: officer, role: officer, description: the officer}
  - {id: man, role: subject, description: a man running off}
events:
  - {id: shot, actor: officer, action: fire_firearm, description: a warning shot into the air}
undisputed:
  facts:
    officer.on_duty: yes
    shot.warning_shot: yes
    shot.in_prison_context: no
    shot.likely_to_kill_or_seriously_injure: no
accounts:
  - {id: a, name: Account}
"""


def test_a_warning_shot_into_the_air_is_not_deadly_force_against_a_person(cli, tmp_path):
    """Review probe p08: no DHS clause about 'the person it was used against' is left open;
    DOJ's warning-shot rule is breached; DOJ's and the regulation's deadly-force standards, about
    the subject of such force, do not apply either."""
    path = probe(tmp_path, "p08", P08)
    dhs = verdicts(cli, path, "dhs")
    for clause in ("deadly-force-imminent-threat", "fleeing-subject", "safe-tactics",
                   "threat-only-to-self-or-property"):
        assert dhs[clause] == {"a": "not_applicable"}, clause
    doj = verdicts(cli, path, "doj")
    assert doj["warning-shots"] == {"a": "breached"}
    assert doj["deadly-force-imminent-danger"] == {"a": "not_applicable"}
    assert verdicts(cli, path, "cfr-287-8")["deadly-force-standard"] == {"a": "not_applicable"}
    # one likely to kill (into a crowd) is deadly force again; unstated, it may be either
    likely = "    shot.likely_to_kill_or_seriously_injure: no\n"
    crowd = P08.replace(likely, likely.replace("no", "yes"))
    assert verdicts(cli, probe(tmp_path, "p08c", crowd), "dhs")["deadly-force-imminent-threat"]["a"] != \
        "not_applicable"
    open_ = table(cli, probe(tmp_path, "p08u", P08.replace(likely, "")), "dhs")
    assert "not_applicable" in open_["deadly-force-imminent-threat"]["a"][1]


# --- G14: a difference that lies in a definition quotes the definition --------------------

P21 = """people:
  - {id: officer, role: officer, description: the officer}
  - {id: man, role: subject, description: the man}
events:
  - {id: aim, actor: officer, action: aim_firearm, target: man, description: officer aims at the man}
undisputed:
  facts:
    officer.on_duty: yes
    aim.likely_to_kill_or_seriously_injure: yes
    aim.threat_of_death_or_serious_injury: no
    aim.alternative_appeared_to_exist: no
    aim.force_reasonable: yes
accounts:
  - {id: a, name: Account}
"""


def test_a_difference_in_a_definition_quotes_the_definition(cli, tmp_path):
    """Review probe p21 (aiming coded likely to kill): DHS's deadly-force clause does not apply
    because of its definition (A5), so the side by side quotes A5 and the other policies'
    readings of deadly force, not DHS's deadly-force sentence, which does not differ."""
    run = cli("check", probe(tmp_path, "p21", P21), "--policy", "dhs", "--policy", "doj",
              "--policy", "cfr-287-8", "--format", "json")
    doc = json.loads(run.out)
    entry = next(c for c in doc["concepts"] if c["concept"] == "deadly-force" and c["differs"])
    dhs = [w for w in entry["wording"] if w["policy"] == "dhs-uof"]
    assert [w["clause"] for w in dhs] == ["definition of a use of deadly force"]
    assert "aiming a firearm by an officer does not constitute" in dhs[0]["quote"]
    doj = next(w for w in entry["wording"] if w["policy"] == "doj-uof")
    assert doj["clause"] == "deadly-force-imminent-danger"
    assert doj["reading"].startswith("The passages do not define deadly force")
    # a difference in the clause sentences still quotes them (step-aside: DOJ's limb (2))
    step = str(SCENARIOS / "teaching" / "step-aside-possible.yaml")
    doc = json.loads(cli("check", step, "--policy", "dhs", "--policy", "doj", "--format", "json").out)
    entry = next(c for c in doc["concepts"] if c["concept"] == "moving-vehicle")
    assert "moving out of the path" in " ".join(w["quote"] for w in entry["wording"])


# --- G8, G9, G14: what the readings and provenance now say -----------------------------------

def test_the_regulations_reach_question_names_both_provisions_and_doj_imminent_is_unverified():
    from forcecheck.policy.load import load_policy

    cfr = load_policy("cfr-287-8").policy
    question = cfr.unsettled["reaches_off_duty_officers"].question
    assert "287.9(b)" in question and "(a)(2)(iii)" in question and "arguable both ways" in question
    doj = load_policy("doj").policy
    assert "Unverified" in doj.definitions["imminent_danger"].reading
    assert "texags.com" in doj.documents["DOJ-2022"].citation
    assert "meaninginhistory" in doj.documents["JM"].citation
    from pathlib import Path

    assert "docs/cfr-287-8.md" not in Path(cfr.path).read_text(encoding="utf-8")


def test_the_open_questions_line_never_says_q5_to_q5(cli):
    out = cli("check", NORTHRIDGE).out
    # every question a clause line refers to is printed, so no range of them is ever named
    assert "Q5 to Q5" not in out and " to Q" not in out


# --- G5: the two "another way existed" facts are linked, and DOJ's is asked as "appear" ---------

P15 = """people:
  - {id: officer, role: officer, description: the officer}
  - {id: driver, role: subject, description: the driver}
events:
  - {id: drive, actor: driver, action: drive_vehicle, description: the car accelerates at the officer}
  - {id: shots, actor: officer, action: fire_firearm, target: driver, description: officer fires}
undisputed:
  facts:
    officer.on_duty: yes
    drive.driven_at_person: yes
    shots.officer_aware_of_prior_attack: yes
    shots.threat_had_ended: no
    shots.at_operator_of_moving_vehicle: yes
    shots.other_defensive_option_existed: yes
    shots.deadly_threat_by_other_means: no
accounts:
  - {id: a, name: Account}
"""


def test_the_alternative_facts_are_linked_and_worded_as_the_texts(cli, tmp_path):
    """Review probe p15. DOJ limb (2) fails where stepping aside was possible; an effective,
    safe alternative that appeared to exist is also a means of defence, so stating only the
    general alternative decides the DOJ vehicle rule too; the vehicle question asks what
    'appeared', as DOJ's text does; and the readings say why stepping aside alone does not
    decide DHS's feasible-alternative (the regulation's necessity now reads it at a moving
    vehicle: tests/test_regulation_necessity.py)."""
    path = probe(tmp_path, "p15", P15)
    assert verdicts(cli, path, "doj")["moving-vehicle"] == {"a": "breached"}
    general = P15.replace("shots.other_defensive_option_existed: yes",
                          "shots.alternative_appeared_to_exist: yes")
    doj = verdicts(cli, probe(tmp_path, "p15g", general), "doj")
    assert doj["moving-vehicle"] == {"a": "breached"}
    denied = general.replace("    shots.deadly_threat_by_other_means: no\n",
                             "    shots.deadly_threat_by_other_means: no\n"
                             "    shots.other_defensive_option_existed: no\n")
    run = cli("check", probe(tmp_path, "p15d", denied), "--policy", "doj")
    assert run.code == 2 and "an-effective-alternative-is-also-a-means-of-defence" in run.err
    run = cli("show", "other_defensive_option_existed")
    assert "appear to exist" in " ".join(run.out.split())
    from forcecheck.policy.load import load_policy

    assert "reasonably effective" in load_policy("dhs").policy.clause("feasible-alternative").reading
    assert "G5" in load_policy("cfr-287-8").policy.clause("deadly-force-standard").reading

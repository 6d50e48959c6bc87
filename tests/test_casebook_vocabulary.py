"""What the casebook taught the vocabulary (issue 22, part 3): an account marked partial (its
silence is not a denial), an attempt to draw a weapon, a person hit by force aimed at someone
else, and an officer of another agency. Each shows in the reports, is refused or warned about
where misused, and changes a verdict only where the policy's text reaches it."""

import json
import textwrap

from conftest import SCENARIOS

COVENTRY = SCENARIOS / "real" / "coventry-2025-01-20.yaml"
DC = SCENARIOS / "real" / "washington-dc-2025-10-17.yaml"
SOUTH_LA = SCENARIOS / "real" / "south-los-angeles-2025-10-21.yaml"

# A shot at a driver that also hits the passenger; the passenger gets no aid.
PASSENGER = """\
id: passenger-hit
title: Shots at a driver also hit the passenger
kind: teaching
summary: An officer fires at a driver; a shot also hits the passenger, who gets no aid.
people:
  - {id: officer, role: officer, description: the officer who fired}
  - {id: driver, role: subject, description: the driver}
  - {id: passenger, role: bystander, description: the passenger}
events:
  - {id: shots, actor: officer, action: fire_firearm, target: driver,
     description: The officer fires at the driver.}
  - {id: hit, actor: officer, action: hit_unintended, target: passenger,
     description: A shot hits the passenger.}
undisputed:
  facts:
    officer.on_duty: yes
    driver.injured_or_asked_for_aid: yes
    driver.medical_aid_obtained: yes
    passenger.injured_or_asked_for_aid: yes
    passenger.medical_aid_obtained: no
accounts:
  - {id: report, name: Report}
"""


def _json(cli, *args):
    run = cli("check", *args, "--format", "json")
    assert run.code in (0, 1), run.err
    return json.loads(run.out)["scenarios"][0]


def _verdict(doc, clause, account):
    """The clause's verdict under the account, with its items (none when no item applies)."""
    card = next((c for c in doc["clauses"] if c["id"] == clause), None)
    if card is not None:
        return next(v for v in card["verdicts"] if v["account"] == account)
    row = next(r for r in doc["table"] if r["clause"] == clause)
    return {**next(c for c in row["cells"] if c["account"] == account), "items": []}


def _write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- an account marked partial ----------------------------------------------------------------


def test_a_partial_account_is_shown_as_silent_not_denying_in_every_report(cli):
    text = cli("check", str(COVENTRY)).out
    assert "CBP and DHS: Read only in part" in text and "unknown, not denied" in text
    md = cli("check", str(DC), "--format", "markdown").out
    assert "*Leaves things out rather than denying them: The D.C. police charging documents" in md
    html = cli("check", str(DC), "--format", "html").out
    assert '<em class="coverage">Leaves things out rather than denying them' in html
    accounts = {a["id"]: a for a in _json(cli, str(COVENTRY))["accounts"]}
    assert accounts["cbp"]["coverage"]["partial"] == "source_read_in_part"
    assert accounts["prosecution"]["coverage"] is None
    book = cli("casebook", str(SCENARIOS / "real"), "--format", "markdown").out
    assert "| CBP and DHS (read in part) |" in book
    assert "| D.C. police charging papers and testimony (omits, does not deny) |" in book


def test_marking_an_account_partial_changes_no_verdict_and_its_silence_stays_open(cli, tmp_path):
    """Unknown stays unknown: the mark is for the reader; the CBP account's silence leaves the
    deadly-force clause open (never not applicable, never met)."""
    marked = _json(cli, str(COVENTRY))
    text = COVENTRY.read_text(encoding="utf-8")
    start = text.index("    coverage:\n      partial: source_read_in_part")
    end = text.index("    # Nothing stated about the shots")
    unmarked = _json(cli, str(_write(tmp_path, text[:start] + text[end:])))
    assert [c["verdicts"] for c in marked["clauses"]] == [c["verdicts"] for c in unmarked["clauses"]]
    cell = _verdict(marked, "deadly-force-imminent-threat", "cbp")
    assert cell["verdict"] == "undetermined" and set(cell["possible"]) == {"met", "breached"}


def test_a_partial_account_left_out_of_an_officers_act_is_warned_at_the_event(cli, tmp_path):
    line_of_event = ("    description: At least one agent fires at Youngblut with his service weapon; "
                     "she is wounded.\n")
    text = COVENTRY.read_text(encoding="utf-8").replace(
        line_of_event, line_of_event + "    accounts: [prosecution]\n", 1)
    assert "accounts: [prosecution]\n  - id: shots-at-bauckholt" in text
    run = cli("validate", str(_write(tmp_path, text)))
    assert "warning[W014]: account 'cbp' is marked partial, but event 'shots-at-youngblut'" in run.err
    assert "add 'cbp' to the event's 'accounts'" in run.err
    line = text[:text.index("    accounts: [prosecution]\n  - id: shots-at-bauckholt")].count("\n") + 1
    assert f"s.yaml:{line}:" in run.err
    # Its deed left out of the partial account is no warning: a subject's, not an officer's.
    assert "youngblut-fires" not in run.err


def test_a_coverage_that_is_not_partial_is_a_located_error(cli, tmp_path):
    text = COVENTRY.read_text(encoding="utf-8").replace("partial: source_read_in_part", "partial: some")
    run = cli("validate", str(_write(tmp_path, text)))
    assert run.code == 2 and "error[S004]" in run.err and "coverage.partial" in run.err
    assert "source_read_in_part" in run.err and "Traceback" not in run.err


# --- an attempt to draw a weapon --------------------------------------------------------------


def test_an_attempted_draw_means_armed_and_is_refused_with_unarmed(cli, tmp_path):
    text = COVENTRY.read_text(encoding="utf-8").replace(
        "      shots-at-bauckholt.target_weapon_use:\n",
        "      bauckholt.armed_with: {value: unarmed, source: globe}\n"
        "      shots-at-bauckholt.target_weapon_use:\n", 1)
    run = cli("validate", str(_write(tmp_path, text)))
    assert run.code == 2 and "error[S022]" in run.err and "using-a-weapon-means-armed" in run.err
    assert "trying to draw a weapon was armed" in run.err


def test_an_attempted_draw_makes_no_threat_by_itself(cli, tmp_path):
    """No policy text makes an attempt to draw an imminent threat: without the account's inferred
    threat, the shots at the passenger stay open under the prosecution."""
    text = COVENTRY.read_text(encoding="utf-8")
    start = text.index("      shots-at-bauckholt.threat_of_death_or_serious_injury:")
    end = text.index("      shots-at-youngblut.actions_directed_only_at_self_or_property:")
    doc = _json(cli, str(_write(tmp_path, text[:start] + text[end:])), "--clause",
                "deadly-force-imminent-threat", "--account", "prosecution")
    cell = _verdict(doc, "deadly-force-imminent-threat", "prosecution")
    assert cell["verdict"] == "undetermined" and set(cell["possible"]) == {"met", "breached"}
    shipped = _json(cli, str(COVENTRY))
    assert _verdict(shipped, "deadly-force-imminent-threat", "prosecution")["verdict"] == "met"


# --- a person hit by force aimed at someone else ----------------------------------------------


def test_a_passenger_hit_is_reached_by_dojs_medical_aid_duty_not_by_dhss(cli, tmp_path):
    path = _write(tmp_path, PASSENGER)
    doj = _verdict(_json(cli, str(path), "--policy", "doj"), "medical-aid", "report")
    assert doj["verdict"] == "breached"
    items = {i["about"]: i["verdict"] for i in doj["items"]}
    assert items == {"the driver": "met", "the passenger": "breached"}
    dhs = _verdict(_json(cli, str(path)), "medical-aid", "report")
    assert dhs["verdict"] == "met" and [i["about"] for i in dhs["items"]] == ["the driver"]
    # Not force: no deadly-force item for the hit itself.
    card = _verdict(_json(cli, str(path)), "deadly-force-imminent-threat", "report")
    assert len(card["items"]) == 1 and "shots" in card["items"][0]["about"]


def test_an_unintended_hit_needs_its_force_first(cli, tmp_path):
    text = PASSENGER.replace("  - {id: shots, actor: officer, action: fire_firearm, target: driver,\n"
                             "     description: The officer fires at the driver.}\n", "")
    text = text.replace("    driver.injured_or_asked_for_aid: yes\n"
                        "    driver.medical_aid_obtained: yes\n", "")
    run = cli("validate", str(_write(tmp_path, text)))
    assert run.code == 2
    assert "error[S030]: event 'hit' (hit_unintended) follows no force by 'officer'" in run.err
    text = PASSENGER.replace("action: hit_unintended, target: passenger,", "action: hit_unintended,")
    text = text.replace("    passenger.injured_or_asked_for_aid: yes\n"
                        "    passenger.medical_aid_obtained: no\n", "")
    run = cli("validate", str(_write(tmp_path, text)))
    assert run.code == 2 and "error[S030]: event 'hit' (hit_unintended) names no one hit" in run.err


def test_the_south_los_angeles_marshal_is_reached_under_doj_only(cli):
    doj = _verdict(_json(cli, str(SOUTH_LA), "--policy", "doj"), "medical-aid", "video")
    assert len(doj["items"]) == 2 and all(i["verdict"] == "met" for i in doj["items"])
    dhs = _verdict(_json(cli, str(SOUTH_LA)), "medical-aid", "video")
    assert len(dhs["items"]) == 1


# --- an officer of another agency -------------------------------------------------------------


def test_an_officer_of_another_agency_is_not_judged(cli, tmp_path):
    """The same shot judged when the shooter is a DHS officer, not when he is another agency's."""
    ours = _write(tmp_path, PASSENGER, "ours.yaml")
    other = PASSENGER.replace("{id: officer, role: officer,", "{id: officer, role: other_officer,")
    theirs = _write(tmp_path, other.replace("    officer.on_duty: yes\n", ""), "theirs.yaml")
    judged = _verdict(_json(cli, str(ours)), "deadly-force-imminent-threat", "report")
    assert judged["verdict"] == "undetermined"
    doc = _json(cli, str(theirs))
    assert _verdict(doc, "deadly-force-imminent-threat", "report")["verdict"] == "not_applicable"
    doj = _json(cli, str(theirs), "--policy", "doj")
    assert _verdict(doj, "medical-aid", "report")["verdict"] == "not_applicable"
    people = {p["id"]: p["role"] for p in doc["people"]}
    assert people["officer"] == "other_officer"
    assert "other_officer" in cli("vocabulary").out

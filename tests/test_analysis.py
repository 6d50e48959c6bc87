"""Issue 3: contradictions caught before evaluation, hypotheticals, open questions, wording,
and scenario-wide expectations."""

import json
import re
import shutil

import pytest

from forcecheck.diagnostics import InputError
from forcecheck.evaluation.evaluate import evaluate
from forcecheck.scenario.load import load_scenario
from forcecheck.testing.expectations import mismatches

from conftest import SCENARIOS
from test_scenario import GOOD, diagnostics

MPLS = str(SCENARIOS / "real" / "minneapolis-2026-01-07.yaml")
PORTER = str(SCENARIOS / "real" / "northridge-2025-12-31.yaml")
NOBODY = str(SCENARIOS / "teaching" / "facts-nobody-states.yaml")

TWO_EVENTS = GOOD.replace("undisputed:", """  - id: drive
    actor: man
    action: drive_vehicle
    description: drives
undisputed:""")


def at(d):
    return (d.code, d.span.line, d.span.column)


# --- contradictions, before evaluation --------------------------------------------------


def test_an_account_putting_an_event_both_before_and_after_another(tmp_path, policy):
    text = TWO_EVENTS + "    order: [drive before shots, shots before drive]\n"
    (d,) = diagnostics(tmp_path, text, policy)
    assert d.code == "S024" and "both before and after" in d.message
    assert d.span.line == text.splitlines().index("    order: [drive before shots, shots before drive]") + 1


def test_an_accounts_order_overrides_the_timeline(tmp_path, policy):
    f = tmp_path / "s.yaml"
    f.write_text(TWO_EVENTS + "    order: [drive before shots]\n")
    sc = load_scenario(f, policy)
    events = sc.world(sc.accounts[0]).events
    assert events["drive"].index < events["shots"].index


def test_an_order_statement_naming_no_event(tmp_path, policy):
    (d,) = diagnostics(tmp_path, TWO_EVENTS + "    order: [drive before shot]\n", policy)
    assert d.code == "S028" and d.hint == "did you mean 'shots'?"


def test_facts_the_policy_declares_exclusive(tmp_path, policy):
    text = GOOD + ("      shots.threat_of_death_or_serious_injury: yes\n"
                   "      shots.threat_had_ended: yes\n")
    (d,) = diagnostics(tmp_path, text, policy)
    assert at(d) == ("S022", 27, 7) and "breaks the policy's constraint 'exclusive: " in d.message
    assert "shots.threat_had_ended is yes" in d.message


def test_an_action_by_someone_not_present_in_that_account(tmp_path, policy):
    text = GOOD.replace("    description: an officer\n", "    description: an officer\n    accounts: [two]\n")
    text += "  - id: two\n    name: Two\n"
    found = diagnostics(tmp_path, text, policy)
    assert {d.code for d in found} == {"S025"}
    assert any("event 'shots' has actor 'officer', who is not present" in d.message for d in found)


def test_a_fact_about_an_event_that_did_not_happen_in_that_account(tmp_path, policy):
    text = GOOD.replace("    description: shots\n", "    description: shots\n    accounts: [two]\n")
    text += "  - id: two\n    name: Two\n"
    (d,) = diagnostics(tmp_path, text, policy)
    assert at(d) == ("S025", 26, 7) and "which did not happen in that account" in d.message


# --- hypotheticals -------------------------------------------------------------------------


def test_assume_on_top_of_an_account_shows_what_changed(cli):
    run = cli("check", PORTER, "--base", "family", "--assume", "reaches_off_duty_officers=yes")
    assert run.code == 0  # a breach under a hypothetical is not a breach under any account
    words = " ".join(run.out.split())
    assert "Hypothetical (not an account): the Family account, with these assumptions:" in words
    assert "assumed yes; the policy text leaves it open" in words
    rows = [line.split()[1:] for line in run.out.splitlines()
            if line.startswith("deadly-force-imminent-threat ")]
    # one table: the accounts and the hypothetical side by side (the fact ids are in the
    # contested section when the width is short)
    assert rows == [["?", "met/n/a", "?", "breached/n/a", "breached", "*", "~"]]


def test_a_hypothetical_is_never_an_account(compiled):
    from forcecheck.scenario.hypothesis import parse_hypothesis

    sc = load_scenario(MPLS, compiled.policy)
    h = parse_hypothesis(sc, compiled.policy, ["driving.driven_at_person=no"], "dhs")
    r = evaluate(compiled, sc, hypothesis=h)
    assert [a.account.id for a in r.accounts] == ["dhs", "video"]
    assert r.hypothetical.result.account.hypothetical
    (change,) = r.hypothetical.changes
    assert (change.before, change.after) == (True, False)
    # The DHS account still has its own threat statement, so the verdict holds.
    assert r.hypothetical.result.clause("deadly-force-imminent-threat").verdict == "met"


def test_hypothetical_in_json(cli):
    doc = json.loads(cli("check", MPLS, "--format", "json", "--assume",
                         "shots.subject_fleeing=yes", "--base", "dhs").out)
    h = doc["scenarios"][0]["hypothetical"]
    assert h["base"] == "dhs"
    assert h["assumptions"] == [{"subject": "shots", "fact": "subject_fleeing",
                                 "question": h["assumptions"][0]["question"], "before": None,
                                 "assumed": True, "was": "no account states it"}]
    verdict = next(v for v in h["verdicts"] if v["clause"] == "fleeing-subject")
    assert (verdict["verdict"], verdict["possible"]) == ("met", ["met"])
    card = next(c for c in doc["scenarios"][0]["clauses"] if c["id"] == "fleeing-subject")
    assert card["hypothetical"]["verdict"] == "met"


@pytest.mark.parametrize(("args", "message"), [
    (["--assume", "shots.subject_fleing=yes"], "did you mean 'subject_fleeing'?"),
    (["--assume", "shots.subject_fleeing=perhaps"], "is not a value of shots.subject_fleeing"),
    (["--assume", "nonsense"], "should be SUBJECT.FACT=VALUE"),
    (["--assume", "reaches_off_duty=yes"], "did you mean 'reaches_off_duty_officers'?"),
    (["--base", "dsh", "--assume", "shots.subject_fleeing=yes"], "did you mean 'dhs'?"),
    (["--base", "dhs"], "--base needs at least one --assume"),
])
def test_bad_assumptions_exit_2(cli, args, message):
    run = cli("check", MPLS, *args)
    assert run.code == 2 and message in run.err and run.out == ""


# --- open questions ------------------------------------------------------------------------


def test_questions_view_ranks_what_would_settle_the_verdicts(cli):
    run = cli("check", NOBODY, "--questions")
    lines = run.out.splitlines()
    assert any(line.startswith("Open questions, most decisive first") for line in lines)
    numbered = [line.strip() for line in lines if line.strip()[:1] == "Q"]
    # Ranked by the verdicts each decides, a policy question among the facts (issue 21).
    words = " ".join(run.out.split())
    counts = [int(n) for n in re.findall(r"\((\d+) verdicts?;", words)]
    assert counts == sorted(counts, reverse=True) and len(counts) == len(numbered)
    assert ("the officer who fired: Was this officer on duty at the time of the incident? (12 verdicts;"
            in words)
    assert any(n.split(" ", 1)[1].startswith("Does the DHS use-of-force policy reach") for n in numbered)
    assert "- release: objectively-reasonable-force (shots): with other facts" in run.out
    assert "Traceback" not in run.err


def test_questions_view_in_json(cli):
    doc = json.loads(cli("check", PORTER, "--questions", "--format", "json").out)
    assert doc["format"] == "forcecheck.questions/2"
    questions = doc["scenarios"][0]["questions"]
    # The question that decides most comes first, a policy question or not (issue 21).
    assert [len(q["decides"]) for q in questions] == sorted((len(q["decides"]) for q in questions),
                                                            reverse=True)
    reach = questions[0]
    assert reach["fact"] == "reaches_off_duty_officers" and reach["ref"] == "Q1"
    # 13: DHS's threat-to-self rule is not applicable under the DHS account whoever it reaches
    assert len(reach["decides"]) == 13


# --- wording ------------------------------------------------------------------------------


def test_one_phrasing_for_each_epistemic_state(cli):
    words = " ".join(cli("check", MPLS, "--explain", "full").out.split())
    assert "the DHS account states this" in words
    assert "the Video and witnesses account states this" in words
    assert "all accounts agree" in words
    assert "no account states this" in words
    assert "The accounts conflict." in words
    assert "may be the case" not in words and "might" not in words


def test_a_silent_account_is_no_conflict(cli):
    doc = json.loads(cli("check", MPLS, "--format", "json").out)
    facts = {f["key"]: f for f in doc["scenarios"][0]["disputed_facts"]}
    # DHS says the car was driven at officers; the video account says nothing either way.
    assert facts["driving.driven_at_person"]["conflict"] is False
    assert facts["driving.driven_at_person"]["standing"] == "only DHS states it"
    assert facts["shots.threat_of_death_or_serious_injury"]["conflict"] is True


# --- expectations across the scenario ---------------------------------------------------


def test_wrong_scenario_wide_expectations_are_reported(compiled, tmp_path):
    copy = tmp_path / "m.yaml"
    shutil.copy(MPLS, copy)
    text = copy.read_text()
    text = text.replace("      - fleeing-subject\n", "", 1)  # in the DHS block of the list of expectations
    three = "[shots.significant_threat_if_escaped, shots.threat_of_death_or_serious_injury]"
    one = "[shots.threat_of_death_or_serious_injury]"
    assert f"deadly-force-imminent-threat: {three}" in text
    text = text.replace(f"deadly-force-imminent-threat: {three}", f"deadly-force-imminent-threat: {one}")
    copy.write_text(text)
    found = [str(m) for m in mismatches(evaluate(compiled, load_scenario(copy, compiled.policy)))]
    assert any(m.startswith("all accounts: contested: expected [") for m in found)
    assert ("all accounts: deadly-force-imminent-threat (deciding facts): expected "
            f"{one}, got {three}") in found


def test_reserved_expect_keys_cannot_be_account_ids(tmp_path, policy):
    with pytest.raises(InputError) as info:
        f = tmp_path / "s.yaml"
        f.write_text(GOOD.replace("  - id: one", "  - id: contested"))
        load_scenario(f, policy)
    assert [d.code for d in info.value.diagnostics] == ["S010"]

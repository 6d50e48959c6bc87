"""More than one policy: the shared incident vocabulary, 8 C.F.R. § 287.8(a)(2) and the DOJ
policy encoded beside the DHS one, one scenario checked under each, and side by side."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT, SCENARIOS

MPLS = str(SCENARIOS / "real" / "minneapolis-2026-01-07.yaml")
NORTHRIDGE = str(SCENARIOS / "real" / "northridge-2025-12-31.yaml")
STEP_ASIDE = str(SCENARIOS / "teaching" / "step-aside-possible.yaml")
SHIPPED = ["dhs", "cfr-287-8", "doj"]


def test_the_shipped_policies_are_listed(cli):
    out = cli("policies").out
    for name, pid in (("dhs", "dhs-uof"), ("doj", "doj-uof"), ("cfr-287-8", "cfr-287-8")):
        assert f"{name}: " in out and f"id {pid};" in out
    # DOJ: transcriptions, item 2 known only in part, the 2021 restraint policy from a press release
    assert "quotes: 1 paraphrase, 1 partial, 14 transcription" in out
    assert "(regulation)" in out


@pytest.mark.parametrize("name", SHIPPED)
def test_every_policy_loads_by_name_and_proves_its_quotes(name):
    from forcecheck.policy.load import load_policy, verify_quotes

    policy = load_policy(name).policy
    assert verify_quotes(policy) == [] and policy.clauses
    assert all(c.quotes for c in policy.clauses)
    # the facts that describe an incident come from the shared vocabulary
    assert "event.threat_of_death_or_serious_injury" in policy.facts
    assert policy.facts["event.threat_of_death_or_serious_injury"].span.path.endswith("incident.rules")


def test_where_doj_says_should_the_clause_is_should():
    from forcecheck.policy.load import load_policy

    policy = load_policy("doj").policy
    for clause in policy.clauses:
        said = " ".join(q.text for q in clause.quotes)
        if " should not " in said and " must " not in said and " may not " not in said:
            assert clause.strength == "should", clause.id
    assert policy.clause("threat-solely-to-self-or-property").strength == "should"
    assert policy.clause("moving-vehicle").strength == "must not"


def test_a_quote_that_drifts_from_its_source_stops_the_policy(tmp_path):
    from forcecheck.diagnostics import InputError
    from forcecheck.policy.load import load_policy

    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    rules = tmp_path / "policy" / "doj" / "policy.rules"
    rules.write_text(rules.read_text(encoding="utf-8").replace("which includes moving out of the path",
                                                                "which includes moving out of path"),
                     encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_policy(tmp_path / "policy" / "doj")
    assert err.value.diagnostics[0].code == "Q001"


def test_vocabulary_errors_are_located(cli, tmp_path):
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    rules = tmp_path / "policy" / "cfr-287-8" / "policy.rules"
    text = rules.read_text(encoding="utf-8")
    missing = text.replace('uses "../vocabulary/incident.rules"', 'uses "../vocabulary/nothing.rules"')
    rules.write_text(missing, encoding="utf-8")
    run = cli("clauses", "--policy", str(rules))
    line = text[: text.index('uses "')].count("\n") + 1
    assert run.code == 2
    assert f"policy.rules:{line}:1: error[P004]: vocabulary '../vocabulary/nothing.rules' does not exist" \
        in run.err
    vocab = tmp_path / "policy" / "vocabulary" / "incident.rules"
    rules.write_text(text, encoding="utf-8")
    vocab.write_text(vocab.read_text(encoding="utf-8") + '\nclause x {\n  title "x"\n}\n', encoding="utf-8")
    run = cli("clauses", "--policy", str(rules))
    assert run.code == 2 and "incident.rules:" in run.err and "P004" in run.err


@pytest.mark.slow  # a sweep of the whole corpus
def test_one_scenario_file_is_checked_under_every_policy(cli):
    for name in SHIPPED:
        for path in (MPLS, NORTHRIDGE, *map(str, sorted((SCENARIOS / "teaching").glob("*.yaml")))):
            run = cli("check", path, "--policy", name, "--format", "json")
            assert run.code in (0, 1), (name, path, run.err)


def verdicts(cli, path, policy):
    doc = json.loads(cli("check", path, "--policy", policy, "--format", "json").out)["scenarios"][0]
    return {row["clause"]: {c["account"]: c["verdict"] for c in row["cells"]} for row in doc["table"]}


def test_minneapolis_under_doj_and_the_regulation(cli):
    doj = verdicts(cli, MPLS, "doj")
    # the video account: no threat, firing at a vehicle not driven at anyone: breached
    assert doj["deadly-force-imminent-danger"] == {"dhs": "met", "video": "breached"}
    assert doj["moving-vehicle"]["video"] == "breached"
    # the DHS account: whether the agent could have moved out of the path is unknown
    assert doj["moving-vehicle"]["dhs"] == "undetermined"
    cfr = verdicts(cli, MPLS, "cfr-287-8")
    assert cfr["deadly-force-standard"] == {"dhs": "undetermined", "video": "breached"}


def test_northridge_under_doj_and_the_regulation(cli):
    doj = verdicts(cli, NORTHRIDGE, "doj")
    # the officer was off duty: whether each policy reaches him is an open question
    assert doj["deadly-force-imminent-danger"] == {"dhs": "undetermined", "family": "undetermined"}
    cfr = verdicts(cli, NORTHRIDGE, "cfr-287-8")
    assert set(cfr["deadly-force-standard"].values()) == {"undetermined"}


def test_expectations_are_for_the_policy_they_name(cli, tmp_path):
    """A one-policy block naming DOJ is run under DOJ by default, and waits under another."""
    f = tmp_path / "doj-only.yaml"
    text = (SCENARIOS / "teaching" / "step-aside-possible.yaml").read_text()
    f.write_text(text[:text.index("expect:")] + "expect:\n  policy: doj-uof\n  report:\n"
                 "    moving-vehicle: breached\n")
    run = cli("test", str(f))
    assert run.code == 0 and "1 expectation met" in run.out
    assert "no expectations" in cli("test", str(f), "--policy", "dhs").out
    run = cli("test", str(f), "--policy", "doj")
    assert run.code == 0 and "1 expectation met" in run.out


def test_side_by_side_names_the_wording_that_makes_the_difference(cli):
    run = cli("check", STEP_ASIDE, "--policy", "dhs", "--policy", "doj")
    assert run.code == 1  # the DOJ moving-vehicle clause is breached
    words = " ".join(run.out.split())
    assert "moving-vehicle: dhs-uof ? met/breached; doj-uof breached <- differs" in words
    assert "which includes moving out of the path of the vehicle" in words  # DOJ's wording
    assert "unless the use of deadly force against the operator is justified" in words  # DHS's
    doc = json.loads(cli("check", STEP_ASIDE, "--policy", "dhs", "--policy", "doj", "--format", "json").out)
    assert doc["format"] == "forcecheck.compare/1"
    assert [p["id"] for p in doc["policies"]] == ["dhs-uof", "doj-uof"]
    moving = next(c for c in doc["concepts"] if c["concept"] == "moving-vehicle")
    assert moving["differs"] and [w["clause"] for w in moving["wording"]] == ["moving-vehicle-operator",
                                                                               "moving-vehicle"]
    same = next(c for c in doc["concepts"] if c["concept"] == "deadly-force")
    assert not same["differs"] and "wording" not in same


def test_side_by_side_of_minneapolis_under_all_three(cli):
    doc = json.loads(cli("check", MPLS, "--policy", "dhs", "--policy", "doj", "--policy", "cfr-287-8",
                         "--format", "json").out)
    deadly = {c["account"]: c for c in doc["concepts"] if c["concept"] == "deadly-force"}
    # under the video account all three are breached; under the DHS account all three wait on
    # whether an alternative appeared to exist (before G4 only the regulation did: an artefact)
    assert {c["verdict"] for c in deadly["video"]["cells"]} == {"breached"}
    assert not deadly["dhs"]["differs"] and not deadly["video"]["differs"]


def test_side_by_side_refuses_what_it_cannot_do(cli):
    for extra in (("--assume", "shots.subject_fleeing=yes"), ("--jobs", "2")):
        run = cli("check", MPLS, "--policy", "dhs", "--policy", "doj", *extra)
        assert run.code == 2 and "U010" in run.err, extra


def test_side_by_side_in_markdown_and_html(cli):
    md = cli("check", STEP_ASIDE, "--policy", "dhs", "--policy", "doj", "--format", "markdown").out
    assert "| Incident report | moving-vehicle | ? met/breached | breached | **differs** |" in md
    assert "which includes moving out of the path of the vehicle" in md
    page = cli("check", STEP_ASIDE, "--policy", "dhs", "--policy", "doj", "--format", "html").out
    assert page.count("<table") == 3 and 'class="differs" data-concept="moving-vehicle"' in page
    assert "<script" not in page and "<q>Specifically, firearms may not be discharged" in page


# A verdict a clause cannot reach, by the policy's own wording, with the reason (none now:
# DOJ's "unless ... in close proximity" can be met since review G1).
UNREACHABLE: dict[tuple[str, str], set[str]] = {}


# Review 2026-12, probe p12 (G1): a man slashing his own arm, an officer one metre away.
P12 = """id: p12
title: Man slashing his own arm with a knife, officer one metre away
kind: teaching
summary: A man in crisis cuts his own arm; the officer is one metre away. She fires.
people:
  - {id: officer, role: officer, description: the officer}
  - {id: man, role: subject, description: the man}
events:
  - {id: shots, actor: officer, action: fire_firearm, target: man, description: officer fires}
undisputed:
  facts:
    officer.on_duty: yes
    shots.actions_directed_only_at_self_or_property: yes
    shots.threat_of_death_or_serious_injury: yes
accounts:
  - {id: a, name: Account}
"""


def test_actions_at_self_and_a_danger_in_close_proximity_can_both_hold(cli, tmp_path):
    """G1: the facts are not exclusive, so DOJ's 'unless ... in close proximity' can apply."""
    probe = tmp_path / "p12.yaml"
    probe.write_text(P12, encoding="utf-8")
    doj = verdicts(cli, str(probe), "doj")  # no longer refused (S022)
    # whether the danger was to those in close proximity is not stated: followed or not
    assert doj["threat-solely-to-self-or-property"] == {"a": "undetermined"}
    probe.write_text(P12.replace("    shots.threat_of_death_or_serious_injury: yes\n",
                                 "    shots.threat_of_death_or_serious_injury: yes\n"
                                 "    shots.danger_to_those_in_close_proximity: yes\n"), encoding="utf-8")
    doj = verdicts(cli, str(probe), "doj")
    assert doj["threat-solely-to-self-or-property"] == {"a": "met"}
    assert doj["deadly-force-imminent-danger"] == {"a": "met"}
    # DHS's press summary gives no exception: a plain prohibition, which the reading says
    assert verdicts(cli, str(probe), "dhs")["threat-only-to-self-or-property"] == {"a": "breached"}
    from forcecheck.policy.load import load_policy

    reading = load_policy("doj").policy.clause("threat-solely-to-self-or-property").reading
    assert "in close proximity" in reading and "not followed whenever it applies" not in reading


def test_a_danger_in_close_proximity_is_an_imminent_threat(cli, tmp_path):
    probe = tmp_path / "p12.yaml"
    probe.write_text(P12.replace("shots.threat_of_death_or_serious_injury: yes",
                                 "shots.threat_of_death_or_serious_injury: no\n"
                                 "    shots.danger_to_those_in_close_proximity: yes"), encoding="utf-8")
    run = cli("check", str(probe), "--policy", "doj")
    assert run.code == 2 and "danger-in-close-proximity-is-an-imminent-threat" in run.err


def test_the_threat_to_self_prohibition_is_not_applicable_when_its_trigger_is_false(cli):
    """G13: DHS, like DOJ, puts the trigger in `applies to`; Minneapolis, DHS account: she drove
    at the agent, so her actions were not directed only at herself."""
    dhs = verdicts(cli, MPLS, "dhs")["threat-only-to-self-or-property"]
    doj = verdicts(cli, MPLS, "doj")["threat-solely-to-self-or-property"]
    assert dhs["dhs"] == doj["dhs"] == "not_applicable"


@pytest.mark.parametrize("name", ["doj", "cfr-287-8"])
def test_the_teaching_cases_for_a_policy_reach_every_verdict_of_its_clauses(name):
    """As for the DHS policy: the teaching cases whose expectations are for this policy take
    each of its clauses to met, breached, undetermined and not applicable (and those
    expectations hold, through `forcecheck test`)."""
    from forcecheck.evaluation.evaluate import evaluate
    from forcecheck.policy.load import load_policy
    from forcecheck.scenario.load import load_scenario
    from forcecheck.testing.expectations import mismatches

    compiled = load_policy(name)
    reached = {c.id: set() for c in compiled.policy.clauses}
    cases = 0
    for path in sorted((SCENARIOS / "teaching").glob("*.yaml")):
        sc = load_scenario(path, compiled)
        if sc.model.expectations(compiled.policy.id) is None:
            continue
        cases += 1
        result = evaluate(compiled, sc)
        assert mismatches(result) == [], path
        for account in result.accounts:
            for cv in account.clauses:
                reached[cv.clause.id].add(cv.verdict)
    assert cases >= 2
    for clause, got in reached.items():
        unreachable = UNREACHABLE.get((name, clause), set())
        wanted = {"met", "breached", "undetermined", "not_applicable"} - unreachable
        assert got >= wanted, (clause, sorted(wanted - got))


def test_an_unknown_policy_name_suggests_a_shipped_one(cli):
    run = cli("check", MPLS, "--policy", "dj")
    assert run.code == 2 and "no policy 'dj'" in run.err and "did you mean 'doj'?" in run.err
    run = cli("clauses", "--policy", "nosuch")
    assert run.code == 2 and "shipped policies: dhs, cfr-287-8, doj" in run.err


def test_a_fact_another_shipped_policy_reads_is_not_idle(cli):
    """W011 warns of a stated fact no clause can read; a fact of the shared vocabulary that the
    DOJ policy reads is not one, even when the DHS policy does not read it."""
    run = cli("validate", STEP_ASIDE)  # states shots.solely_to_disable_vehicle, read by DOJ only
    assert run.code == 0 and "W011" not in run.err


# --- December review, M9: a shipped name is never shadowed by a local path -------------------------

@pytest.fixture
def local_dhs(tmp_path, monkeypatch):
    """A folder holding its own `dhs/` (a fork, a contributed set) whose every `must` is a
    `should`, with the shipped title; the current folder while the test runs."""
    shutil.copytree(ROOT / "policy" / "dhs", tmp_path / "dhs")
    shutil.copytree(ROOT / "policy" / "vocabulary", tmp_path / "vocabulary")
    rules = tmp_path / "dhs" / "policy.rules"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("strength must not\n", "strength should\n")
                     .replace("strength must\n", "strength should\n"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "dhs"


def test_a_shipped_name_means_the_shipped_policy_even_beside_a_folder_of_that_name(cli, local_dhs):
    shipped = cli("check", MPLS, "--policy", "dhs")
    assert shipped.code == 1  # the shipped policy: a `must` is breached
    assert cli("check", MPLS).out == shipped.out
    local = cli("check", MPLS, "--policy", "./dhs")  # written as a path: the local folder
    assert local.code == 0 and local.out != shipped.out
    assert cli("check", MPLS, "--policy", str(local_dhs / "policy.rules")).code == 0


@pytest.mark.slow  # a process pool
def test_a_batchs_workers_load_the_policy_the_batch_named(cli, local_dhs):
    assert cli("check", MPLS, NORTHRIDGE, "--policy", "dhs", "--jobs", "2", "--format", "json").code == 1
    assert cli("check", MPLS, NORTHRIDGE, "--policy", "./dhs", "--jobs", "2", "--format", "json").code == 0


def test_a_bare_name_that_is_not_shipped_is_an_error_even_if_a_folder_has_it(cli, local_dhs):
    from forcecheck.diagnostics import InputError
    from forcecheck.policy.load import load_policy

    (local_dhs.parent / "dhs").rename(local_dhs.parent / "mine")
    run = cli("clauses", "--policy", "mine")
    assert run.code == 2 and "error[P003]: no policy 'mine'" in run.err
    assert "for the folder 'mine' here, write ./mine" in run.err
    assert cli("clauses", "--policy", "./mine").code == 0
    with pytest.raises(InputError):
        load_policy("mine")
    assert load_policy(local_dhs.parent / "mine").policy.id == "dhs-uof"  # a Path is a path


def test_side_by_side_text_columns_never_run_together(cli):
    """G11: each column is as wide as its widest cell plus a gap (Northridge ran them together:
    '? met/breached/n/a? breached/n/a', 'not applicablenot applicable')."""
    out = cli("check", NORTHRIDGE, "--policy", "dhs", "--policy", "doj", "--policy", "cfr-287-8").out
    assert "n/a?" not in out and "applicablenot" not in out and "n/anot" not in out
    row = next(line for line in out.splitlines() if line.strip().startswith("safe-tactics "))
    assert row.split("  ")[-1].strip() == "? met/n/a" and "? met/not followed/n/a  " in row


# Review 2026-12, probe p10 (G3): a carotid restraint on a resisting, unarmed man; partner watches.
P10 = """id: p10
title: Carotid restraint on a resisting, unarmed man; partner watches
kind: teaching
summary: An officer applies a carotid restraint; his partner could have stopped it and did not.
people:
  - {id: officer, role: officer, description: the officer}
  - {id: partner, role: officer, description: the partner}
  - {id: man, role: subject, description: the man}
events:
  - {id: hold, actor: officer, action: neck_restraint, target: man, description: carotid restraint}
undisputed:
  facts:
    officer.on_duty: yes
    partner.on_duty: yes
    hold.threat_of_death_or_serious_injury: no
    hold.subject_fleeing: no
    hold.likely_to_kill_or_seriously_injure: no
    hold.force_reasonable: yes
    hold.alternative_appeared_to_exist: no
    partner.able_to_intervene: yes
    partner.intervened: no
    partner.knew_of_improper_force: yes
    partner.reported_force: no
    man.injured_or_asked_for_aid: no
accounts:
  - {id: a, name: Account}
"""


def test_doj_encodes_its_general_standard_and_the_restraint_prohibition(cli, tmp_path):
    """G3: the 2022 general standard, de-escalation and the 2021 chokehold and carotid
    prohibition are encoded, so the carotid hold breaches DOJ as it does DHS, and the duty to
    intervene no longer differs."""
    probe = tmp_path / "p10.yaml"
    probe.write_text(P10, encoding="utf-8")
    doj = verdicts(cli, str(probe), "doj")
    assert doj["neck-restraint"] == {"a": "breached"}
    assert doj["duty-to-intervene"] == {"a": "breached"}
    assert doj["objectively-reasonable-force"] == doj["force-only-when-no-alternative"] == {"a": "met"}
    assert doj["deescalation"] == {"a": "undetermined"}
    doc = json.loads(cli("check", str(probe), "--policy", "dhs", "--policy", "doj", "--format", "json").out)
    intervene = next(c for c in doc["concepts"] if c["concept"] == "duty-to-intervene")
    assert not intervene["differs"]
    from forcecheck.policy.load import load_policy

    policy = load_policy("doj").policy
    assert policy.clause("deescalation").strength == "should"
    assert [q.provenance for q in policy.clause("neck-restraint").quotes] == ["paraphrase"]


def test_what_the_doj_encoding_leaves_out_is_listed():
    text = (ROOT / "docs" / "other-policies.md").read_text(encoding="utf-8")
    left_out = text.split("### Left out", 1)[1].lower()
    for words in ("1.e", "item 2", "chokehold", "training"):
        assert words in left_out, words


def test_a_concept_combines_several_clauses_of_one_policy(cli):
    """G4: DHS's feasible-alternative and DOJ's force-only-when-no-alternative join the
    deadly-force concept beside their deadly-force clauses ("breached if any is, could be
    breached if any could be"), so the regulation's necessity is no longer a difference on
    Minneapolis (DHS account), where the same open fact leaves all three open."""
    doc = json.loads(cli("check", MPLS, "--policy", "dhs", "--policy", "doj", "--policy", "cfr-287-8",
                         "--format", "json").out)
    deadly = {c["account"]: c for c in doc["concepts"] if c["concept"] == "deadly-force"}
    cells = {c["policy"]: c for c in deadly["dhs"]["cells"]}
    assert cells["dhs-uof"]["clause"] == "deadly-force-imminent-threat + feasible-alternative"
    assert [p["clause"] for p in cells["dhs-uof"]["clauses"]] == ["deadly-force-imminent-threat",
                                                                  "feasible-alternative"]
    assert {p["clause"]: p["verdict"] for p in cells["dhs-uof"]["clauses"]} == {
        "deadly-force-imminent-threat": "met", "feasible-alternative": "undetermined"}
    assert {p: (c["verdict"], c["possible"]) for p, c in cells.items()} == {
        "dhs-uof": ("undetermined", ["met", "breached"]), "doj-uof": ("undetermined", ["met", "breached"]),
        "cfr-287-8": ("undetermined", ["met", "breached"])}
    assert not deadly["dhs"]["differs"] and not deadly["video"]["differs"]


def test_combining_clauses_of_one_concept():
    from forcecheck.report.compare import _combine

    def part(verdict, *possible):
        return {"clause": "x", "verdict": verdict, "possible": list(possible or (verdict,)), "short": ""}

    assert _combine([part("met"), part("breached")], True)[:2] == ("breached", ["breached"])
    assert _combine([part("met"), part("undetermined", "met", "breached")], True)[:2] == (
        "undetermined", ["met", "breached"])
    assert _combine([part("met"), part("not_applicable")], True)[:2] == ("met", ["met"])
    assert _combine([part("not_applicable"), part("not_applicable")], True)[:2] == (
        "not_applicable", ["not_applicable"])
    assert _combine([part("undetermined", "met", "not_applicable"), part("not_applicable")], True)[:2] == (
        "undetermined", ["met", "not_applicable"])

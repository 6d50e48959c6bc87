"""Closures: "nothing of this kind happened", stated once ("no moving vehicle was part of the
incident"; "no warning shot was fired"), settle the facts that follow under every policy, are
refused beside what they deny, and are suggested by W010 when they would settle the most."""

import json

import pytest

from conftest import SCENARIOS

KNIFE = SCENARIOS / "teaching" / "knife-alternative-existed.yaml"
CLOSED = ("    incident.moving_vehicle_involved: no\n", "    incident.warning_shot_fired: no\n")
VEHICLE_CLAUSES = {"dhs": ["moving-vehicle-operator", "moving-vehicle-hazards"],
                   "doj": ["disable-moving-vehicle", "moving-vehicle", "fire-from-moving-vehicle"]}


def _open(tmp_path):
    """The knife case without its closures."""
    f = tmp_path / "open.yaml"
    text = KNIFE.read_text()
    for line in CLOSED:
        text = text.replace(line, "")
    f.write_text(text)
    return f


def _verdicts(cli, path, policy):
    import forcecheck

    return {r["clause"]: r["verdict"] for r in forcecheck.check(str(path), policy=policy).to_records()}


@pytest.mark.parametrize("policy", ["dhs", "doj"])
def test_one_closure_settles_every_vehicle_clause_under_each_policy(cli, tmp_path, policy):
    closed = _verdicts(cli, KNIFE, policy)
    opened = _verdicts(cli, _open(tmp_path), policy)
    for clause in VEHICLE_CLAUSES[policy]:
        assert closed[clause] in ("not_applicable", "met"), clause
    assert any(opened[c] == "undetermined" for c in VEHICLE_CLAUSES[policy])


def test_side_by_side_reads_the_vehicle_concept_as_settled_once_closed(cli, tmp_path):
    args = ["--policy", "dhs", "--policy", "doj", "--policy", "cfr-287-8"]
    closed = " ".join(cli("check", str(KNIFE), *args).out.split())
    assert "moving-vehicle: dhs-uof not applicable; doj-uof not applicable" in closed
    opened = " ".join(cli("check", str(_open(tmp_path)), *args).out.split())
    assert "moving-vehicle: dhs-uof ? met/breached/n/a; doj-uof ? met/breached/n/a" in opened


def test_a_closure_beside_what_it_denies_is_refused(cli, tmp_path):
    f = tmp_path / "car.yaml"
    text = (SCENARIOS / "teaching" / "car-driven-at-officer.yaml").read_text()
    f.write_text(text.replace("undisputed:\n  facts:\n",
                              "undisputed:\n  facts:\n    incident.moving_vehicle_involved: no\n", 1))
    run = cli("validate", str(f))
    assert run.code == 2 and "error[S022]" in run.err
    assert "driving-is-a-moving-vehicle" in run.err


def test_a_closure_beside_a_warning_shot_is_refused(cli, tmp_path):
    f = tmp_path / "w.yaml"
    text = (SCENARIOS / "teaching" / "warning-shot-at-shoplifter.yaml").read_text()
    f.write_text(text.replace("undisputed:\n  facts:\n",
                              "undisputed:\n  facts:\n    incident.warning_shot_fired: no\n", 1))
    run = cli("validate", str(f), "--policy", "doj")
    assert run.code == 2 and "no-warning-shot-settles-each-shot" in run.err


def test_a_closure_can_be_assumed(cli, tmp_path):
    run = cli("check", str(_open(tmp_path)), "--policy", "doj", "--assume",
              "incident.moving_vehicle_involved=no", "--format", "json")
    assert run.code in (0, 1)
    doc = json.loads(run.out)
    hypo = doc["scenarios"][0]["hypothetical"]
    assert "moving_vehicle_involved" in json.dumps(hypo)


def test_w010_suggests_the_closure_when_it_settles_the_most(cli, tmp_path):
    run = cli("validate", str(_open(tmp_path)), "--policy", "doj")
    assert run.code == 0
    assert "warning[W010]: incident.moving_vehicle_involved is stated nowhere, and stating it 'no' " \
           "would settle 3 of the" in run.err
    assert "state 'incident.moving_vehicle_involved: no' once under 'undisputed: facts:'" in \
        " ".join(run.err.split())
    # stated, it is suggested no more
    assert "moving_vehicle_involved" not in cli("validate", str(KNIFE), "--policy", "doj").err


def test_w010_never_suggests_a_closure_an_account_contradicts(cli):
    for name in ("car-driven-at-officer", "step-aside-possible", "shots-at-a-fleeing-car"):
        run = cli("validate", str(SCENARIOS / "teaching" / f"{name}.yaml"), "--policy", "doj")
        assert "incident.moving_vehicle_involved is stated nowhere" not in run.err, name


def test_an_unstated_closure_changes_no_verdict_and_is_no_question(tmp_path):
    """Left unstated, a closure settles nothing and is asked of no one: each verdict is what the
    same file gives under a policy without closures (the vocabulary's closure section removed)."""
    import shutil

    import forcecheck

    from conftest import policy_tree

    f = _open(tmp_path)
    dhs = policy_tree(tmp_path)
    vocabulary = dhs.parent / "vocabulary" / "incident.rules"
    text = vocabulary.read_text()
    start = text.index("# --- Closures")
    result = forcecheck.check(str(f), policy="doj")
    assert all(q.unknown.fact != "moving_vehicle_involved" for q in result.evaluation.questions)
    with_closures = result.to_records()
    vocabulary.write_text(text[:start])
    doj = dhs.parent / "doj"
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)
    without = forcecheck.check(str(f), policy=str(doj)).to_records()
    assert with_closures == without

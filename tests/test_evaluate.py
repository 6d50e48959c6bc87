"""Evaluation: verdict semantics, traces that name facts and who stated them, what would
decide an undetermined verdict, and the shipped scenarios' expectations."""

from pathlib import Path

import pytest
from conftest import SCENARIOS

from forcecheck.evaluate import Step, evaluate
from forcecheck.expectations import mismatches, unexpected
from forcecheck.scenario import VERDICTS, load_scenario

ALL = sorted(SCENARIOS.rglob("*.yaml"))
TEACHING = sorted((SCENARIOS / "teaching").glob("*.yaml"))


def result(compiled, name: str, **kw):
    path = next(p for p in ALL if p.stem == name)
    return evaluate(compiled, load_scenario(path, compiled.policy), **kw)


def facts_in(step: Step):
    if step.fact is not None:
        yield step.fact
    for c in step.children:
        yield from facts_in(c)


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_shipped_scenario_expectations_hold(compiled, path: Path):
    r = evaluate(compiled, load_scenario(path, compiled.policy))
    assert [str(m) for m in mismatches(r)] == []


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_every_implicated_clause_has_an_expectation(compiled, path: Path):
    r = evaluate(compiled, load_scenario(path, compiled.policy))
    assert unexpected(r) == []


def test_teaching_corpus_gives_every_clause_every_verdict(compiled):
    reached = {c.id: set() for c in compiled.policy.clauses}
    for path in TEACHING:
        r = evaluate(compiled, load_scenario(path, compiled.policy))
        for acc in r.accounts:
            for cv in acc.clauses:
                reached[cv.clause.id].add(cv.verdict)
    missing = {cid: sorted(set(VERDICTS) - got) for cid, got in reached.items() if got != set(VERDICTS)}
    assert missing == {}
    assert len(TEACHING) >= 6


def test_aiming_alone_implicates_nothing(compiled):
    r = result(compiled, "aim-only")
    assert {r.verdicts(c.id)["report"] for c in r.clauses} == {"not_applicable"}


def test_minneapolis_contested_clauses_and_their_facts(compiled):
    r = result(compiled, "minneapolis-2026-01-07")
    contested = {c.id for c in r.clauses if r.contested(c.id)}
    assert {"deadly-force-imminent-threat", "moving-vehicle-operator",
            "objectively-reasonable-force", "excessive-force-accountability"} <= contested
    item = r.accounts[0].clause("deadly-force-imminent-threat").items[0]
    stated = {(f.fact, f.stated_by, f.source) for f in facts_in(item.requirement)}
    assert ("driven_at_person", "dhs", "seed") in stated
    assert ("threat_of_death_or_serious_injury", "dhs", "startribune") in stated
    video = r.accounts[1].clause("deadly-force-imminent-threat").items[0]
    stated = {(f.fact, f.value, f.stated_by) for f in facts_in(video.requirement)}
    assert ("threat_of_death_or_serious_injury", False, "video") in stated


def test_unknown_facts_show_as_unknown_with_no_one_stating_them(compiled):
    r = result(compiled, "minneapolis-2026-01-07")
    item = r.accounts[1].clause("deadly-force-imminent-threat").items[0]
    unknown = [f for f in facts_in(item.requirement) if f.value is None]
    assert unknown and all(f.stated_by is None for f in unknown)


def test_undetermined_verdict_names_the_facts_that_would_decide_it(compiled):
    r = result(compiled, "minneapolis-2026-01-07")
    item = r.accounts[1].clause("deadly-force-imminent-threat").items[0]
    assert item.verdict == "undetermined"
    outcomes = {d.fact: {o.value: o.verdict for o in d.outcomes} for d in item.deciders}
    assert outcomes["significant_threat_if_escaped"][False] == "breached"


def test_off_duty_reach_is_left_open_and_named(compiled):
    r = result(compiled, "northridge-2025-12-31")
    dhs = r.accounts[0].clause("deadly-force-imminent-threat").items[0]
    family = r.accounts[1].clause("deadly-force-imminent-threat").items[0]
    assert dhs.verdict == family.verdict == "undetermined"

    def if_reached(item):
        d = next(d for d in item.deciders if d.fact == "reaches_off_duty_officers")
        return {o.value: o.verdict for o in d.outcomes}

    assert if_reached(dhs) == {True: "met", False: "not_applicable"}
    assert if_reached(family) == {True: "breached", False: "not_applicable"}


def test_should_clause_breach_does_not_count_as_a_breach(compiled):
    r = result(compiled, "car-driving-away", clauses=["safe-tactics"])
    assert r.verdicts("safe-tactics") == {"report": "breached"}
    assert r.breached is False


def test_forbids_is_breached_when_the_condition_holds(compiled):
    r = result(compiled, "threat-to-self-only", clauses=["threat-only-to-self-or-property"])
    item = r.accounts[0].clause("threat-only-to-self-or-property").items[0]
    assert item.verdict == "breached"
    assert item.requirement.kind == "forbids" and item.requirement.value is False


def test_account_and_clause_filters(compiled):
    r = result(compiled, "minneapolis-2026-01-07", accounts=["video"], clauses=["medical-aid"])
    assert [a.account.id for a in r.accounts] == ["video"]
    assert [c.id for c in r.clauses] == ["medical-aid"]


def test_per_thing_verdicts_for_multi_variable_clauses(compiled):
    r = result(compiled, "compliant-person-struck")
    items = r.accounts[0].clause("duty-to-intervene").items
    assert [(i.label, i.verdict) for i in items] == [("colleague/strike", "met")]

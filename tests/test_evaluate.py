"""Evaluation: verdict semantics, traces that name facts and who stated them, what would
decide an undetermined verdict, and the shipped scenarios' expectations."""

from pathlib import Path

import pytest

from forcecheck.evaluation.evaluate import evaluate
from forcecheck.evaluation.results import Step
from forcecheck.scenario.load import load_scenario
from forcecheck.scenario.schema import VERDICTS
from forcecheck.testing.expectations import unexpected

from conftest import SCENARIOS

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


# The shipped scenarios' expectations run as test items of their own, through the pytest
# plugin (`testpaths` includes scenarios/); see tests/test_runner.py for the plugin itself.


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_every_implicated_clause_has_an_expectation(compiled, path: Path):
    """Under each policy it holds expectations for (the DHS policy unless `expect:` names
    another, or lists several)."""
    from forcecheck.testing.runner import ShippedPolicies, policies_expected

    shipped = ShippedPolicies()
    for policy_id in policies_expected(path):
        under = shipped.get(policy_id)
        r = evaluate(under, load_scenario(path, under))
        assert unexpected(r) == [], policy_id


def test_teaching_corpus_gives_every_clause_every_verdict(compiled):
    reached = {c.id: set() for c in compiled.policy.clauses}
    for path in TEACHING:
        r = evaluate(compiled, load_scenario(path, compiled.policy))
        for acc in r.accounts:
            for cv in acc.clauses:
                reached[cv.clause.id].add(cv.verdict)
    missing = {cid: sorted(set(VERDICTS) - got) for cid, got in reached.items() if got != set(VERDICTS)}
    # DHS's threat-to-self rule is a plain prohibition whose trigger is in `applies to` (review
    # 2026-12, G1 and G13): applicable means breached, so it is never met.
    assert missing == {"threat-only-to-self-or-property": ["met"]}
    assert len(TEACHING) >= 20


def test_drawing_alone_implicates_nothing(compiled):
    r = result(compiled, "draw-only")
    assert {r.verdicts(c.id)["report"] for c in r.clauses} == {"not_applicable"}


def test_aiming_is_force_but_not_deadly_force(compiled):
    r = result(compiled, "aim-only")
    assert r.verdicts("deadly-force-imminent-threat")["report"] == "not_applicable"
    assert r.verdicts("objectively-reasonable-force")["report"] == "met"


def test_minneapolis_contested_clauses_and_their_facts(compiled):
    r = result(compiled, "minneapolis-2026-01-07")
    contested = {c.id for c in r.clauses if r.contested(c.id)}
    assert {"deadly-force-imminent-threat", "moving-vehicle-operator",
            "objectively-reasonable-force", "excessive-force-accountability"} <= contested
    item = r.accounts[0].clause("deadly-force-imminent-threat").items[0]
    stated = {(f.fact, f.stated_by, f.source) for f in facts_in(item.requirement)}
    assert ("threat_of_death_or_serious_injury", "dhs", "startribune") in stated
    video = r.accounts[1].clause("deadly-force-imminent-threat").items[0]
    stated = {(f.fact, f.value, f.stated_by, f.inferred) for f in facts_in(video.requirement)}
    assert ("threat_of_death_or_serious_injury", False, "video", True) in stated


def test_unknown_facts_show_as_unknown_with_no_one_stating_them(compiled):
    r = result(compiled, "minneapolis-2026-01-07")
    item = r.accounts[1].clause("deadly-force-imminent-threat").items[0]
    unknown = [f for f in facts_in(item.requirement) if f.value is None]
    assert unknown and all(f.stated_by is None for f in unknown)


def settled(item) -> dict:
    """{frozenset of (fact key, value): verdict} for an item's settlements."""
    return {frozenset((u.key, v) for u, v in st.assignments): st.verdict for st in item.settlements}


def test_undetermined_verdict_names_the_facts_that_would_decide_it(compiled):
    r = result(compiled, "minneapolis-2026-01-07")
    item = r.accounts[0].clause("fleeing-subject").items[0]
    assert (item.verdict, item.possible) == ("undetermined", ("met", "not_applicable"))
    assert settled(item) == {
        frozenset({("shots.subject_fleeing", True)}): "met",
        frozenset({("shots.subject_fleeing", False)}): "not_applicable",
    }


@pytest.mark.slow  # a sweep of the whole corpus
def test_settlements_are_minimal(compiled):
    for path in ALL:
        r = evaluate(compiled, load_scenario(path, compiled.policy))
        for acc in r.accounts:
            for cv in acc.clauses:
                for item in cv.items:
                    sets = [(frozenset(s.assignments), s.verdict) for s in item.settlements]
                    for a, va in sets:
                        assert not any(b < a and vb == va for b, vb in sets), (path.stem, cv.clause.id)


def test_off_duty_reach_is_left_open_and_named(compiled):
    r = result(compiled, "northridge-2025-12-31")
    dhs = r.accounts[0].clause("deadly-force-imminent-threat").items[0]
    family = r.accounts[1].clause("deadly-force-imminent-threat").items[0]
    assert dhs.verdict == family.verdict == "undetermined"
    assert settled(dhs)[frozenset({("reaches_off_duty_officers", True)})] == "met"
    assert settled(family)[frozenset({("reaches_off_duty_officers", True)})] == "breached"
    assert settled(family)[frozenset({("reaches_off_duty_officers", False)})] == "not_applicable"


def test_contested_clause_names_the_smallest_flipping_facts(compiled):
    r = result(compiled, "minneapolis-2026-01-07")
    (to_video, to_dhs) = r.disputes["deadly-force-imminent-threat"]
    assert (to_video.from_account, to_video.to_account) == ("dhs", "video")
    # With no threat, the escape exception stays open unless the significant threat goes too.
    # (DHS's car driven at officers no longer moves with the threat: the constraint tying an
    # earlier drive to the threat needs the agent to have known of it, which no one states.)
    assert {f.key for f in to_video.facts} == {"shots.significant_threat_if_escaped",
                                               "shots.threat_of_death_or_serious_injury"}
    # From the video account, one fact suffices: the threat as the agent saw it.
    assert {f.key for f in to_dhs.facts} == {"shots.threat_of_death_or_serious_injury"}
    assert to_video.smallest and to_dhs.smallest
    (fact,) = to_dhs.facts
    assert [(p.account, p.value, p.stated_by, p.source) for p in fact.positions] == [
        ("dhs", True, "dhs", "startribune"), ("video", False, "video", "seed")]


def test_open_questions_are_ranked_by_how_many_verdicts_they_decide(compiled):
    r = result(compiled, "northridge-2025-12-31")
    # Facts the scenario could state first, each group most decisive first; then the
    # policy's open question, which bears on every undetermined verdict.
    facts = [q for q in r.questions if q.unknown.subject != "policy"]
    assert r.questions[:len(facts)] == tuple(facts)
    counts = [len(q.decides) for q in facts]
    assert counts == sorted(counts, reverse=True)
    reach = r.questions[-1]
    assert reach.unknown.key == "reaches_off_duty_officers"
    undetermined = sum(1 for a in r.accounts for c in a.clauses for i in c.items
                       if i.verdict == "undetermined")
    assert len(reach.decides) == undetermined


def test_should_clause_breach_does_not_count_as_a_breach(compiled):
    r = result(compiled, "steps-in-front-of-car", clauses=["safe-tactics"])
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

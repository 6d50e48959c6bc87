"""A clause that restates another (`restates "ID"`, review 2026-12 F15): shown in the table with
its quote, but its breach is the other clause's, counted once in the answer, the exit status
reasoning, the batch line and the CI findings."""

import json

import pytest

from forcecheck.diagnostics import InputError
from forcecheck.evaluation.evaluate import evaluate
from forcecheck.policy.checker import check_policy
from forcecheck.policy.parser import parse_policy_text
from forcecheck.scenario.load import load_scenario

from conftest import SCENARIOS

MPLS = SCENARIOS / "real" / "minneapolis-2026-01-07.yaml"
STRUCK = SCENARIOS / "teaching" / "compliant-person-struck.yaml"
DHS_SCENARIOS = sorted([*(SCENARIOS / "teaching").glob("*.yaml"), *(SCENARIOS / "real").glob("*.yaml")])


def test_the_dhs_restatement_holds_on_every_shipped_scenario(compiled):
    """excessive-force-accountability is breached exactly when objectively-reasonable-force is,
    and could be exactly when it could be: the encoding bears out what `restates` claims."""
    clause = next(c for c in compiled.policy.clauses if c.id == "excessive-force-accountability")
    assert clause.restates == "objectively-reasonable-force" and not clause.counted
    for path in DHS_SCENARIOS:
        r = evaluate(compiled, load_scenario(path, compiled.policy))
        for a in r.accounts:
            ours, theirs = a.clause(clause.id), a.clause(clause.restates)
            breach = lambda cv: (cv.verdict == "breached", "breached" in cv.possible)  # noqa: E731
            assert breach(ours) == breach(theirs), (path.stem, a.account.id)


def test_minneapolis_counts_the_breach_once(cli):
    run = cli("check", str(MPLS), "--policy", "dhs")
    assert run.code == 1
    assert "Under DHS's account, no must clause is determinately breached; 7 could be" in run.out
    prose = " ".join(run.out.split())
    assert "objectively-reasonable-force and 3 other must clauses are breached" in prose
    assert "= excessive-force-accountability restates objectively-reasonable-force" in prose
    row = next(line for line in run.out.splitlines() if line.startswith("excessive-force-accountability"))
    assert "breached" in row and row.rstrip().endswith("=")  # still shown, marked
    doc = json.loads(cli("check", str(MPLS), "--policy", "dhs", "--format", "json").out)
    table = {r["clause"]: r for r in doc["scenarios"][0]["table"]}
    assert table["excessive-force-accountability"]["restates"] == "objectively-reasonable-force"
    assert table["objectively-reasonable-force"]["restates"] is None
    assert "objectively-reasonable-force and 3 other must clauses are breached" in " ".join(
        doc["scenarios"][0]["answer"])
    md = cli("check", str(MPLS), "--policy", "dhs", "--format", "markdown").out
    assert "restates objectively-reasonable-force (counted there)" in md


def test_a_breach_of_reasonableness_alone_is_one_clause_not_two(cli):
    run = cli("check", str(STRUCK))
    assert ("2 must clauses (objectively-reasonable-force and feasible-alternative) are breached"
            in " ".join(run.out.split()))
    line = cli("check", str(STRUCK), str(MPLS)).out.splitlines()[0]
    assert "excessive-force-accountability" not in line and "objectively-reasonable-force" in line


BASE = '''policy p { title "t" document "d" version "1" }
document D { title "Source" text "source.md" }
fact event.threat: yes_no "Was there a threat?"
'''


def _clause(name: str, extra: str = "", strength: str = "must") -> str:
    return (f'clause {name} {{ title "t" {extra} strength {strength} quote D transcription "x" '
            "applies to each event e requires e.threat }\n")


def _errors(src: str):
    with pytest.raises(InputError) as info:
        check_policy(parse_policy_text(BASE + src, "p.rules"))
    return [d for d in info.value.diagnostics if d.severity == "error"]


def test_restates_names_a_clause_of_the_policy():
    (d,) = _errors(_clause("a") + _clause("b", 'restates "aa"'))
    assert d.code == "N001" and d.hint == "did you mean 'a'?" and d.span.line == 5


@pytest.mark.parametrize("src, why", [
    (_clause("a", 'restates "a"'), "itself"),
    (_clause("a") + _clause("b", 'restates "a"') + _clause("c", 'restates "b"'), "restates another"),
    (_clause("a", strength="should") + _clause("b", 'restates "a"'), "of another strength"),
])
def test_a_restatement_that_cannot_be_one_is_an_error(src, why):
    (d,) = _errors(src)
    assert d.code == "C012" and why in d.message

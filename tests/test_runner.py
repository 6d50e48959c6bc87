"""`forcecheck test`, its --update and --coverage, and the pytest plugin."""

import shutil

import pytest

from conftest import SCENARIOS

pytest_plugins = ["pytester"]
MPLS = SCENARIOS / "real" / "minneapolis-2026-01-07.yaml"


@pytest.fixture
def broken(tmp_path):
    """A copy of the Minneapolis scenario with one verdict expectation wrong."""
    f = tmp_path / "mpls.yaml"
    text = MPLS.read_text()
    f.write_text(text.replace("    deadly-force-imminent-threat: met\n",
                              "    deadly-force-imminent-threat: breached\n", 1))
    return f


def test_shipped_scenarios_pass(cli):
    run = cli("test", str(SCENARIOS))
    assert run.code == 0
    files = sorted(SCENARIOS.rglob("*.yaml"))
    # a line per file, or per file and policy for a file with expectations for several
    lines = run.out.split("\n\n")[0].splitlines()
    ok = [x for x in lines if x.startswith("ok    ")]
    # A file with no expectations is said apart: nothing was checked, which is not a pass.
    unchecked = [x for x in lines if x.startswith("none  ")]
    assert len(ok) + len(unchecked) == len(lines)
    assert len({line[6:].split(":")[0].split(" [")[0] for line in lines}) == len(files)
    assert all(x.endswith("no expectations, nothing checked") for x in unchecked)
    files_unchecked = len({x[6:].split(":")[0].split(" [")[0] for x in unchecked})
    assert (f"{len(files)} scenarios: {len(files) - files_unchecked} passed, 0 failed, 0 did not load"
            in run.out)
    if unchecked:
        assert run.out.rstrip().endswith(f", {files_unchecked} with nothing checked")
        assert cli("test", str(SCENARIOS), "--strict").code == 1


def test_a_broken_expectation_shows_a_diff_with_the_trace(cli, broken):
    run = cli("test", str(broken))
    assert run.code == 1
    out = run.out
    assert "FAIL  " in out and "1 of 28 expectations not met" in out
    assert "  dhs / deadly-force-imminent-threat\n    - expected: breached\n    + got:      met" in out
    assert "why it got that:" in out and "the DHS account states this" in " ".join(out.split())


def test_a_scenario_that_does_not_load_exits_2(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\naccounts: []\nexpect: {}\n")
    run = cli("test", str(bad))
    assert run.code == 2 and "ERROR" in run.out and "did not load" in run.out


def test_because_names_what_the_verdict_must_rest_on(cli, tmp_path):
    f = tmp_path / "m.yaml"
    text = MPLS.read_text().replace(  # the DHS block, first in the file's list of expectations
        "      deadly-force-imminent-threat: met\n",
        "      deadly-force-imminent-threat:\n        verdict: met\n"
        "        because: [shots.threat_of_death_or_serious_injury, imminent_threat]\n", 1)
    f.write_text(text)
    assert cli("test", str(f)).code == 0
    f.write_text(text.replace("because: [shots.threat_of_death_or_serious_injury",
                              "because: [shots.subject_fleeing"))
    run = cli("test", str(f))
    assert run.code == 1 and "without [shots.subject_fleeing] in its reason" in run.out


def test_update_asks_and_writes_nothing_without_consent(cli, broken):
    before = broken.read_text()
    run = cli("test", str(broken), "--update")  # no input: the question is answered no
    assert "-      deadly-force-imminent-threat: breached" in run.err
    assert "nothing written" in run.err and broken.read_text() == before and run.code == 1


def test_update_with_yes_rewrites_only_what_changed(cli, broken):
    before = broken.read_text()
    run = cli("test", str(broken), "--update", "--yes")
    assert run.code == 0 and "rewrote 1 file(s)" in run.err
    after = broken.read_text()
    assert after == before.replace("    deadly-force-imminent-threat: breached\n",
                                   "    deadly-force-imminent-threat: met\n", 1)
    assert "# Under the DHS account the car was driven at officers" in after  # comments kept


def test_update_adds_missing_expectations(cli, tmp_path):
    f = tmp_path / "t.yaml"
    shutil.copy(SCENARIOS / "teaching" / "car-driven-at-officer.yaml", f)
    text = f.read_text()
    f.write_text(text.replace("    medical-aid: met\n", ""))
    assert cli("test", str(f), "--update", "--yes").code == 0
    assert "    medical-aid: met\n" in f.read_text()


def test_coverage_reports_every_clause(cli, policy):
    run = cli("test", str(SCENARIOS / "teaching"), "--coverage")
    table = run.out.split("Clause coverage", 1)[1]
    assert all(c.id in table for c in policy.clauses)
    # the one gap is a clause that cannot be met: DHS's plain prohibition on deadly force
    # against a person acting only against themselves (applicable means breached)
    assert "1 gap(s): threat-only-to-self-or-property met" in table


def test_pytest_plugin_collects_scenarios_and_reports_a_readable_diff(pytester, broken):
    shutil.copy(broken, pytester.path / "mpls.yaml")
    shutil.copy(SCENARIOS / "teaching" / "aim-only.yaml", pytester.path / "aim.yaml")
    (pytester.path / "notes.yaml").write_text("just: some yaml\n")
    result = pytester.runpytest()  # the plugin loads through its pytest11 entry point
    # the Minneapolis copy is one item per policy it holds expectations for: its DHS item
    # fails, its DOJ and 8 C.F.R. 287.8 items pass; and aim-only passes
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*dhs / deadly-force-imminent-threat*", "*- expected: breached*",
                                 "*+ got:      met*"])
    assert "Traceback" not in result.stdout.str()


def test_counts_read_as_english():
    from pathlib import Path

    from forcecheck.testing.runner import Outcome, render_outcomes

    text = render_outcomes([Outcome(Path("one.yaml"), expectations=1)])
    assert "ok    one.yaml: 1 expectation met" in text
    assert text.rstrip().endswith("1 scenario: 1 passed, 0 failed, 0 did not load")

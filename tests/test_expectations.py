"""Expectations for several policies in one scenario file, and `forcecheck test --update` writing
each policy's results under that policy's block, comments kept."""

import shutil

from conftest import SCENARIOS

pytest_plugins = ["pytester"]

CAR = SCENARIOS / "teaching" / "car-driven-at-officer.yaml"
STEP_ASIDE = SCENARIOS / "teaching" / "step-aside-possible.yaml"
DHS_ONLY = {"deadly-force-imminent-threat", "moving-vehicle-operator", "safe-tactics"}
DOJ_ONLY = {"deadly-force-imminent-danger", "moving-vehicle", "warning-shots"}


def _expect_part(text: str) -> str:
    return text[text.index("\nexpect:"):]


def test_a_teaching_case_is_tested_under_each_policy_it_names(cli):
    run = cli("test", str(STEP_ASIDE))
    assert run.code == 0
    for policy in ("dhs-uof", "doj-uof", "cfr-287-8"):
        assert f"step-aside-possible.yaml [{policy}]: " in run.out
    assert "1 scenario: 1 passed" in run.out
    # --policy runs one block only
    run = cli("test", str(STEP_ASIDE), "--policy", "cfr-287-8")
    assert "[" not in run.out.splitlines()[0] and "expectation" in run.out


def test_a_wrong_expectation_under_one_policy_fails_under_that_policy_only(cli, tmp_path):
    f = tmp_path / "s.yaml"
    text = STEP_ASIDE.read_text()
    block = text.index("policy: doj-uof")
    f.write_text(text[:block] + text[block:].replace("      disable-moving-vehicle: met",
                                                     "      disable-moving-vehicle: breached", 1))
    run = cli("test", str(f))
    assert run.code == 1
    assert "FAIL  " in run.out and "s.yaml [doj-uof]: 1 of" in run.out
    assert "ok    " in run.out and "s.yaml [dhs-uof]" in run.out
    assert "1 scenario: 0 passed, 1 failed" in run.out


def test_update_under_another_policy_adds_its_block_and_keeps_the_first(cli, tmp_path):
    """The bug: `test --update --policy doj` on a file whose expectations are DHS's wrote DOJ
    verdicts into the DHS block. Now the DHS block is kept as it was, comments and all, and the
    DOJ results go into a block of their own."""
    f = tmp_path / "car.yaml"
    shutil.copy(CAR, f)
    before = _expect_part(CAR.read_text())
    run = cli("test", str(f), "--update", "--yes", "--policy", "doj")
    assert run.code == 0, run.out + run.err
    after = f.read_text()
    dhs, doj = after.split("  - policy: doj-uof\n")
    assert "  - policy: dhs-uof\n" in dhs
    assert not any(c + ":" in dhs for c in DOJ_ONLY) and not any(c + ":" in doj for c in DHS_ONLY)
    assert all(c + ":" in doj for c in ("moving-vehicle", "deadly-force-imminent-danger"))
    # every comment line of the DHS block is still there, in order, indented with its block
    comments = [line.strip() for line in before.splitlines() if line.strip().startswith("#")]
    kept = [line.strip() for line in dhs.splitlines() if line.strip().startswith("#")]
    assert kept[-len(comments):] == comments
    assert "      # So the force was \"objectively reasonable\", and not excessive.\n" in dhs
    # and the file now passes under both policies, each block under its own
    run = cli("test", str(f))
    assert run.code == 0 and "[dhs-uof]" in run.out and "[doj-uof]" in run.out
    # a second update under DOJ changes nothing
    assert "already matches" in cli("test", str(f), "--update", "--yes", "--policy", "doj").err


def test_update_keeps_a_comment_after_the_last_item_of_a_list(cli, tmp_path):
    f = tmp_path / "f.yaml"
    text = (SCENARIOS / "teaching" / "facts-nobody-states.yaml").read_text()
    text = text.replace("      - neck-restraint\n", "      - neck-restraint\n      # the last one\n", 1)
    # one item too many, so the list is rewritten
    text = text.replace("      - neck-restraint\n", "      - neck-restraint\n      - duty-to-report\n", 1)
    f.write_text(text)
    run = cli("test", str(f), "--update", "--yes")
    assert "rewrote 1 file(s)" in run.err
    after = f.read_text()
    assert "      # the last one\n" in after and "duty-to-report\n      - duty-to-report" not in after


def test_update_writes_into_the_block_of_the_policy_checked(cli, tmp_path):
    f = tmp_path / "s.yaml"
    text = STEP_ASIDE.read_text()
    f.write_text(text.replace("      disable-moving-vehicle: met", "      disable-moving-vehicle: breached",
                              1))
    before = f.read_text()
    run = cli("test", str(f), "--update", "--yes", "--policy", "doj")
    assert run.code == 0 and "rewrote 1 file(s)" in run.err
    assert f.read_text() == before.replace("      disable-moving-vehicle: breached",
                                           "      disable-moving-vehicle: met", 1)


def test_expectation_blocks_are_checked(cli, tmp_path):
    f = tmp_path / "s.yaml"
    text = STEP_ASIDE.read_text()
    f.write_text(text.replace("  - policy: cfr-287-8\n", "  - policy: doj-uof\n", 1))
    run = cli("validate", str(f))
    assert run.code == 2 and "a second block of expectations for 'doj-uof'" in run.err
    f.write_text(text.replace("  - policy: cfr-287-8\n", "  - policy: cfr-287\n", 1))
    run = cli("validate", str(f))
    assert run.code == 2 and "no policy has the id 'cfr-287'" in run.err
    assert "did you mean 'cfr-287-8'?" in run.err
    f.write_text(text.replace("  - policy: cfr-287-8\n    report:\n", "  - report:\n", 1))
    run = cli("validate", str(f))
    assert run.code == 2 and "each block in a list of expectations names its policy" in run.err
    # the clauses a block names are the clauses of its policy
    f.write_text(text.replace("      deadly-force-standard:", "      deadly-force-imminent-danger:", 1))
    run = cli("validate", str(f), "--policy", "cfr-287-8")
    assert run.code == 2 and "unknown clause 'deadly-force-imminent-danger'" in run.err


def test_the_old_one_policy_form_still_loads_and_runs(cli):
    run = cli("test", str(CAR))
    assert run.code == 0 and "car-driven-at-officer.yaml: " in run.out and "[" not in run.out


def test_pytest_plugin_runs_one_item_per_policy(pytester):
    shutil.copy(STEP_ASIDE, pytester.path / "step.yaml")
    shutil.copy(CAR, pytester.path / "car.yaml")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*car.yaml::car PASSED*", "*step.yaml::step[[]doj-uof[]] PASSED*"])

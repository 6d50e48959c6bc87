"""Facts renamed since a scenario was written: an old name that kept its meaning loads with a
warning naming the new one, and `fmt --fix` writes the new name; one whose meaning narrowed is
an error that says what to state."""

from conftest import ROOT, SCENARIOS

STEP_ASIDE = SCENARIOS / "teaching" / "step-aside-possible.yaml"
OLD = (STEP_ASIDE.read_text()
       .replace("    shots.force_reasonable: yes\n",
                "    shots.force_proportionate: yes  # as written in November\n")
       .replace("    shots.actions_directed_only_at_self_or_property: no\n",
                "    shots.threat_only_to_self_or_property: no\n"))


def test_an_old_name_loads_as_the_new_fact_with_a_warning(cli, tmp_path):
    f = tmp_path / "old.yaml"
    f.write_text(OLD)
    run = cli("validate", str(f))
    assert run.code == 0 and "ok: 1 file(s) valid" in run.err
    assert ("warning[W012]: 'shots.force_proportionate' is the old name of 'shots.force_reasonable' "
            "(renamed 2026-11-29): it is read as that fact") in run.err
    assert "'shots.threat_only_to_self_or_property' is the old name of " \
           "'shots.actions_directed_only_at_self_or_property'" in run.err
    assert "W011" not in run.err  # read as the new fact, so not "read by no clause"
    # it is read as the new fact: the verdicts are those of the file with the new names
    run = cli("test", str(f))
    assert run.code == 0 and "warning[W012]: 'shots.force_proportionate' is the old name" in run.out
    new = tmp_path / "new.yaml"
    new.write_text(STEP_ASIDE.read_text())
    assert cli("check", str(f), "--format", "json").out.replace("old.yaml", "new.yaml") == \
        cli("check", str(new), "--format", "json").out
    assert "W012" in cli("check", str(f)).err


def test_fmt_fix_writes_the_new_names_and_keeps_comments(cli, tmp_path):
    f = tmp_path / "old.yaml"
    f.write_text(OLD)
    run = cli("fmt", "--check", str(f))  # the layout alone does not rename
    assert "force_proportionate" not in run.out
    run = cli("fmt", "--fix", str(f))
    assert run.code == 0
    assert "shots.force_proportionate -> shots.force_reasonable" in run.err
    text = f.read_text()
    assert "force_proportionate" not in text and "threat_only_to_self_or_property" not in text
    assert "shots.force_reasonable: yes" in text and "# as written in November" in text
    run = cli("validate", str(f))
    assert run.code == 0 and "W012" not in run.err
    assert cli("fmt", "--check", "--fix", str(f)).code == 0  # nothing left to fix


def test_fmt_fix_rewrites_an_old_name_in_what_an_expectation_rests_on(cli, tmp_path):
    f = tmp_path / "old.yaml"
    f.write_text(OLD.replace("because: [shots.other_defensive_option_existed]",
                             "because: [shots.other_defensive_option_existed, shots.force_proportionate]"))
    assert cli("fmt", "--fix", str(f)).code == 0
    assert "because: [shots.other_defensive_option_existed, shots.force_reasonable]" in f.read_text()


def test_a_rename_that_narrowed_the_fact_is_an_error_that_says_what_to_state(cli, tmp_path):
    f = tmp_path / "old.yaml"
    src = SCENARIOS / "teaching" / "threat-to-self-only.yaml"
    f.write_text(src.read_text().replace("partner.knew_of_improper_force:", "partner.knew_of_force:"))
    run = cli("validate", str(f))
    assert run.code == 2 and "error[S015]: officer 'partner' has no fact 'knew_of_force'" in run.err
    assert "'knew_of_force' was renamed 'knew_of_improper_force' on 2026-11-29" in " ".join(run.err.split())
    before = f.read_text()
    cli("fmt", "--fix", str(f))
    assert "partner.knew_of_force:" in f.read_text() and f.read_text() == before  # not rewritten


def test_a_fact_stated_by_both_names_is_an_error(cli, tmp_path):
    f = tmp_path / "both.yaml"
    f.write_text(OLD.replace("    shots.force_proportionate: yes  # as written in November\n",
                             "    shots.force_proportionate: yes\n    shots.force_reasonable: no\n"))
    run = cli("validate", str(f))
    assert run.code == 2 and "'shots.force_reasonable' is stated twice here, once by its old name" in run.err


def test_the_changelog_names_every_rename():
    from forcecheck.scenario.aliases import RENAMED

    log = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for r in RENAMED.values():
        assert f"`{r.subject}.{r.old}`" in log and f"`{r.subject}.{r.new}`" in log


def test_the_editor_schema_accepts_an_old_name_marked_deprecated(policy):
    import json
    from pathlib import Path

    from jsonschema import Draft202012Validator

    from forcecheck.scenario.editor_schema import scenario_schema
    from forcecheck.scenario.yamlsource import load_yaml

    schema = scenario_schema(policy)
    validator = Draft202012Validator(schema)
    assert [e.message for e in validator.iter_errors(load_yaml(Path("old.yaml"), OLD).data)] == []
    facts = schema["$defs"]["AccountModel"]["properties"]["facts"]["patternProperties"]
    old = next(v for k, v in facts.items() if "force_proportionate" in k)
    assert old["deprecated"] is True and "force_reasonable" in old["description"]
    assert not any("knew_of_force" in k for k in facts)  # narrowed: not an alias
    assert json.dumps(schema)  # still plain JSON

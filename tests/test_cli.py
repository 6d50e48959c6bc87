"""The CLI as a user meets it: stdout, stderr and exit code apart; no tracebacks."""

import json
import re
import sys

import pytest

from conftest import SCENARIOS

MPLS = str(SCENARIOS / "real" / "minneapolis-2026-01-07.yaml")
AWAY = str(SCENARIOS / "teaching" / "car-driving-away.yaml")
SAFE = str(SCENARIOS / "teaching" / "car-driven-at-officer.yaml")


def _row(out: str, clause: str) -> list[str]:
    return next(line for line in out.splitlines() if line.startswith(clause + " ")).split()[1:]


def test_check_answers_on_one_screen(cli):
    run = cli("check", MPLS)
    assert run.code == 1 and run.err == ""  # breached under the video and witness account
    lines = run.out.splitlines()
    assert len(lines) <= 125 and max(len(line) for line in lines) <= 100
    # The answer in sentences, above the table, each account named as an account.
    assert lines.index(next(x for x in lines if x.startswith("clause "))) < 20
    words = " ".join(run.out.split())
    assert "Under DHS's account, no must clause is determinately breached" in words
    assert ("Under Video and witnesses' account, objectively-reasonable-force and 3 other must clauses "
            "are breached") in words
    assert "The accounts conflict on F2 (shots: threat of death or serious injury)" in words
    assert "Exit status 1: a must clause is breached under Video and witnesses' account" in words
    # Every question a clause line waits on is printed; no "Q5 to Q5".
    refs = {r for line in lines if "waits on" in line for r in re.findall(r"Q[0-9]+", line)}
    assert all(f" {r}" in words or f"({r})" in words for r in refs) and " to Q" not in words
    assert _row(run.out, "deadly-force-imminent-threat") == ["met", "breached", "*", "F1", "F2"]
    assert _row(run.out, "fleeing-subject") == ["?", "met/n/a", "breached", "*", "F1", "F2", "F3"]
    words = " ".join(run.out.split())
    # The facts that decide the contested clauses, what each account says, and its source.
    assert ('F2 The accounts conflict. "shots": When this force was used, did the person it was used '
            "against pose an imminent threat") in words
    assert ('DHS: yes -- source: Star Tribune (value inferred from the source): '
            '"fearing for his life"') in words
    assert "Video and witnesses: unknown -- no account states this" in words
    # The open questions, each with the fact id to pass to --assume.
    assert "--assume shots.force_reasonable=yes|no" in words
    # Each implicated clause once, with what each account's verdict rests or waits on.
    assert "deadly-force-imminent-threat Deadly force only when" in words
    assert "DHS: met; rests on F2: yes" in words
    assert "Video and witnesses: breached; rests on F2: no; F1: no" in words
    assert "aid to analysis, not a judgement" in words
    # No rule syntax in the default answer.
    assert "for e =" not in words and "[yes]" not in words and "==" not in words


def test_nothing_is_repeated_in_the_default_answer(cli):
    out = cli("check", MPLS).out
    assert out.count("fearing for his life") == 1
    assert out.count("Was this officer on duty") == 0
    assert out.count("DHS LEOs may use deadly force only when necessary") == 0  # quotes: --explain


def test_explain_short_traces_in_prose_and_says_each_thing_once(cli):
    out = cli("check", MPLS, "--explain", "short").out
    words = " ".join(out.split())
    assert '"DHS LEOs may use deadly force only when necessary' in words
    assert ('the DHS account states this (source: Star Tribune) (value inferred from the '
            'source): "fearing for his life"') in words
    # A reading shown once is referred to afterwards.
    assert words.count('How forcecheck reads "a use of deadly force":') == 1
    assert '"a use of deadly force": read as above.' in words
    # Traces name people and events by what the scenario says they are, not rule syntax.
    assert "ICE agent standing in front of the vehicle: Was this officer on duty" in words
    for syntax in ("for e =", "[yes]", "not:", "==", ".actor"):
        assert syntax not in words, syntax
    assert not re.search(r"shots\.target\b", words)  # the event's target attribute, not a fact's name
    # An attribution is given the first time a fact appears under an account, then not again.
    assert out.count('"fearing for his life"') < 8


def test_explain_full_shows_every_condition_and_the_rule(cli):
    full = cli("check", MPLS, "--explain", "full").out
    words = " ".join(full.split())
    assert "The rule: applies to each event e where" in words
    assert 'who acted in "shots" (ICE agent standing in front of the vehicle) is an officer' in words
    assert len(full.splitlines()) > len(cli("check", MPLS, "--explain", "short").out.splitlines())


def test_text_width_is_fixed_when_not_a_terminal(cli):
    for level in ("summary", "short", "full"):
        out = cli("check", MPLS, "--explain", level).out
        assert max(len(line) for line in out.splitlines()) <= 100


class _NoAliases(__import__("yaml").SafeDumper):
    def ignore_aliases(self, data):
        return True


def test_four_accounts_fit_the_width(cli, tmp_path):
    import copy

    import yaml

    with open(MPLS, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    for n in (3, 4):
        extra = copy.deepcopy(dict(data["accounts"][1], id=f"copy{n}", name=f"A long account name no {n}"))
        data["accounts"].append(extra)
    data.pop("expect", None)
    path = tmp_path / "four.yaml"
    for p in data["people"] + data["events"]:
        if p.get("accounts"):
            p["accounts"] = [*p["accounts"], "copy3", "copy4"]
    path.write_text(yaml.dump(data, sort_keys=False, Dumper=_NoAliases), encoding="utf-8")
    run = cli("check", str(path))
    assert run.code in (0, 1), run.err
    assert max(len(line) for line in run.out.splitlines()) <= 100


def test_same_input_same_bytes(cli):
    assert cli("check", MPLS, "--format", "json").out == cli("check", MPLS, "--format", "json").out
    assert cli("check", MPLS).out == cli("check", MPLS).out


def test_json_is_versioned_and_complete(cli):
    doc = json.loads(cli("check", MPLS, "--format", "json").out)
    assert doc["format"] == "forcecheck.check/3"
    assert doc["tool"]["name"] == "forcecheck" and doc["tool"]["version"]
    assert len(doc["policy"]["sha256"]) == 64
    sc = doc["scenarios"][0]
    assert [a["id"] for a in sc["accounts"]] == ["dhs", "video"]
    # Self-contained: sources with addresses, people, events and each account's timeline.
    assert next(s for s in sc["sources"] if s["id"] == "startribune")["url"].startswith("https://")
    assert {p["id"] for p in sc["people"]} >= {"good", "shooting-agent"}
    assert [e["id"] for e in sc["events"]] == ["confrontation", "door", "driving", "contact", "shots"]
    assert next(a for a in sc["accounts"] if a["id"] == "dhs")["timeline"] == [
        "confrontation", "driving", "shots"]
    row = next(r for r in sc["table"] if r["clause"] == "deadly-force-imminent-threat")
    assert [(c["account"], c["verdict"], c["possible"]) for c in row["cells"]] == [
        ("dhs", "met", ["met"]), ("video", "breached", ["breached"])]
    assert row["contested"] is True
    clause = next(c for c in sc["clauses"] if c["id"] == "fleeing-subject")
    assert clause["verdicts"][0]["possible"] == ["met", "not_applicable"]
    assert clause["verdicts"][0]["items"][0]["settlements"]
    clause = next(c for c in sc["clauses"] if c["id"] == "deadly-force-imminent-threat")
    assert clause["quotes"][0]["provenance"] == "transcription"
    facts = {f["ref"]: f["key"] for f in sc["disputed_facts"]}
    assert [facts[r] for r in clause["facts"]] == [
        "shots.significant_threat_if_escaped",
        "shots.threat_of_death_or_serious_injury"]


def test_exit_1_when_a_binding_clause_is_breached(cli):
    assert cli("check", AWAY).code == 1
    assert cli("check", SAFE).code == 0


def test_exit_0_when_only_guidance_is_not_followed(cli):
    run = cli("check", str(SCENARIOS / "teaching" / "steps-in-front-of-car.yaml"), "--clause", "safe-tactics")
    assert run.code == 0
    assert "guidance not followed" in run.out


def test_paraphrase_is_flagged_wherever_the_clause_is_shown(cli):
    run = cli("check", AWAY, "--clause", "threat-only-to-self-or-property", "--explain", "short")
    assert "PARAPHRASE: a press summary of the rule, not policy wording." in run.out
    for fmt in ("markdown", "html"):
        out = cli("check", AWAY, "--clause", "threat-only-to-self-or-property", "--format", fmt).out
        assert "PARAPHRASE: a press summary of the rule, not policy wording." in out
    assert "PARAPHRASE" in cli("show", "threat-only-to-self-or-property").out


@pytest.mark.parametrize("args", [
    ("check", "no-such-file.yaml"),
    ("check", MPLS, "--clause", "fleeing"),
    ("check", MPLS, "--account", "dsh"),
    ("check", MPLS, "--format", "pdf"),
    ("show", "nope"),
])
def test_bad_input_exits_2_with_a_diagnostic_and_no_traceback(cli, args):
    run = cli(*args)
    assert run.code == 2
    assert run.out == ""
    assert "Traceback" not in run.err and run.err.strip()


def test_unknown_account_suggests_the_right_one(cli):
    run = cli("check", MPLS, "--account", "dsh")
    assert "did you mean 'dhs'?" in run.err


def test_output_file(cli, tmp_path):
    target = tmp_path / "report.json"
    run = cli("check", MPLS, "--format", "json", "--output", str(target))
    assert run.out == "" and json.loads(target.read_text())["format"] == "forcecheck.check/3"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_colour_only_when_asked(cli):
    assert "\x1b[" in cli("check", MPLS, "--color", "always").out
    assert "\x1b[" not in cli("check", MPLS, "--color", "never").out


def test_validate_reports_every_file(cli):
    run = cli("validate", str(SCENARIOS))
    assert run.code == 0 and f"ok: {len(list(SCENARIOS.rglob('*.yaml')))} file(s) valid" in run.err


def test_clauses_lists_every_clause(cli, policy):
    out = cli("clauses").out
    assert all(c.id in out for c in policy.clauses)


def test_internal_error_exits_3_without_traceback(monkeypatch, capsys):
    import forcecheck.evaluation.evaluate
    from forcecheck.cli import app as cli_module

    def boom(*a, **k):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(forcecheck.evaluation.evaluate, "evaluate", boom)
    monkeypatch.setattr(sys, "argv", ["forcecheck", "check", MPLS])
    monkeypatch.delenv("FORCECHECK_DEBUG", raising=False)
    with pytest.raises(SystemExit) as info:
        cli_module.main()
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: simulated bug" in err and "Traceback" not in err


def test_unwritable_output_is_bad_input_not_a_crash(cli, tmp_path):
    run = cli("check", MPLS, "--output", str(tmp_path / "missing" / "report.txt"))
    assert run.code == 2 and "cannot write" in run.err and "Traceback" not in run.err


def test_short_explanation_names_the_facts_a_clause_applies_on(cli):
    short = cli("check", MPLS, "--clause", "moving-vehicle-operator", "--account", "dhs",
                "--explain", "short").out
    assert "It applies, resting on:" in short and "It applies when:" not in short
    assert '"shots": Was this firearm discharged at the operator of a moving' in short
    # How the trigger is built from the timeline is left to --explain full.
    assert "what was done in" not in short
    full = cli("check", MPLS, "--clause", "moving-vehicle-operator", "--account", "dhs",
               "--explain", "full").out
    assert "It applies when:" in full
    assert 'what was done in "shots" (fired a firearm) is one of: aimed a firearm' in " ".join(full.split())


def test_colour_follows_the_conventions():
    from forcecheck.report.render import wants_colour

    assert wants_colour("auto", True, {}) is True
    assert wants_colour("auto", False, {}) is False
    assert wants_colour("auto", True, {"NO_COLOR": "1"}) is False
    assert wants_colour("auto", True, {"NO_COLOR": ""}) is True  # present but empty: ignored
    assert wants_colour("auto", False, {"FORCE_COLOR": "1"}) is True
    assert wants_colour("auto", True, {"TERM": "dumb"}) is False
    assert wants_colour("always", False, {"NO_COLOR": "1"}) is True
    assert wants_colour("never", True, {"FORCE_COLOR": "1"}) is False


def test_force_color_colours_piped_output(cli, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in cli("check", MPLS).out


def test_guidance_not_followed_is_styled_apart_from_a_breach(cli):
    steps = str(SCENARIOS / "teaching" / "steps-in-front-of-car.yaml")
    out = cli("check", steps, "--clause", "safe-tactics", "--color", "always").out
    assert "\x1b[1;35mnot followed" in out and "\x1b[1;31mnot followed" not in out


def test_long_output_goes_through_a_pager_on_a_terminal(tmp_path, monkeypatch):
    import os
    import shutil

    from forcecheck.cli import common as cli_module

    paged = tmp_path / "paged.txt"
    script = tmp_path / "pager.py"
    script.write_text(f"import sys; open({str(paged)!r}, 'w').write(sys.stdin.read())\n")
    monkeypatch.setenv("PAGER", f"{sys.executable} {script}")
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=(0, 0): os.terminal_size((100, 10)))
    cli_module.page("line\n" * 50, None, page=True)
    assert paged.read_text() == "line\n" * 50
    paged.unlink()
    cli_module.page("short\n", None, page=True)  # fits the screen: no pager
    assert not paged.exists()


def test_version(cli):
    from forcecheck import __version__

    run = cli("--version")
    assert run.code == 0 and run.out.strip() == f"forcecheck {__version__}"


def test_clauses_and_show_fit_80_columns(cli, policy):
    for out in [cli("clauses").out] + [cli("show", c.id).out for c in policy.clauses]:
        assert max(len(line) for line in out.splitlines()) <= 80


def test_a_terminal_without_unicode_gets_ascii_not_a_crash():
    import os
    import subprocess

    env = {**os.environ, "PYTHONIOENCODING": "ascii", "NO_COLOR": "1"}
    for args in ([], ["--explain", "short"]):
        run = subprocess.run([sys.executable, "-m", "forcecheck", "check", MPLS, *args],
                             capture_output=True, env=env, check=False)
        assert run.returncode == 1, run.stderr
        out = run.stdout.decode("ascii")  # every byte is ASCII
        assert "internal error" not in run.stderr.decode()
        assert "deadly-force-imminent-threat     met" in out


def test_check_takes_folders_and_standard_input(cli, tmp_path, monkeypatch):
    real = sorted((SCENARIOS / "real").glob("*.yaml"))
    run = cli("check", str(SCENARIOS / "real"))  # a folder: a batch, a line each in name order
    lines = run.out.splitlines()
    assert run.code == 1 and len(lines) == len(real) + 1 and lines[-1].startswith(f"{len(real)} scenarios: ")
    assert [line.split(":")[0] for line in lines[:-1]] == [f"scenarios/real/{p.name}" for p in real]
    good = next(line for line in lines if line.startswith("scenarios/real/minneapolis-2026-01-07.yaml"))
    assert good.startswith("scenarios/real/minneapolis-2026-01-07.yaml: minneapolis-2026-01-07: breached")
    from typer.testing import CliRunner

    from forcecheck.cli.app import app

    text = (SCENARIOS / "teaching" / "aim-only.yaml").read_text(encoding="utf-8")
    run = CliRunner().invoke(app, ["check", "-"], input=text)
    assert run.exit_code == 0 and run.stdout.startswith("An officer unholsters and aims a firearm")
    run = CliRunner().invoke(app, ["check", "-"], input="id: x\n  bad: [\n")
    assert run.exit_code == 2 and "<stdin>:2:6: error[Y001]" in run.stderr


def test_walks_skip_hidden_tool_and_ignored_folders(cli, tmp_path):
    good = (SCENARIOS / "teaching" / "aim-only.yaml").read_text(encoding="utf-8")
    for folder in (".hidden", ".venv/lib", "node_modules/x", "build", "keep"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "broken.yaml").write_text("id: [\n")
    (tmp_path / "keep" / "broken.yaml").write_text(good)
    (tmp_path / "scratch.yaml").write_text("id: [\n")
    (tmp_path / "draft-1.yaml").write_text("id: [\n")
    (tmp_path / "draft-keep.yaml").write_text(good)
    (tmp_path / ".gitignore").write_text("# generated\nbuild/\n/scratch.yaml\n"
                                         "draft-*.yaml\n!draft-keep.yaml\n")
    run = cli("validate", str(tmp_path))
    assert run.code == 0 and "ok: 2 file(s) valid" in run.err, run.err


def test_shell_completion_offers_clause_ids_and_assumable_facts():
    from forcecheck.cli.common import assumable as _assumable
    from forcecheck.cli.common import clause_ids as _clause_ids

    assert "deadly-force-imminent-threat" in _clause_ids("deadly")
    assert all(c.startswith("deadly") for c in _clause_ids("deadly"))
    assert "reaches_off_duty_officers=" in _assumable("reach")
    assert "shots.subject_fleeing=" in _assumable("shots.subject_f")


def test_vocabulary_lists_every_role_action_and_fact_with_its_question(cli, policy):
    out = cli("vocabulary").out
    words = " ".join(out.split())
    assert all(f"{r}:" in out for r in policy.roles) and all(f"{a}:" in out for a in policy.actions)
    for f in policy.facts.values():
        assert f"{f.name} (" in out and " ".join(f.question.split()) in words, f.key
    # Each fact with the clauses that read it.
    assert "threat_of_death_or_serious_injury (yes or no)" in out
    assert "read by: objectively-reasonable-force, deadly-force-imminent-threat" in words
    assert max(len(line) for line in out.splitlines()) <= 80


def test_show_takes_definitions_facts_actions_and_roles(cli):
    assert "definition deadly_force(e: event): a use of deadly force" in cli("show", "deadly_force").out
    fact = " ".join(cli("show", "shots.subject_fleeing").out.split())
    assert "fact event.subject_fleeing (yes or no)" in fact
    assert "read by: objectively-reasonable-force" in fact
    assert cli("show", "less_lethal_weapon").out.startswith("action less_lethal_weapon: used a less-lethal")
    assert cli("show", "bystander").out.startswith("role bystander: anyone else present")
    run = cli("show", "deadly_forse")
    assert run.code == 2 and "did you mean 'deadly_force'?" in run.err


def test_validate_warns_of_a_fact_no_rule_reads_and_speaks_json(cli, tmp_path):
    (tmp_path / "source.md").write_text("> aimed\n")
    (tmp_path / "policy.rules").write_text(
        'policy p { title "t" document "d" version "1" }\ndocument D { title "s" text "source.md" }\n'
        'role officer "an officer"\nrole subject "a subject"\naction fire_firearm "fired"\n'
        'fact event.aimed_at_person: yes_no "Aimed at a person?"\n'
        'fact event.weather_was_clear: yes_no "Was the weather clear?"\n'
        'clause c {\n  title "t"\n  strength must\n  quote D transcription "aimed"\n'
        '  applies to each event e where e.action == fire_firearm\n  requires e.aimed_at_person\n}\n')
    path = tmp_path / "s.yaml"
    path.write_text("id: s\ntitle: t\nkind: teaching\nsummary: s\npeople:\n"
                    "  - {id: o, role: officer, description: d}\n  - {id: m, role: subject, description: d}\n"
                    "events:\n  - {id: shots, actor: o, action: fire_firearm, target: m, description: d}\n"
                    "undisputed:\n  facts:\n    shots.aimed_at_person: yes\n"
                    "    shots.weather_was_clear: yes\n"
                    "accounts:\n  - {id: a, name: A}\n")
    run = cli("validate", "--policy", str(tmp_path), str(path))
    assert run.code == 0 and "warning[W011]" in run.err
    assert "'shots.weather_was_clear' is read by no clause or constraint" in run.err
    assert "shots.aimed_at_person' is read" not in run.err
    doc = json.loads(cli("validate", "--policy", str(tmp_path), str(path), "--format", "json").out)
    assert doc["format"] == "forcecheck.diagnostics/1" and doc["errors"] == 0
    (w011,) = [d for d in doc["diagnostics"] if d["code"] == "W011"]
    assert w011["severity"] == "warning" and w011["line"] == 13 and w011["hint"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(path.read_text().replace("role: officer", "role: oficer"))
    doc = json.loads(cli("validate", "--policy", str(tmp_path), str(bad), "-f", "json").out)
    assert doc["errors"] == 1 and doc["diagnostics"][0]["code"] == "S011"


def loaded_after(args: list[str], modules: tuple[str, ...], env: dict | None = None) -> list[str]:
    """Which of `modules` a fresh process has imported after running `forcecheck ARGS` (a fresh
    process, so nothing another test imported counts)."""
    import subprocess

    code = (f"import sys; sys.argv = ['forcecheck', *{args!r}]\n"
            "from forcecheck.cli.app import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"print('LOADED', [m for m in {modules!r} if m in sys.modules])\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    line = next((x for x in run.stdout.splitlines() if x.startswith("LOADED ")), None)
    assert line is not None, run.stdout + run.stderr
    import ast

    return ast.literal_eval(line[len("LOADED "):])  # the list the child printed


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_no_heavy_module(flag):
    """Start-up: `--help` and `--version` load neither lark nor pydantic nor the scenario
    models."""
    heavy = ("lark", "pydantic", "forcecheck.scenario.schema", "forcecheck.policy.model", "jinja2")
    assert loaded_after([flag], heavy) == []


@pytest.mark.parametrize(("args", "collecting"), [
    (["check", "{teaching}/aim-only.yaml"], False),
    (["check", "{teaching}/aim-only.yaml", "{teaching}/knife-advancing.yaml"], True),
    (["validate", "{teaching}"], True),
])
def test_only_a_command_on_one_input_runs_without_the_garbage_collector(args, collecting):
    """Start-up: the command line starts with the garbage collector off (it scanned the loaded
    modules again and again and freed next to nothing); a command working through many inputs,
    a batch included, turns it back on so that its memory stays flat."""
    import subprocess

    argv = [a.format(teaching=SCENARIOS / "teaching") for a in args]
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('COLLECTING', gc.isenabled()))\n"
            f"sys.argv = ['forcecheck', *{argv!r}]\n"
            "from forcecheck.__main__ import main\n"
            "main()\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode in (0, 1), run.stderr
    assert f"COLLECTING {collecting}" in run.stdout.splitlines()


def test_listing_the_policy_needs_no_stage_after_it():
    """Start-up: `clauses` reads the checked policy (from the cache) and lists it: neither the
    closure compiler nor the scenario, evaluation or report models, nor rich, are imported."""
    later = ("forcecheck.policy.compiler", "forcecheck.scenario.schema", "forcecheck.evaluation.results",
             "forcecheck.report.model", "rich", "yaml")
    assert loaded_after(["clauses"], later) == []


def test_a_check_with_a_warm_cache_neither_parses_nor_checks_the_policy(tmp_path):
    """Once the policy is cached, `check` loads it as data: lark, the parser's syntax classes
    and the checker are never imported (a fresh process with its own cache folder)."""
    import os

    args = ["check", str(SCENARIOS / "teaching" / "aim-only.yaml")]
    cold = ("lark", "forcecheck.policy.syntax", "forcecheck.policy.parser", "forcecheck.policy.checker",
            "forcecheck.policy.expressions")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    assert "lark" in loaded_after(args, cold, env)  # the first run fills the cache
    assert loaded_after(args, cold, env) == []


@pytest.mark.parametrize("fmt", ["json", "markdown", "html", "sarif"])
def test_a_check_in_another_format_than_text_imports_no_rich(fmt, tmp_path):
    """Start-up: rich lays out the terminal report only; `check --format json` (or markdown,
    html, sarif) written to a file imports neither rich nor the text renderer (deciding on
    colour does not need them either)."""
    out = tmp_path / f"report.{fmt}"
    args = ["check", str(SCENARIOS / "teaching" / "aim-only.yaml"), "--format", fmt, "--output", str(out)]
    assert loaded_after(args, ("rich", "forcecheck.report.text")) == []
    assert out.stat().st_size > 0  # the report was written: the command did its work


@pytest.mark.parametrize("args", [["clauses"], ["show", "medical-aid"], ["policies"]])
def test_listing_the_policy_loads_no_evaluation_stack(args):
    """`clauses`, `show` and `policies` read the policy only: neither the scenario models, the
    evaluation nor the report model are imported."""
    heavy = ("forcecheck.scenario.schema", "forcecheck.evaluation.evaluate", "forcecheck.report.build",
             "yaml")
    assert loaded_after(args, heavy) == []

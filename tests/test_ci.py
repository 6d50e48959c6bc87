"""forcecheck in CI and editors (docs/ci.md): SARIF, JUnit and GitHub annotations from check,
validate and test; standard input for validate and fmt; [tool.forcecheck]; --help for people;
the pre-commit hooks and the documented workflows, run."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SCENARIOS

MPLS = SCENARIOS / "real" / "minneapolis-2026-01-07.yaml"
BROKEN = "id: x\n  title: [\n"


def _line_of(path: Path, event: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if re.match(rf"\s*- id: {event}\s*$", line))


def test_check_writes_sarif_junit_and_github_annotations_per_account(cli):
    run = cli("check", str(MPLS), "--format", "sarif")
    assert run.code == 1  # the exit status does not change with the format
    log = json.loads(run.out)
    assert log["version"] == "2.1.0" and log["runs"][0]["tool"]["driver"]["name"] == "forcecheck"
    rules = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    errors = [r for r in log["runs"][0]["results"] if r["level"] == "error"]
    assert {r["ruleId"] for r in errors} == {"objectively-reasonable-force", "deadly-force-imminent-threat",
                                            "fleeing-subject", "moving-vehicle-operator"}
    # excessive-force-accountability restates objectively-reasonable-force: one breach, one error
    notes = [r["message"]["text"] for r in log["runs"][0]["results"]
             if r["ruleId"] == "excessive-force-accountability"]
    assert notes and all("restates objectively-reasonable-force" in n for n in notes)
    assert all("under Video and witnesses' account" in r["message"]["text"] for r in errors)
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in log["runs"][0]["results"])
    where = errors[0]["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"].endswith("scenarios/real/minneapolis-2026-01-07.yaml")
    assert where["region"]["startLine"] == _line_of(MPLS, "shots")  # the event the clauses bear on

    junit = ET.fromstring(cli("check", str(MPLS), "--format", "junit").out)
    cases = junit.findall(".//testcase")
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert len(cases) == 13 * 2 and len(failed) == 4 and junit.get("failures") == "4"
    assert "deadly-force-imminent-threat under Video and witnesses' account" in failed

    lines = cli("check", str(MPLS), "--format", "github").out.splitlines()
    assert sum(x.startswith("::error file=") for x in lines) == 4
    assert any(x.startswith("::warning ") and "could be breached under DHS's account" in x for x in lines)
    assert all(re.match(r"::(error|warning|notice) file=[^,]+,line=\d+,title=forcecheck ", x) for x in lines)


def test_validate_and_test_write_the_ci_formats(cli, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    good = SCENARIOS / "teaching" / "aim-only.yaml"
    run = cli("validate", str(broken), str(good), "--format", "github")
    assert run.code == 2
    assert run.out.startswith(f"::error file={broken},line=2,col=8,title=forcecheck Y001::invalid YAML")
    sarif = json.loads(cli("validate", str(broken), "--format", "sarif").out)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["Y001"]
    junit = ET.fromstring(cli("validate", str(broken), str(good), "--format", "junit").out)
    assert [c.find("failure") is not None for c in junit.iter("testcase")] == [True, False]

    data = yaml.safe_load(good.read_text(encoding="utf-8"))
    data.pop("expect")
    bare = tmp_path / "bare.yaml"
    bare.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(good.read_text(encoding="utf-8").replace("not_applicable", "breached", 1),
                     encoding="utf-8")
    run = cli("test", str(good), str(bare), str(wrong), "--format", "junit")
    assert run.code == 1
    cases = {Path(c.get("name")).name: c for c in ET.fromstring(run.out).iter("testcase")}
    assert cases["aim-only.yaml"].find("failure") is None and cases["aim-only.yaml"].find("skipped") is None
    assert cases["bare.yaml"].find("skipped").get("message") == "no expectations: nothing checked"
    assert "expected breached" in cases["wrong.yaml"].find("failure").text
    gh = cli("test", str(wrong), "--format", "github").out
    assert gh.startswith(f"::error file={wrong},line=") and "expected breached" in gh


def test_nothing_checked_is_not_a_pass(cli, tmp_path):
    data = yaml.safe_load((SCENARIOS / "teaching" / "aim-only.yaml").read_text(encoding="utf-8"))
    data.pop("expect")
    bare = tmp_path / "bare.yaml"
    bare.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    run = cli("test", str(bare))
    assert run.code == 0 and "no expectations, nothing checked" in run.out and "ok " not in run.out
    assert run.out.rstrip().endswith("0 passed, 0 failed, 0 did not load, 1 with nothing checked")
    assert cli("test", str(bare), "--strict").code == 1


def test_validate_and_fmt_read_standard_input():
    from typer.testing import CliRunner

    from forcecheck.cli.app import app

    text = (SCENARIOS / "teaching" / "aim-only.yaml").read_text(encoding="utf-8")
    run = CliRunner().invoke(app, ["validate", "-"], input=text)
    assert run.exit_code == 0 and "ok: 1 file(s) valid" in run.stderr
    run = CliRunner().invoke(app, ["validate", "-"], input=BROKEN)
    assert run.exit_code == 2 and "<stdin>:2:8: error[Y001]" in run.stderr
    run = CliRunner().invoke(app, ["fmt", "-"], input=text)
    assert run.exit_code == 0 and run.stdout == text  # already in the canonical layout
    messy = text.replace("kind: teaching\n", "").replace("title:", "kind: teaching\ntitle:", 1)
    run = CliRunner().invoke(app, ["fmt", "-"], input=messy)
    assert run.exit_code == 0 and run.stdout == text
    run = CliRunner().invoke(app, ["fmt", "--check", "-"], input=messy)
    assert run.exit_code == 1 and run.stdout.startswith("--- <stdin>")
    run = CliRunner().invoke(app, ["fmt", "-"], input=BROKEN)
    assert run.exit_code == 2 and run.stdout == "" and "error[Y001]" in run.stderr


@pytest.mark.parametrize("args", [["clauses"], ["policies"], ["show", "deadly-force-imminent-threat"],
                                  ["vocabulary"], ["fmt", "-"]])
def test_no_internal_error_on_a_terminal_without_unicode(args, tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "NO_COLOR": "1"}
    stdin = BROKEN.encode() if args == ["fmt", "-"] else None
    run = subprocess.run([sys.executable, "-m", "forcecheck", *args], capture_output=True, env=env,
                         input=stdin, check=False, cwd=tmp_path)
    assert run.returncode in (0, 2) and b"internal error" not in run.stderr, run.stderr
    out = run.stdout.decode("ascii")  # every byte is ASCII
    assert "\\xa7" not in out  # '§' is shown as 'S.', not as an escape
    if args[0] == "show":
        assert "S.VI" in out or "S." in out


def test_help_is_written_for_people():
    from typer.testing import CliRunner

    from forcecheck.cli.app import COMMANDS, app

    top = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "100"}).stdout
    for panel in ("Checking", "Writing scenarios", "Databases", "Reference"):
        assert panel in top
    assert "Exit status" in top
    for _, name, _, summary, _ in COMMANDS:
        assert summary in " ".join(top.split()) or summary[:60] in " ".join(top.split()), name
        out = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "100"}).stdout
        assert not re.search(r"<(list\[|bool>|int|path>|str>|float)", out), (name, out)
        assert "Examples:" in out and f"forcecheck {name}" in out, name
    check = CliRunner().invoke(app, ["check", "--help"], env={"COLUMNS": "100"}).stdout
    assert "Exit status: 0 no must clause breached" in " ".join(check.split())
    assert re.search(r"--jobs\s+-j\s+N\b", check)


# --- [tool.forcecheck] ---------------------------------------------------------------------------


def _project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[tool.forcecheck]\n{table}',
                                            encoding="utf-8")
    (tmp_path / "cases").mkdir()
    shutil.copy(SCENARIOS / "teaching" / "aim-only.yaml", tmp_path / "cases" / "aim-only.yaml")
    (tmp_path / "sub").mkdir()
    return tmp_path


def test_tool_forcecheck_in_pyproject_gives_defaults_and_flags_win(cli, tmp_path, monkeypatch):
    root = _project(tmp_path, 'policy = "doj"\npaths = ["cases"]\nexplain = "short"\n')
    monkeypatch.delenv("FORCECHECK_NO_CONFIG", raising=False)
    monkeypatch.chdir(root / "sub")  # found from a folder below, as ruff and pytest find theirs
    shown = cli("config")
    assert shown.code == 0 and str(root / "pyproject.toml") in shown.out
    assert "policy = 'doj'" in shown.out and "paths = ['../cases']" in shown.out
    run = cli("check", "../cases/aim-only.yaml")
    assert "policy doj-uof" in run.out and "It requires:" in run.out  # policy and explain from the file
    run = cli("check", "../cases/aim-only.yaml", "--policy", "dhs", "--explain", "summary")
    assert "policy dhs-uof" in run.out and "It requires:" not in run.out  # flags override
    run = cli("validate")  # no path: the configured paths
    assert run.code == 0 and "ok: 1 file(s) valid" in run.err
    monkeypatch.setenv("FORCECHECK_NO_CONFIG", "1")
    assert "No configuration found" in cli("config").out


def test_a_bad_setting_is_an_error_with_a_hint(cli, tmp_path, monkeypatch):
    root = _project(tmp_path, 'polcy = "doj"\njobs = "two"\n')
    monkeypatch.delenv("FORCECHECK_NO_CONFIG", raising=False)
    monkeypatch.chdir(root)
    run = cli("check", "cases/aim-only.yaml")
    assert run.code == 2 and "error[U013]: unknown setting 'polcy'" in run.err
    assert "did you mean 'policy'?" in run.err and "'jobs' is a whole number" in run.err
    # a forcecheck.toml nearer the folder wins over a pyproject.toml further up
    (root / "sub" / "forcecheck.toml").write_text('policy = "cfr-287-8"\n', encoding="utf-8")
    monkeypatch.chdir(root / "sub")
    assert "policy = 'cfr-287-8'" in cli("config").out


# --- the documented workflows, run ---------------------------------------------------------------


def _doc_blocks() -> list[dict]:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def _run_line(cli, line: str, folder: Path) -> int:
    """A CI line as the shell would run it: 'forcecheck ... > FILE || test $? -eq 1'."""
    allowed_one = "|| test $? -eq 1" in line
    line = line.split("||")[0]
    command, _, target = line.partition(">")
    args = shlex.split(command)
    assert args[0] == "forcecheck", line
    run = cli(*args[1:])
    if target.strip():
        (folder / target.strip()).write_text(run.out, encoding="utf-8")
    assert run.code == 0 or (allowed_one and run.code == 1), (line, run.code, run.err[-2000:])
    return run.code


def test_the_github_workflow_and_gitlab_job_in_the_docs_run(cli, tmp_path, monkeypatch):
    github, gitlab = (b for b in _doc_blocks()
                      if "jobs" in b or "forcecheck" in b and "script" in b["forcecheck"])
    # The workflow's shape, as GitHub reads it ('on' is a YAML 1.1 boolean key for PyYAML).
    assert set(github) >= {"name", True, "jobs"} and {"push", "pull_request"} <= set(github[True])
    job = github["jobs"]["scenarios"]
    assert job["runs-on"] and job["permissions"]["security-events"] == "write"
    assert all(("uses" in s) != ("run" in s) for s in job["steps"])
    uses = [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python", "github/codeql-action/upload-sarif"]
    sarif_file = next(s["with"]["sarif_file"] for s in job["steps"] if "upload-sarif" in s.get("uses", ""))

    shutil.copytree(SCENARIOS / "teaching", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORCECHECK_NO_CONFIG", "1")
    lines = [s["run"].split("#")[0].strip() for s in job["steps"] if "run" in s]
    for line in lines:
        if line.startswith("pip "):
            continue
        _run_line(cli, line, tmp_path)
    log = json.loads((tmp_path / sarif_file).read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]

    assert gitlab["forcecheck"]["artifacts"]["reports"]["junit"] == "forcecheck-junit.xml"
    for line in gitlab["forcecheck"]["script"]:
        if not line.startswith("pip "):
            _run_line(cli, line, tmp_path)
    junit = ET.parse(tmp_path / "forcecheck-junit.xml").getroot()
    # a case per file, or per file and policy for a file with expectations for several
    listed = [line for line in cli("test", str(tmp_path / "scenarios")).out.splitlines()
              if line[:6] in ("ok    ", "none  ", "FAIL  ", "ERROR ")]
    assert int(junit.get("tests")) == len(listed) > len(list((tmp_path / "scenarios").glob("*.yaml")))
    names = {case.get("name") for case in junit.iter("testcase")}
    assert any(name.endswith("step-aside-possible.yaml [doj-uof]") for name in names)


# --- slow: the official SARIF schema, and pre-commit --------------------------------------------

SARIF_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"  # ships the SARIF 2.1.0 JSON Schema


@pytest.mark.slow
def test_sarif_validates_against_the_sarif_2_1_0_schema(cli, tmp_path):
    """The schema comes from an npm package that ships it (Microsoft's SARIF matchers for jest),
    fetched with npm from the registry; without npm the test says so and skips."""
    import tarfile

    import jsonschema

    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: it fetches the SARIF 2.1.0 schema (apt-get install npm)")
    packed = subprocess.run([npm, "pack", SARIF_PACKAGE, "--silent"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300, check=False)
    if packed.returncode != 0:
        pytest.skip(f"npm could not fetch {SARIF_PACKAGE}: {packed.stderr[-300:]}")
    with tarfile.open(tmp_path / packed.stdout.strip().splitlines()[-1]) as tar:
        member = next(m for m in tar.getmembers() if re.search(r"schemas/sarif-2\.1\.0[^/]*\.json$", m.name))
        schema = json.load(tar.extractfile(member))
    assert "2.1.0" in schema["title"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    logs = [cli("check", str(MPLS), "--format", "sarif").out,
            cli("check", str(SCENARIOS / "real" / "northridge-2025-12-31.yaml"), "--format", "sarif").out,
            cli("validate", str(broken), str(SCENARIOS / "teaching"), "--format", "sarif").out,
            cli("test", str(SCENARIOS / "teaching"), "--format", "sarif").out]
    for text in logs:
        jsonschema.validate(json.loads(text), schema, cls=jsonschema.Draft4Validator)


@pytest.mark.slow
def test_the_pre_commit_hooks_run_on_a_scratch_repository(tmp_path):
    """pre-commit installs forcecheck from this checkout (try-repo) and runs each shipped hook:
    a good scenario passes all three, a broken one fails validate, a reordered one is rewritten."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    if not Path(pre_commit).exists() and shutil.which("pre-commit") is None:
        pytest.skip("pre-commit is not installed (it is in the test extra: pip install -e '.[test]')")
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in manifest] == ["forcecheck-validate", "forcecheck-fmt", "forcecheck-test"]
    repo = tmp_path / "repo"
    (repo / "scenarios").mkdir(parents=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    good = (SCENARIOS / "teaching" / "aim-only.yaml").read_text(encoding="utf-8")
    (repo / "scenarios" / "aim-only.yaml").write_text(good, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)

    def hook(name: str) -> subprocess.CompletedProcess:
        return subprocess.run([pre_commit, "try-repo", str(ROOT), name, "--all-files"], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=900, check=False)

    for name in ("forcecheck-validate", "forcecheck-fmt", "forcecheck-test"):
        run = hook(name)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
        assert "Passed" in run.stdout
    (repo / "scenarios" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    run = hook("forcecheck-validate")
    assert run.returncode == 1 and "error[Y001]" in run.stdout
    (repo / "scenarios" / "broken.yaml").unlink()
    messy = good.replace("kind: teaching\n", "").replace("title:", "kind: teaching\ntitle:", 1)
    (repo / "scenarios" / "aim-only.yaml").write_text(messy, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    run = hook("forcecheck-fmt")
    assert run.returncode == 1 and "files were modified by this hook" in run.stdout
    assert (repo / "scenarios" / "aim-only.yaml").read_text(encoding="utf-8") == good


def test_usage_errors_are_said_in_the_tools_own_format(tmp_path):
    """A bad option value is `error[U001]` with a hint, like every other error: no framed box,
    no pydantic wording, exit 2."""
    run = subprocess.run([sys.executable, "-m", "forcecheck", "check", "x.yaml", "--format", "pdf"],
                         capture_output=True, text=True, check=False, cwd=tmp_path)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith("error[U001]: Invalid value for '--format'")
    assert "= hint: see `forcecheck check --help`" in run.stderr
    assert "╭" not in run.stderr and "Value error" not in run.stderr


def test_json_is_compact_into_a_pipe_and_indented_on_request(cli):
    compact = cli("check", str(MPLS), "--format", "json").out
    indented = cli("check", str(MPLS), "--format", "json", "--indent", "2").out
    assert compact.count("\n") == 1 and indented.count("\n") > 1000
    assert json.loads(compact) == json.loads(indented)
    assert len(compact) < len(indented) / 2

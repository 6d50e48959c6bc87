"""The docs' examples run: every ```yaml block in docs/ and the README is extracted; a whole
scenario must load and pass its own expectations, a whole mapping file must load, a fragment
must at least be YAML that fits the place it shows. So a doc can never again show a file that
does not load."""

import re

import pytest
import yaml

from forcecheck.importing.mapping import Column, MappingModel

from conftest import ROOT

# The tutorial's file has a deliberate slip; test_the_tutorial_runs_as_written covers it.
# docs/ci.md's YAML is CI configuration (a workflow, a GitLab job, pre-commit): test_ci.py runs it.
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md")
                                     if p.name not in ("tutorial.md", "ci.md"))]
BLOCKS = [(page, i, block) for page in PAGES
          for i, block in enumerate(re.findall(r"```yaml\n(.*?)```", page.read_text(encoding="utf-8"), re.S))]


MINIMAL_MAPPING = {"mapping": "x", "title": "x", "database": {"id": "x", "title": "x"},
                   "account": {"id": "x", "name": "x"}, "id": "id", "title_template": "{id}", "summary": "x",
                   "people": [{"id": "p", "role": "subject", "description": "x"}]}


def test_there_are_examples():
    assert any(b.lstrip().startswith(("# yaml-language-server", "id:")) for _, _, b in BLOCKS)


@pytest.mark.parametrize(("page", "index", "block"), BLOCKS,
                         ids=[f"{p.name}-{i}" for p, i, _ in BLOCKS])
def test_yaml_examples_in_the_docs_load(cli, compiled, tmp_path, page, index, block):
    data = yaml.safe_load(block)
    assert isinstance(data, dict)
    if "mapping" in data:  # a whole mapping file: it loads, every rule checked against the policy
        from forcecheck.importing.rules import load_mapping

        path = tmp_path / "mapping.yaml"
        path.write_text(block, encoding="utf-8")
        load_mapping(path, compiled)
    elif "accounts" in data and "id" in data:  # a whole scenario: it loads and its expectations hold
        path = tmp_path / "example.yaml"
        path.write_text(block, encoding="utf-8")
        run = cli("test", str(path))
        assert run.code == 0, run.out + run.err
    elif set(data) <= set(MappingModel.model_fields):  # a fragment of a mapping's top level
        MappingModel.model_validate({**MINIMAL_MAPPING, **data})
    elif all(isinstance(v, dict) and "values" in v for v in data.values()):  # a mapping's columns
        for column in data.values():
            Column.model_validate(column)
    else:  # a fragment: only keys a scenario has
        assert set(data) <= {"id", "title", "kind", "date", "time", "place", "summary", "sources", "people",
                             "events", "undisputed", "accounts", "expect"}, set(data)


def test_the_tutorial_runs_as_written(tmp_path, monkeypatch):
    """docs/tutorial.md, step by step, in an empty folder: each ```sh line runs; each ```yaml
    block is the file the step edits; each ```text block appears in what the last command
    printed ('...' skips lines); `<!-- fix: A -> B -->` is the edit the text asks for."""
    import shlex

    from typer.testing import CliRunner

    from forcecheck.cli.app import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    printed = ""
    steps = 0
    pieces = [(m.group(1) or "fix", m.group(2) if m.group(1) else m.group(3))
              for m in re.finditer(r"```(sh|yaml|text)\n(.*?)```|<!-- (fix: .*?) -->", text, re.S)]
    for kind, body in pieces:
        if kind == "sh":
            for line in body.splitlines():
                args = shlex.split(line)
                assert args[0] == "forcecheck"
                result = CliRunner().invoke(app, args[1:])
                assert result.exit_code in (0, 1, 2), (line, result.stderr)  # 2: the slip, on purpose
                assert "internal error" not in result.stderr
                assert result.exception is None or isinstance(result.exception, SystemExit)
                printed = result.stdout + result.stderr
                steps += 1
        elif kind == "yaml":
            (tmp_path / "strike.yaml").write_text(body, encoding="utf-8")
        elif kind == "fix":
            old, new = body.removeprefix("fix: ").split(" -> ")
            path = tmp_path / "strike.yaml"
            path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        else:
            lines = printed.splitlines()
            for run in [r.strip("\n").splitlines() for r in body.split("...\n")]:
                assert any(lines[i:i + len(run)] == run for i in range(len(lines))), run
    assert steps >= 5


def test_rule_language_examples_parse():
    """Every rule example in docs/rule-language.md is valid rule-language syntax."""
    from forcecheck.policy.parser import parse_policy_text

    text = (ROOT / "docs" / "rule-language.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```text\n(.*?)```", text, re.S)
    assert len(blocks) >= 4
    for i, block in enumerate(blocks):
        parse_policy_text(block, f"example-{i}.rules")  # raises InputError, located, if not

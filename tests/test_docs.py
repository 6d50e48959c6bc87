"""The docs' examples run: every ```yaml block in docs/ and the README is extracted; a whole
scenario must load and pass its own expectations, a fragment must at least be YAML that fits
the place it shows. So a doc can never again show a file that does not load."""

import re

import pytest
import yaml

from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [(page, i, block) for page in PAGES
          for i, block in enumerate(re.findall(r"```yaml\n(.*?)```", page.read_text(encoding="utf-8"), re.S))]


def test_there_are_examples():
    assert any(b.lstrip().startswith(("# yaml-language-server", "id:")) for _, _, b in BLOCKS)


@pytest.mark.parametrize(("page", "index", "block"), BLOCKS,
                         ids=[f"{p.name}-{i}" for p, i, _ in BLOCKS])
def test_yaml_examples_in_the_docs_load(cli, tmp_path, page, index, block):
    data = yaml.safe_load(block)
    assert isinstance(data, dict)
    if "accounts" in data and "id" in data:  # a whole scenario: it loads and its expectations hold
        path = tmp_path / "example.yaml"
        path.write_text(block, encoding="utf-8")
        run = cli("test", str(path))
        assert run.code == 0, run.out + run.err
    else:  # a fragment: only keys a scenario has
        assert set(data) <= {"id", "title", "kind", "date", "time", "place", "summary", "sources", "people",
                             "events", "undisputed", "accounts", "expect"}, set(data)

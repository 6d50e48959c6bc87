"""`forcecheck fmt`: one layout for scenario files, comments kept, meaning never changed."""

from forcecheck.authoring.fmt import formatted
from forcecheck.scenario.yamlsource import load_yaml

from conftest import SCENARIOS

MESSY = """# A comment at the top stays.
kind: teaching
id: messy
summary: s  # and one at the end of a line
people:
  - role: officer
    description: an officer
    id: o
  - {description: a man, id: m, role: subject}
title: Messy
accounts:
  - name: A
    facts:
      o.on_duty: {source: x, value: yes}
    id: a
"""


def test_the_shipped_scenarios_are_formatted(cli):
    run = cli("fmt", "--check", str(SCENARIOS))
    assert run.code == 0 and run.out == "", run.out


def test_fmt_orders_keys_keeps_comments_and_meaning(tmp_path, cli):
    out = formatted(MESSY)
    assert out.splitlines()[:4] == ["# A comment at the top stays.", "id: messy", "title: Messy",
                                    "kind: teaching"]
    assert "summary: s  # and one at the end of a line" in out
    assert "  - id: o\n    role: officer\n    description: an officer\n" in out
    assert "{id: m, role: subject, description: a man}" in out  # flow style as written
    assert "o.on_duty: {value: yes, source: x}" in out
    assert formatted(out) == out  # twice: the same bytes
    assert load_yaml("a.yaml", out).data == load_yaml("a.yaml", MESSY).data
    path = tmp_path / "messy.yaml"
    path.write_text(MESSY)
    run = cli("fmt", "--check", str(path))
    assert run.code == 1 and "+id: messy" in run.out and path.read_text() == MESSY
    assert cli("fmt", str(path)).code == 0 and path.read_text() == out

"""`forcecheck fmt`: one layout for scenario files, comments kept, meaning never changed."""

import pytest

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


# --- December review: H1 (YAML that does not load), L1 (comments move with their keys) -----------

INVALID = {  # the review's six inputs that crashed fmt, and one more kind of each
    "duplicate-keys.yaml": "id: one\nid: two\n",
    "tab-indent.yaml": "id: x\n\ttitle: t\n",
    "unclosed-quote.yaml": 'id: "x\n',
    "nul-byte.yaml": "id: x\0\n",
    "deep-flow.yaml": "id: " + "[" * 1000 + "]" * 1000 + "\n",
    "scalar-tag-on-a-mapping.yaml": "id: x\nexpect: !!int\n  a: b\n",
}


@pytest.mark.parametrize("check", [True, False])
def test_fmt_gives_validates_diagnostics_on_yaml_that_does_not_load_and_goes_on(cli, tmp_path, check):
    """No internal error: each file gets the located diagnostics `validate` gives it (file:line:col,
    code), the files after it are still formatted, and the exit code is 2."""
    for name, text in INVALID.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "z-messy.yaml").write_text(MESSY, encoding="utf-8")
    run = cli("fmt", *(["--check"] if check else []), str(tmp_path))
    assert run.code == 2 and "internal error" not in run.err
    for name in INVALID:
        if name == "scalar-tag-on-a-mapping.yaml":  # loads for forcecheck; ruamel cannot round-trip it
            assert f"{name}:2:9: error[Y001]: invalid YAML: the tag !!int is for a single value" in run.err
            continue
        validate = cli("validate", str(tmp_path / name))
        located = [line for line in validate.err.splitlines() if ": error[Y" in line]
        assert located and all(line in run.err for line in located), (name, validate.err, run.err)
        assert (tmp_path / name).read_text(encoding="utf-8") == INVALID[name]  # never touched
    if check:
        assert "+id: messy" in run.out and (tmp_path / "z-messy.yaml").read_text() == MESSY
    else:
        assert (tmp_path / "z-messy.yaml").read_text() == formatted(MESSY)


def test_fmt_skips_a_group_that_is_not_a_list_and_keeps_scalars_as_written(tmp_path, cli):
    """The shape is `validate`'s to report: `people: 5` is formatted around, not a crash; a date
    that is no date and a number too long for Python are kept as the text they are."""
    text = ("people: 5\ndate: 2016-13-45\nid: x\ntime: 10:30\nundisputed: {facts: [1]}\n"
            "accounts: [{facts: 3, id: a}]\nn: 1" + "2" * 5000 + "\n")
    out = formatted(text)
    assert out.startswith("id: x\ndate: 2016-13-45\ntime: 10:30\npeople: 5\n")
    assert "\nn: 1222" in out and formatted(out) == out
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    assert cli("fmt", str(path)).code == 0 and path.read_text(encoding="utf-8") == out


COMMENTED = """# yaml-language-server: $schema=../../docs/scenario.schema.json
title: t  # the title's own comment
# about the id
id: c
kind: teaching
# about the accounts: the report is disputed
accounts:
  - {id: report, name: Report}
# about the summary,
# on two lines
summary: >
  A summary folded
  over two lines.
people:
  - role: officer
    # the officer's id
    id: officer
    description: o
  # about the man
  - description: m
    id: man
    # his role
    role: subject
# the last line
"""


def test_fmt_moves_the_comment_above_a_key_with_the_key():
    out = formatted(COMMENTED)
    assert out == """# yaml-language-server: $schema=../../docs/scenario.schema.json
# about the id
id: c
title: t  # the title's own comment
kind: teaching
# about the summary,
# on two lines
summary: >
  A summary folded
  over two lines.
people:
  # the officer's id
  - id: officer
    role: officer
    description: o
  # about the man
  - id: man
    # his role
    role: subject
    description: m
# about the accounts: the report is disputed
accounts:
  - {id: report, name: Report}
# the last line
"""
    assert formatted(out) == out
    assert load_yaml("a.yaml", out).data == load_yaml("a.yaml", COMMENTED).data


def test_a_moved_comment_never_falls_into_a_block_scalar():
    """A comment indented deeper than the key it is above, moved after a folded scalar, would
    become part of the scalar's text: it is indented as its key is."""
    text = "id: x\nsummary: >\n  text\nundisputed:\n  facts:\n    # about people\npeople: []\n"
    out = formatted(text)
    assert "summary: >\n  text\n# about people\npeople: []\n" in out
    assert load_yaml("a.yaml", out).data == load_yaml("a.yaml", text).data

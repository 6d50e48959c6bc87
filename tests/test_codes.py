"""One table of diagnostic codes, one meaning each: every code the source raises is
explained by `forcecheck explain`, and the table holds no code the source never raises."""

import re

from forcecheck.codes import CODES

from conftest import ROOT


def _used() -> set[str]:
    found = set()
    for path in (ROOT / "src" / "forcecheck").rglob("*.py"):
        found |= set(re.findall(r'"([A-Z]\d{3})"', path.read_text(encoding="utf-8")))
    return found


def test_every_code_raised_is_explained_and_every_explained_code_is_raised():
    used = _used()
    table = set(CODES)
    assert used - table == set(), "codes raised but not explained in codes.py"
    assert table - used == set(), "codes explained but never raised"


def test_explain(cli):
    run = cli("explain", "s015")
    assert run.code == 0 and run.out.startswith("S015: unknown fact") and "by meaning" in run.out
    assert "S029  unknown clause" in cli("explain").out
    run = cli("explain", "S0155")
    assert run.code == 2 and "did you mean 'S015'?" in run.err

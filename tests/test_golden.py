"""Golden cases as data: each tests/cases/<name>/ holds `cmd` (the arguments, run from that
directory), input files, and the expected stdout, stderr and exit code. Refresh with
`pytest --update-golden` and review the diff like any other change."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, split

CASES = sorted(p for p in (Path(__file__).parent / "cases").iterdir() if (p / "cmd").is_file())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path, monkeypatch, request):
    monkeypatch.chdir(case)
    monkeypatch.setenv("NO_COLOR", "1")
    run = run_cli(*split((case / "cmd").read_text().strip()))
    got = {"expected.out": run.out, "expected.err": run.err, "expected.code": f"{run.code}\n"}
    if request.config.getoption("--update-golden"):
        for name, text in got.items():
            (case / name).write_text(text, encoding="utf-8")
    for name, text in got.items():
        expected = (case / name).read_text(encoding="utf-8") if (case / name).exists() else ""
        assert text == expected, f"{case.name}/{name} differs (run pytest --update-golden to refresh)"

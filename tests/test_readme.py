"""The README shows real output: every line of its excerpts appears in what check prints."""

from conftest import ROOT, SCENARIOS


def test_readme_excerpts_are_real_output(cli, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    out = cli("check", str(SCENARIOS / "real" / "minneapolis-2026-01-07.yaml")).out.splitlines()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```text\n")[1:]]
    excerpts = [b for b in blocks if "error[" not in b and "Layout" not in b and "policy/dhs" not in b]
    assert len(excerpts) >= 2
    missing = [line for b in excerpts for line in b.splitlines()
               if line.strip() != "..." and line not in out]
    assert missing == []

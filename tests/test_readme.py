"""The README shows real output: each run of lines between its '...' markers appears, in
order and unbroken, in what check prints."""

from conftest import ROOT, SCENARIOS


def _runs(block: str) -> list[list[str]]:
    runs, current = [], []
    for line in block.splitlines():
        if line.strip() == "...":
            runs.append(current)
            current = []
        else:
            current.append(line)
    return [r for r in [*runs, current] if r]


def _contains(lines: list[str], run: list[str]) -> bool:
    return any(lines[i:i + len(run)] == run for i in range(len(lines) - len(run) + 1))


def test_readme_excerpts_are_real_output(cli, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    out = cli("check", str(SCENARIOS / "real" / "minneapolis-2026-01-07.yaml")).out.splitlines()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```text\n")[1:]]
    excerpts = [b for b in blocks if "error[" not in b and "policy/dhs" not in b]
    assert len(excerpts) >= 2
    missing = [run[0] for b in excerpts for run in _runs(b) if not _contains(out, run)]
    assert missing == []

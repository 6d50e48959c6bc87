"""The casebook of real incidents (scenarios/real/): every statement is attributed to one of its
account's own sources, every source has an address, every quote says something, each file
validates with no warning but W010 (the unstated fact most open verdicts hang on), and each
carries checked expectations for every account under DHS, DOJ and 8 C.F.R. 287.8 (the pytest
plugin runs them: `testpaths` includes scenarios/)."""

import pytest

from forcecheck.scenario.load import load_scenario

from conftest import SCENARIOS

REAL = sorted((SCENARIOS / "real").glob("*.yaml"))


def test_the_casebook_has_at_least_twelve_incidents_of_two_accounts_or_more(compiled):
    assert len(REAL) >= 12
    for path in REAL:
        assert len(load_scenario(path, compiled).accounts) >= 2, path.name


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_every_statement_is_attributed_to_a_source_of_its_account(compiled, path):
    sc = load_scenario(path, compiled)
    model = sc.model
    urls = {s.id: s.url for s in model.sources}
    assert all(urls.values()), [s for s, u in urls.items() if not u]
    undisputed = set(model.undisputed.sources) if model.undisputed else set()
    for account in model.accounts:
        allowed = set(account.sources) | undisputed
        for key, st in account.facts.items():
            assert st.source in allowed, f"{account.id}: {key} cites {st.source}"
            assert st.quote is None or st.quote.strip(), f"{account.id}: {key} has an empty quote"
    for key, st in (model.undisputed.facts.items() if model.undisputed else ()):
        assert st.source in undisputed | set(urls), f"undisputed: {key} cites {st.source}"
        assert st.quote is None or st.quote.strip()


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_every_real_incident_expects_verdicts_for_every_account_under_each_policy(compiled, path):
    from forcecheck.scenario.schema import expectation_blocks

    model = load_scenario(path, compiled).model
    blocks = {block.policy_id: block for block, _ in expectation_blocks(model.expect)}
    assert sorted(blocks) == ["cfr-287-8", "dhs-uof", "doj-uof"], path.name
    accounts = {a.id for a in model.accounts}
    for policy_id, block in blocks.items():
        by_account = block.by_account()
        assert set(by_account) == accounts, f"{path.name} [{policy_id}]: accounts without expectations"
        assert all(by_account.values()), f"{path.name} [{policy_id}]: an empty block"


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_every_real_incident_validates_with_no_warning_but_w010(cli, path):
    run = cli("validate", str(path))
    assert run.code == 0, run.err
    codes = set(__import__("re").findall(r"warning\[([A-Z]\d{3})\]", run.err))
    assert codes <= {"W010"}, run.err


def test_the_casebook_markdown_in_scenarios_real_is_current(cli, monkeypatch):
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    run = cli("casebook", "scenarios/real", "--format", "markdown")
    assert run.code == 0
    shipped = (ROOT / "scenarios" / "real" / "README.md").read_text(encoding="utf-8")
    assert run.out == shipped, ("scenarios/real/README.md is stale: run forcecheck casebook scenarios/real "
                                "--format markdown --output scenarios/real/README.md")


def test_the_casebook_has_a_row_per_incident_and_account_with_the_headline_clauses(cli):
    import json

    doc = json.loads(cli("casebook", str(SCENARIOS / "real"), "--format", "json").out)
    assert [i["date"] for i in doc["incidents"]] == sorted(i["date"] for i in doc["incidents"])
    assert doc["clauses"] == ["deadly-force-imminent-threat", "fleeing-subject", "moving-vehicle-operator",
                              "medical-aid"]
    good = next(i for i in doc["incidents"] if i["scenario"] == "minneapolis-2026-01-07")
    video = next(a for a in good["accounts"] if a["id"] == "video")
    assert video["verdicts"]["deadly-force-imminent-threat"] == "breached"
    assert "deadly-force-imminent-threat" in good["contested"]
    assert "shots.threat_of_death_or_serious_injury" in good["contested"]["deadly-force-imminent-threat"]


def test_the_casebook_page_escapes_what_a_scenario_says(cli, tmp_path):
    import yaml

    data = yaml.safe_load((SCENARIOS / "teaching" / "aim-only.yaml").read_text(encoding="utf-8"))
    data["title"] = "<script>alert(1)</script>\x1b[2J"
    data.pop("expect", None)
    (tmp_path / "h.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    for fmt in ("html", "markdown", "text"):
        out = cli("casebook", str(tmp_path), "--format", fmt).out
        assert "\x1b" not in out and "\\x1b" in out, fmt  # shown as an escape, never raw
        assert fmt == "text" or "<script>alert" not in out, fmt  # no markup where markup runs

"""The casebook of real incidents (scenarios/real/): every statement is attributed to one of its
account's own sources, every source has an address, every quote says something, and each file
validates with no warning but W010 (the unstated fact most open verdicts hang on)."""

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
def test_every_real_incident_validates_with_no_warning_but_w010(cli, path):
    run = cli("validate", str(path))
    assert run.code == 0, run.err
    codes = set(__import__("re").findall(r"warning\[([A-Z]\d{3})\]", run.err))
    assert codes <= {"W010"}, run.err

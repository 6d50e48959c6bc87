"""The corpus report's numbers say how they were made, and break down as journalists ask
(issue 24): outcomes fixed by the mapping marked in every format, the codes each count rests
on, attribution with the framing, `--by`, `--where` ranges/members/several values, `--against`,
errors instead of empty reports, Parquet out. Records from invented rows (tests/fixtures)."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "incidents.csv"
DEADLY = "deadly-force-imminent-threat"


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """This version of the fixture database, and an older one: record 2 coded 'attack' there
    (threat_level 'other' here), record 3 not yet in it."""
    from conftest import run_cli

    tmp = tmp_path_factory.mktemp("corpora")
    rows = FIXTURE.read_text(encoding="utf-8").splitlines()
    old_rows = [r.replace(",other,Foot,", ",attack,Foot,") for r in rows if not r.startswith("3,")]
    (tmp / "old.csv").write_text("\n".join(old_rows) + "\n", encoding="utf-8")
    out = {}
    for name, data in (("new", FIXTURE), ("old", tmp / "old.csv")):
        run_cli("import", str(data), "-m", "wapo-2015", "-o", str(tmp / f"{name}.jsonl"))
        checked = run_cli("check", str(tmp / f"{name}.jsonl"), "--format", "json")
        (tmp / f"{name}-records.jsonl").write_text(checked.out, encoding="utf-8")
        out[name] = tmp / f"{name}-records.jsonl"
    return out


def corpus_json(cli, path, *args):
    run = cli("corpus", str(path), "--format", "json", *args)
    assert run.code == 0, run.err
    return json.loads(run.out)


def test_outcomes_fixed_by_the_mapping_are_said_in_every_format(cli, corpora):
    new = corpora["new"]
    text = cli("corpus", str(new)).out
    row = next(x for x in text.splitlines() if x.startswith(DEADLY))
    assert row.startswith(f"{DEADLY} *")
    flat = " ".join(text.split())
    assert (f"{DEADLY}: breached: 0 by construction: no code states shots.threat_had_ended = yes or "
            "shots.threat_of_death_or_serious_injury = no") in flat
    assert "medical-aid: breach possible in every record by construction" in flat
    doc = corpus_json(cli, new)
    assert doc["structural"][DEADLY][0].startswith("breached: 0 by construction: no code states")
    md = cli("corpus", str(new), "--format", "markdown").out
    assert f"| `{DEADLY}` \\* |" in md and "## Fixed by the mapping, not found in the data" in md
    page = cli("corpus", str(new), "--format", "html").out
    assert f'<tr data-clause="{DEADLY}" class="fixed">' in page and 'id="structural"' in page


def test_each_count_says_the_codes_it_rests_on_with_their_readings(cli, corpora):
    doc = corpus_json(cli, corpora["new"])
    met = doc["resting"][DEADLY]["met"]
    assert met[0]["code"] == "threat_level=attack" and met[0]["records"] == 2  # records 1 and 4
    assert met[0]["reading"].startswith("The database's 'attack' flags")
    taser = [c for c in doc["resting"]["safe-tactics"]["breach_possible"]
             if c["code"] == "manner_of_death=shot and Tasered"]
    assert taser and taser[0]["records"] == 1 and taser[0]["secondary"] is True
    text = " ".join(cli("corpus", str(corpora["new"])).out.split())
    assert "breach possible manner_of_death=shot and Tasered 1 (adds a secondary event)" in text


def test_the_database_is_credited_with_the_framing(cli, corpora):
    doc = corpus_json(cli, corpora["new"])
    assert doc["attribution"]["wapo"]["licence"] == "CC BY-NC-SA 4.0"
    assert doc["framing"].endswith("Data: Fatal Force: fatal police shootings database, first layout "
                                   "(2015 to July 2020); The Washington Post; "
                                   "https://github.com/washingtonpost/data-police-shootings, licensed "
                                   "CC BY-NC-SA 4.0.")
    page = cli("corpus", str(corpora["new"]), "--format", "html").out
    assert "<title>Corpus report: DHS Department Policy on the Use of Force on Fatal Force" in page


def test_by_year_gives_one_row_per_group_with_its_unknown_rate(cli, corpora):
    doc = corpus_json(cli, corpora["new"], "--by", "year")
    rows = next(g["rows"] for g in doc["groups"] if g["clause"] == DEADLY)
    assert [(r["group"], r["records"], r["met"], r["breach_possible"], r["unknown_rate"]) for r in rows] == [
        ("2016", 2, 1, 1, 0.5), ("2017", 2, 1, 1, 0.5), ("2018", 1, 0, 1, 1.0)]
    text = cli("corpus", str(corpora["new"]), "--by", "year", "--clause", DEADLY).out
    assert f"{DEADLY} by year" in text and "fleeing-subject by year" not in text
    assert any(line.split() == ["2018", "1", "1", "0", "0", "1", "0", "100%"] for line in text.splitlines())
    md = cli("corpus", str(corpora["new"]), "--by", "state", "--format", "markdown").out
    assert f"## `{DEADLY}` by state" in md and "| IL | 3 |" in md
    page = cli("corpus", str(corpora["new"]), "--by", "year", "--format", "html").out
    assert '<svg class="chart"' in page and "2018: undetermined, breach possible 1 of 1 (100%)" in page


@pytest.mark.parametrize(("where", "kept"), [
    (["year=2016..2017"], 4), (["year=2017.."], 3), (["year=..2016"], 2),
    (["state=IL,WY"], 5), (["state=WY", "year=2017"], 2), (["armed~knife"], 1), (["armed~gun,knife"], 2)])
def test_where_takes_ranges_members_and_several_values(cli, corpora, where, kept):
    args = [a for w in where for a in ("--where", w)]
    assert corpus_json(cli, corpora["new"], *args)["records"] == kept


def test_a_where_value_that_never_occurs_is_said(cli, corpora):
    run = cli("corpus", str(corpora["new"]), "--where", "state=ZZ")
    assert run.code == 0
    assert "note: --where state=ZZ: no record has such a value of 'state' (values: IL, WY)" in run.err


def test_a_field_no_record_has_is_an_error_not_an_empty_report(cli, corpora):
    for args in (["--where", "county=X"], ["--by", "county"]):
        run = cli("corpus", str(corpora["new"]), *args)
        assert run.code == 2 and "U009" in run.err and "no record has the field 'county'" in run.err


def test_a_policy_the_records_were_not_checked_under_is_refused(cli, corpora):
    run = cli("corpus", str(corpora["new"]), "--policy", "doj")
    assert run.code == 2 and "were checked under dhs-uof, not" in run.err
    assert cli("corpus", str(corpora["new"]), "--policy", "dhs").code == 0


def test_against_an_older_corpus_gives_the_transitions_and_the_codes_that_changed(cli, corpora):
    doc = corpus_json(cli, corpora["new"], "--against", str(corpora["old"]))
    a = doc["against"]
    assert (a["joined"], a["only_new"], a["only_old"]) == (4, 1, 0)
    deadly = [t for t in a["transitions"] if t["clause"] == DEADLY]
    assert deadly == [{"clause": DEADLY, "from": "met", "to": "breach_possible", "records": 1,
                       "codes": [{"change": "threat_level: attack -> other", "records": 1}]}]
    text = cli("corpus", str(corpora["new"]), "--against", str(corpora["old"])).out
    assert (f"{DEADLY}: met -> breach possible: 1 record(s); codes changed: threat_level: attack -> "
            "other (1)") in text
    md = cli("corpus", str(corpora["new"]), "--against", str(corpora["old"]), "--format", "markdown").out
    assert "## Against the older corpus" in md
    page = cli("corpus", str(corpora["new"]), "--against", str(corpora["old"]), "--format", "html").out
    assert 'id="against"' in page and "threat_level: attack -&gt; other (1)" in page
    same = corpus_json(cli, corpora["new"], "--against", str(corpora["new"]))["against"]
    assert same["transitions"] == [] and same["joined"] == 5


def test_records_as_parquet(cli, corpora, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "t.parquet"
    run = cli("corpus", str(corpora["new"]), "--parquet", str(out))
    assert run.code == 0, run.err
    rows = duckdb.sql(f"SELECT record, status, field_state FROM '{out}' WHERE clause = '{DEADLY}' "
                      "ORDER BY record").fetchall()
    assert rows == [("1", "met", "IL"), ("2", "breach_possible", "IL"), ("3", "breach_possible", "WY"),
                    ("4", "met", "WY"), ("5", "breach_possible", "IL")]

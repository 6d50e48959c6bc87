"""Incident databases: `import` through a declarative mapping, the mapping's located errors,
the report of codes it does not cover, and the corpus report over a batch check. Fixtures are
invented rows in the layout of the database the shipped mapping is for (tests/fixtures)."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "incidents.csv"
WAPO = ROOT / "mappings" / "wapo-2015.yaml"


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from conftest import run_cli

    out = tmp_path_factory.mktemp("imported")
    run = run_cli("import", str(FIXTURE), "--mapping", str(WAPO), "--output", str(out))
    return out, run


def scenario(folder, record_id):
    return yaml.safe_load((folder / f"wapo-2015-{record_id}.yaml").read_text(encoding="utf-8"))


def facts(doc):
    return doc["accounts"][0]["facts"]


def test_each_record_becomes_a_scenario_that_loads(imported, compiled):
    from forcecheck.scenario.load import load_scenario

    out, run = imported
    assert run.code == 0, run.err
    files = sorted(out.glob("*.yaml"))
    assert [f.name for f in files] == [f"wapo-2015-{i}.yaml" for i in range(1, 6)]
    for f in files:
        load_scenario(f, compiled)
    assert "5 records imported" in run.err


def test_every_statement_is_attributed_to_the_database_record_and_code(imported):
    out, _ = imported
    doc = scenario(out, 1)
    assert doc["kind"] == "real" and doc["sources"][0]["id"] == "wapo"
    assert doc["accounts"][0]["name"] == "The Washington Post's coding"
    threat = facts(doc)["shots.threat_of_death_or_serious_injury"]
    assert threat["value"] == "yes" and threat["source"] == "wapo"
    assert threat["quote"] == "record 1: threat_level=attack"
    assert threat["note"].startswith("The database's 'attack' flags")
    assert facts(doc)["person.armed_with"]["quote"] == "record 1: armed=gun"
    for st in facts(doc).values():
        assert st["source"] == "wapo" and st["quote"].startswith("record 1: ") and st["note"]
    assert doc["record"] == {"database": "wapo", "id": "1", "mapping": "wapo-2015", "fields": {
        "date": "2016-03-01", "state": "IL", "city": "Springfield", "armed": "gun",
        "threat_level": "attack", "flee": "Not fleeing", "body_camera": "False", "manner_of_death": "shot"},
        "attribution": {"title": "Fatal Force: fatal police shootings database, first layout "
                                 "(2015 to July 2020)",
                        "publisher": "The Washington Post",
                        "url": "https://github.com/washingtonpost/data-police-shootings",
                        "licence": "CC BY-NC-SA 4.0"},
        "codes": ["armed=gun", "flee=Not fleeing", "manner_of_death=shot", "threat_level=attack"]}
    assert "Fixture Person" not in (out / "wapo-2015-1.yaml").read_text(encoding="utf-8")


def test_a_code_that_does_not_support_a_fact_leaves_it_unknown(imported):
    out, run = imported
    other = facts(scenario(out, 2))
    assert "shots.threat_of_death_or_serious_injury" not in other  # threat_level=other
    assert other["shots.subject_fleeing"]["value"] == "yes"  # flee=Foot
    assert "shots.threat_of_death_or_serious_injury" not in facts(scenario(out, 3))  # undetermined
    assert "shots.subject_fleeing" not in facts(scenario(out, 3))  # empty flee
    # a value the mapping has never seen: unknown, and reported with its count
    assert "person.armed_with" not in facts(scenario(out, 4))
    assert "armed: 1 value(s) the mapping does not cover, in 1 record(s), left unknown: " \
           "'rubber chicken' (1)" in run.err


def test_a_code_can_add_an_event(imported):
    out, _ = imported
    events = [e["id"] for e in scenario(out, 2)["events"]]
    assert events == ["shots", "taser"]  # manner_of_death=shot and Tasered
    assert [e["id"] for e in scenario(out, 1)["events"]] == ["shots"]


def test_importing_again_gives_the_same_bytes(imported, cli, tmp_path):
    out, _ = imported
    assert cli("import", str(FIXTURE), "-m", str(WAPO), "-o", str(tmp_path)).code == 0
    for f in sorted(out.glob("*.yaml")):
        assert (tmp_path / f.name).read_bytes() == f.read_bytes()


def test_bad_rows_get_their_line_and_the_others_go_on(cli, tmp_path):
    rows = FIXTURE.read_text(encoding="utf-8").splitlines()
    data = tmp_path / "data.csv"
    data.write_text("\n".join([rows[0], rows[1], "9,too,few", rows[2], rows[1]]) + "\n", encoding="utf-8")
    run = cli("import", str(data), "-m", str(WAPO), "-o", str(tmp_path / "out"))
    assert run.code == 2
    assert f"{data}:3:1: error[M011]: record not read: 3 fields where the header has 14" in run.err
    assert f"{data}:5:1: error[M013]: record has the id '1' of the record at line 2" in run.err
    written = sorted(p.name for p in (tmp_path / "out").glob("*.yaml"))
    assert written == ["wapo-2015-1.yaml", "wapo-2015-2.yaml"]
    assert "2 records imported" in run.err and "2 not imported" in run.err


def test_json_lines_in_and_out(cli, tmp_path):
    import csv

    with FIXTURE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows) + "[not an object]\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(WAPO.read_text(encoding="utf-8").replace("format: csv", "format: jsonl"),
                       encoding="utf-8")
    out = tmp_path / "scenarios.jsonl"
    run = cli("import", str(data), "-m", str(mapping), "-o", str(out))
    assert run.code == 2 and f"{data}:6:1: error[M011]" in run.err
    scenarios = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [s["id"] for s in scenarios] == [f"wapo-2015-{i}" for i in range(1, 6)]
    # check reads a JSON Lines file of scenarios as a batch, each named FILE:LINE
    recs = [json.loads(x) for x in cli("check", str(out), "--format", "json").out.splitlines()]
    assert [r["path"].rsplit(":", 1)[-1] for r in recs] == ["1", "2", "3", "4", "5"]
    assert recs[0]["record"]["fields"]["state"] == "IL" and recs[0]["policy"]["id"] == "dhs-uof"


@pytest.mark.parametrize("change, code, where", [
    ("title_template:", "M002", "title_templat:"),  # unknown key
    ("        reading: A gun is a firearm.\n", "M003", None),  # a rule without its reading
    ("facts: {person.armed_with: firearm}", "M005", "facts: {person.armed_with: rifle}"),
    ("shots.subject_fleeing: \"no\"", "M005", "shots.fleeing: \"no\""),
])
def test_mapping_errors_are_located_in_the_mapping(cli, tmp_path, change, code, where):
    text = WAPO.read_text(encoding="utf-8")
    broken = text.replace(change, where or "", 1)
    assert broken != text
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(broken, encoding="utf-8")
    run = cli("import", str(FIXTURE), "-m", str(mapping), "-o", str(tmp_path / "out"))
    assert run.code == 2 and f"error[{code}]" in run.err and "Traceback" not in run.err
    first = next(x for x in run.err.splitlines() if f"error[{code}]" in x)
    line = int(first.split(":")[1])
    assert first.startswith(f"{mapping}:") and 1 < line <= broken.count("\n")
    if where:
        assert where.split(":")[0].strip() in broken.splitlines()[line - 1] or code == "M005"
    assert not (tmp_path / "out").exists()


def test_the_shipped_mapping_argues_every_reading():
    doc = yaml.safe_load(WAPO.read_text(encoding="utf-8"))
    for column, spec in doc["columns"].items():
        for value, rule in spec["values"].items():
            assert len(rule["reading"].split()) >= 3, (column, value)
            assert rule.get("facts") or rule.get("events") or rule.get("unknown"), (column, value)
    assert doc["columns"]["threat_level"]["values"]["other"]["unknown"] is True
    assert doc["database"]["licence"] == "CC BY-NC-SA 4.0"


@pytest.fixture(scope="module")
def records(imported, tmp_path_factory):
    from conftest import run_cli

    out, _ = imported
    run = run_cli("check", str(out), "--format", "json")
    path = tmp_path_factory.mktemp("records") / "records.jsonl"
    path.write_text(run.out, encoding="utf-8")
    return path


def test_corpus_counts_each_clause_by_verdict(cli, records):
    out = cli("corpus", str(records)).out
    assert out.startswith("Corpus: 5 records checked (filters: none; 0 left out by them; "
                          "0 could not be checked)")
    assert ("What DHS Department Policy on the Use of Force would say of these records as coded "
            "(source: wapo)") in " ".join(out.split())
    row = next(x for x in out.splitlines() if x.startswith("deadly-force-imminent-threat"))
    # records 1 and 4 are coded 'attack': met; the other three could be breached
    assert row.split()[1:7] == ["*", "5", "2", "0", "3", "0"]  # *: fixed by the mapping (no breach)
    assert "shots.threat_of_death_or_serious_injury: " in out


def test_corpus_filters_and_drills_down(cli, records):
    out = cli("corpus", str(records), "--where", "state=WY").out
    assert "2 records checked (filters: state=WY; 3 left out by them" in out
    out = cli("corpus", str(records), "--where", "year=2016", "--clause", "deadly-force-imminent-threat",
              "--status", "breach_possible").out
    drill = out.split("Records where deadly-force-imminent-threat is undetermined, breach possible (1):")[1]
    assert "wapo-2015-2.yaml" in drill and "wapo-2015-1.yaml" not in drill
    run = cli("corpus", str(records), "--clause", "deadly-force")
    assert run.code == 2 and "U009" in run.err
    run = cli("corpus", str(records), "--clause", "deadly-force", "--status", "met")
    assert run.code == 2 and "did you mean 'deadly-force-imminent-threat'" in run.err


def test_corpus_markdown_and_html_carry_the_framing_and_the_bars(cli, records):
    md = cli("corpus", str(records), "--format", "markdown").out
    assert "> What DHS Department Policy" in md
    assert "| `deadly-force-imminent-threat` \\* | 5 | 2 | 0 | 3 | 0 |" in md
    page = cli("corpus", str(records), "--format", "html", "--mapping", str(WAPO)).out
    assert 'id="framing"' in page and page.count('<svg class="bar"') == 13
    assert 'data-status="met" data-count="2"' in page
    assert "How the mapping reads each code" in page and "threat_level" in page
    assert "<script" not in page and "<link" not in page and 'src="http' not in page  # nothing fetched


def test_corpus_refuses_what_is_not_a_record(cli, tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"format": "forcecheck.check/3"}\n', encoding="utf-8")
    run = cli("corpus", str(bad))
    assert run.code == 2 and f"{bad}:1:1: error[R001]" in run.err


def test_corpus_as_json(cli, records):
    doc = json.loads(cli("corpus", str(records), "--format", "json", "--where", "state=IL").out)
    assert doc["format"] == "forcecheck.corpus/1" and doc["records"] == 3 and doc["filtered_out"] == 2
    assert doc["clauses"]["deadly-force-imminent-threat"] == {
        "breached": 0, "breach_possible": 2, "undetermined": 0, "met": 1, "not_applicable": 0}
    assert doc["framing"].startswith("What DHS Department Policy on the Use of Force would say")


def test_an_output_that_is_not_a_folder_is_refused(cli, tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("keep me", encoding="utf-8")
    run = cli("import", str(FIXTURE), "-m", str(WAPO), "-o", str(target))
    assert run.code == 2 and "U003" in run.err and "Traceback" not in run.err
    assert target.read_text(encoding="utf-8") == "keep me"


def test_a_row_csv_cannot_read_is_reported_and_the_others_go_on(cli, tmp_path):
    rows = FIXTURE.read_text(encoding="utf-8").splitlines()
    data = tmp_path / "data.csv"
    huge = rows[1].replace("Fixture Person A", "x" * 200_000)
    data.write_text("\n".join([rows[0], huge, rows[2]]) + "\n", encoding="utf-8")
    run = cli("import", str(data), "-m", str(WAPO), "-o", str(tmp_path / "out"))
    assert run.code == 2
    assert "error[M011]: record not read: not valid CSV: field larger than field limit" in run.err
    assert len(run.err) < 2_000  # the 200,000-character line is shown as a window, not whole
    assert [p.name for p in (tmp_path / "out").glob("*.yaml")] == ["wapo-2015-2.yaml"]


def test_the_shipped_mapping_can_be_named(cli, tmp_path):
    run = cli("import", str(FIXTURE), "-m", "wapo-2015", "-o", str(tmp_path / "out"))
    assert run.code == 0 and "5 records imported" in run.err
    run = cli("import", str(FIXTURE), "-m", "wapo-2016", "-o", str(tmp_path / "out2"))
    assert run.code == 2 and "M001" in run.err

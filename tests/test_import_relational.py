"""Relational input and the numbers that say how they were made (issue 24): a mapping joins an
agency table, splits multi-valued fields with a declared combination rule, filters and derives
fields (through DuckDB); two columns that state one fact differently leave it unknown and are
counted; a contradiction between columns no longer refuses the record; readings can be switched
off from the command line; the outcomes the mapping alone fixes are worked out. Every row here
is invented (tests/fixtures/relational)."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT

HERE = ROOT / "tests" / "fixtures" / "relational"
WAPO = ROOT / "mappings" / "wapo-2015.yaml"
INCIDENTS = ROOT / "tests" / "fixtures" / "incidents.csv"


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def facts(doc):
    return {k: v["value"] for k, v in doc["accounts"][0]["facts"].items()}


@pytest.fixture(scope="module")
def joined(tmp_path_factory):
    from conftest import run_cli

    pytest.importorskip("duckdb")
    out = tmp_path_factory.mktemp("rel") / "out.jsonl"
    run = run_cli("import", str(HERE / "incidents.csv"), "-m", str(HERE / "mapping.yaml"), "-o", str(out))
    return {d["record"]["id"]: d for d in lines(out)}, run


def test_a_join_and_a_filter_keep_the_records_of_one_kind_of_agency(joined):
    docs, run = joined
    assert run.code == 0, run.err
    assert sorted(docs) == ["1", "3", "4"]  # record 2 was a county sheriff's only: filtered out
    assert docs["1"]["record"]["fields"] == {"date": "2019-02-01", "year": "2019",
                                             "agency_types": "federal;local", "agency_states": "TX"}


def test_a_split_field_takes_the_member_first_in_the_declared_precedence(joined):
    docs, _ = joined
    one = docs["1"]["accounts"][0]["facts"]["person.armed_with"]
    assert (one["value"], one["quote"]) == ("firearm", "record 1: armed=gun")  # "gun;knife"
    four = docs["4"]["accounts"][0]["facts"]["person.armed_with"]
    assert (four["value"], four["quote"]) == ("firearm", "record 4: armed=gun")  # "knife;gun"


def test_a_rule_can_depend_on_another_column(joined):
    docs, _ = joined
    assert facts(docs["1"])["shots.threat_of_death_or_serious_injury"] == "yes"
    assert "shots.threat_of_death_or_serious_injury" not in facts(docs["3"])  # unless armed: unarmed


def test_a_contradiction_between_columns_leaves_the_facts_unknown_with_a_counted_note(joined):
    docs, run = joined
    three = facts(docs["3"])  # coded unarmed and pointed a weapon: the policy refuses both
    assert "person.armed_with" not in three and "shots.target_weapon_use" not in three
    assert ("contradiction: 1 record(s) coded armed=unarmed with weapon_use=pointed, which the policy's "
            "constraints refuse together: what those codes state is left unknown; records 3") in run.err
    assert "3 records imported" in run.err and "not imported" in run.err


def test_the_database_attribution_travels_into_every_record(joined):
    docs, _ = joined
    for doc in docs.values():
        assert doc["record"]["attribution"] == {"title": "Invented incidents", "publisher": "Nobody",
                                                "url": "https://example.org/inv", "licence": "CC0"}


def _mapping(tmp_path, text: str):
    src = (HERE / "mapping.yaml").read_text(encoding="utf-8")
    path = tmp_path / "m.yaml"
    path.write_text(text if text.startswith("mapping:") else src + text, encoding="utf-8")
    for name in ("incidents.csv", "agencies.csv"):
        shutil.copy(HERE / name, tmp_path / name)
    return path


PLAIN = """mapping: plain
title: Invented
database: {id: inv, title: Invented incidents}
account: {id: inv, name: The invented coding}
id: id
title_template: "Record {id}"
summary: Record {id}.
people:
  - {id: officer, role: officer, description: the officer}
  - {id: person, role: subject, description: the person}
events:
  - {id: shots, actor: officer, action: fire_firearm, target: person, description: Shots.}
columns:
  threat:
    values:
      attack: {facts: {shots.threat_of_death_or_serious_injury: "yes"}, reading: Attack.}
  threat_review:
    DEFERS
    values:
      none: {facts: {shots.threat_of_death_or_serious_injury: "no"}, reading: No threat found.}
  armed:
    split: ";"
    combine: COMBINE
    values:
      gun: {facts: {person.armed_with: firearm}, reading: A gun.}
      knife: {facts: {person.armed_with: edged_weapon}, reading: A knife.}
"""
ROWS = "id,threat,threat_review,armed\n1,attack,none,gun;knife\n2,attack,,gun;gun\n3,other,none,gun\n"


def _plain(tmp_path, cli, combine="any", defers="", *extra):
    m = tmp_path / "plain.yaml"
    m.write_text(PLAIN.replace("COMBINE", combine).replace("DEFERS", defers), encoding="utf-8")
    data = tmp_path / "rows.csv"
    data.write_text(ROWS, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = cli("import", str(data), "-m", str(m), "-o", str(out), *extra)
    return {d["record"]["id"]: facts(d) for d in lines(out)} if out.exists() else {}, run


def test_two_columns_stating_one_fact_differently_leave_it_unknown_and_are_listed(tmp_path, cli):
    docs, run = _plain(tmp_path, cli)
    assert run.code == 0, run.err
    assert "shots.threat_of_death_or_serious_injury" not in docs["1"]  # attack vs none
    assert docs["2"]["shots.threat_of_death_or_serious_injury"] == "yes"
    assert docs["3"]["shots.threat_of_death_or_serious_injury"] == "no"
    assert ("conflict: 1 record(s) state shots.threat_of_death_or_serious_injury differently in two "
            "codes, left unknown: 'threat=attack vs threat_review=none' (1); records 1") in run.err


def test_a_column_can_defer_to_another(tmp_path, cli):
    docs, run = _plain(tmp_path, cli, "any", "defers_to: [threat]")
    assert docs["1"]["shots.threat_of_death_or_serious_injury"] == "yes"
    assert "state shots.threat_of_death_or_serious_injury differently" not in run.err


@pytest.mark.parametrize(("combine", "one", "two"), [
    ("any", None, "firearm"),  # gun;knife disagree: unknown, counted; gun;gun agree
    ("all", None, "firearm"),  # only what every member states alike
    ("precedence", "firearm", "firearm"),  # the first member: gun (no order given: as written)
])
def test_members_combine_as_the_column_declares(tmp_path, cli, combine, one, two):
    docs, run = _plain(tmp_path, cli, combine)
    assert docs["1"].get("person.armed_with") == one
    assert docs["2"].get("person.armed_with") == two
    assert ("state person.armed_with differently" in run.err) == (combine == "any")


def test_a_reading_can_be_switched_off_without_editing_the_mapping(tmp_path, cli):
    docs, run = _plain(tmp_path, cli, "any", "", "--unknown", "threat=attack")
    assert run.code == 0, run.err
    assert "shots.threat_of_death_or_serious_injury" not in docs["2"]
    assert docs["1"]["shots.threat_of_death_or_serious_injury"] == "no"  # no conflict left
    _, bad = _plain(tmp_path, cli, "any", "", "--unknown", "threat=atack")
    assert bad.code == 2 and "--unknown: the mapping has no code 'atack'; it has: attack" in bad.err


def test_parquet_in(tmp_path, cli):
    duckdb = pytest.importorskip("duckdb")
    data = tmp_path / "rows.csv"
    data.write_text(ROWS, encoding="utf-8")
    pq = tmp_path / "rows.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{data}', all_varchar = true)) TO '{pq}' (FORMAT parquet)")
    m = tmp_path / "p.yaml"
    m.write_text(PLAIN.replace("COMBINE", "precedence").replace("DEFERS", "")
                 .replace("title: Invented\n", "title: Invented\nformat: parquet\n"), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = cli("import", str(pq), "-m", str(m), "-o", str(out))
    assert run.code == 0, run.err
    assert [d["record"]["id"] for d in lines(out)] == ["1", "2", "3"]


def test_a_query_that_cannot_run_is_located_at_the_mapping(tmp_path, cli):
    pytest.importorskip("duckdb")
    m = _mapping(tmp_path, "")
    m.write_text(m.read_text(encoding="utf-8").replace("'federal')", "'federal') AND nosuch = 1"),
                 encoding="utf-8")
    run = cli("import", str(tmp_path / "incidents.csv"), "-m", str(m), "-o", str(tmp_path / "o.jsonl"))
    assert run.code == 2
    assert "error[M017]: the mapping's query cannot run:" in run.err and "nosuch" in run.err
    assert f"{m}:" in run.err


def test_import_with_jobs_gives_the_same_bytes(tmp_path, cli):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    a = cli("import", str(INCIDENTS), "-m", str(WAPO), "-o", str(one))
    b = cli("import", str(INCIDENTS), "-m", str(WAPO), "-o", str(two), "--jobs", "2")
    assert a.code == b.code == 0
    assert one.read_bytes() == two.read_bytes()
    assert a.err.replace("one.jsonl", "") == b.err.replace("two.jsonl", "")


def test_the_outcomes_the_mapping_alone_fixes_are_worked_out(compiled):
    from forcecheck.importing.rules import load_mapping
    from forcecheck.importing.structure import structure

    found = structure(load_mapping(WAPO, compiled), compiled)
    deadly = found.clauses["deadly-force-imminent-threat"]
    assert deadly.reachable == {"met", "breach_possible"}
    assert deadly.impossible == ["breached"]
    assert "breached: 0 by construction: no code states" in deadly.notes[0]
    assert "shots.threat_of_death_or_serious_injury = no" in deadly.notes[0]
    assert deadly.secondary == []  # the mapping states the Taser is not deadly force
    medical = found.clauses["medical-aid"]
    assert medical.certain == "breach_possible"
    assert "person.medical_aid_obtained = yes" in medical.notes[0]


def test_a_secondary_event_whose_facts_are_unknown_is_said_to_change_a_clause(compiled, tmp_path):
    from forcecheck.importing.rules import load_mapping
    from forcecheck.importing.structure import structure

    text = WAPO.read_text(encoding="utf-8").replace(
        """        facts:
          taser.likely_to_kill_or_seriously_injure: "no"
""", "")
    m = tmp_path / "w.yaml"
    m.write_text(text, encoding="utf-8")
    deadly = structure(load_mapping(m, compiled), compiled).clauses["deadly-force-imminent-threat"]
    assert deadly.secondary == ["the secondary event taser (manner_of_death=shot and Tasered) can turn "
                                "met -> breach possible"]


def test_a_code_that_states_what_a_breach_needs_makes_a_breach_possible_again(compiled, tmp_path):
    from forcecheck.importing.rules import load_mapping
    from forcecheck.importing.structure import structure

    text = WAPO.read_text(encoding="utf-8").replace(
        """      other:
        unknown: true""", """      other:
        facts:
          shots.threat_of_death_or_serious_injury: "no\"""")
    m = tmp_path / "w.yaml"
    m.write_text(text, encoding="utf-8")
    deadly = structure(load_mapping(m, compiled), compiled).clauses["deadly-force-imminent-threat"]
    assert "breached" in deadly.reachable and deadly.impossible == []


def test_the_import_prints_the_structural_outcomes(tmp_path, cli):
    run = cli("import", str(INCIDENTS), "-m", str(WAPO), "-o", str(tmp_path / "o.jsonl"))
    assert "outcomes fixed by the mapping alone" in run.err
    assert "  deadly-force-imminent-threat: breached: 0\n" in run.err
    assert "  medical-aid: breach possible in every record; breached: 0; met: 0" in run.err


def test_columns_the_mapping_neither_reads_nor_ignores_are_named_and_strict_refuses_them(tmp_path, cli):
    _, run = _plain(tmp_path, cli, "any")
    assert run.code == 0
    docs, strict = _plain(tmp_path, cli, "any", "", "--strict")
    assert "columns the mapping neither reads nor ignores" not in run.err  # every column is read
    rows = tmp_path / "extra.csv"
    rows.write_text("id,threat,threat_review,armed,agency\n1,attack,,gun,A1\n", encoding="utf-8")
    m = tmp_path / "plain.yaml"
    run = cli("import", str(rows), "-m", str(m), "-o", str(tmp_path / "e.jsonl"))
    assert run.code == 0 and "columns the mapping neither reads nor ignores (dropped; --strict refuses " \
                             "them): agency" in run.err
    run = cli("import", str(rows), "-m", str(m), "-o", str(tmp_path / "s.jsonl"), "--strict")
    assert run.code == 2 and "error[M018]: --strict: the data has column(s) the mapping neither reads " \
                             "nor ignores: agency" in run.err
    assert not (tmp_path / "s.jsonl").exists()


def test_corpus_works_out_the_structure_under_a_reading_switched_off(tmp_path, cli):
    out = tmp_path / "o.jsonl"
    cli("import", str(INCIDENTS), "-m", str(WAPO), "-o", str(out), "--unknown", "threat_level=attack")
    records = tmp_path / "r.jsonl"
    records.write_text(cli("check", str(out), "--format", "json").out, encoding="utf-8")
    doc = json.loads(cli("corpus", str(records), "--format", "json", "--unknown", "threat_level=attack").out)
    assert doc["clauses"]["deadly-force-imminent-threat"]["met"] == 0
    assert doc["structural"]["deadly-force-imminent-threat"][0].startswith(
        "breach possible in every record by construction")


def test_a_comma_in_unquoted_prose_gets_a_hint_that_says_so(tmp_path, cli):
    m = tmp_path / "plain.yaml"
    m.write_text(PLAIN.replace("COMBINE", "any").replace("DEFERS", "")
                 .replace("reading: A gun.}", "reading: A gun, a firearm.}"), encoding="utf-8")
    run = cli("import", str(INCIDENTS), "-m", str(m), "-o", str(tmp_path / "o.jsonl"))
    assert run.code == 2 and "unknown key 'a firearm.' in columns.armed.values.gun" in run.err
    assert "hint: a comma inside unquoted text in { } ends the value there: quote the text" in run.err
    assert "allowed: facts, events, unknown, reading, when, unless" in run.err

"""`import` under hostile and faulty input (issue 19, the December reliability review): no row
crashes it, no record overwrites another, nothing is written through a link, what it says is
bounded and safe to show, and the `.jsonl` output streams and is written atomically. Each
test is named for what a user would notice; the review's finding is in its docstring."""

from __future__ import annotations

import contextlib
import csv
import json
import os

import pytest
import yaml

from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "incidents.csv"
WAPO = ROOT / "mappings" / "wapo-2015.yaml"
HEADER = FIXTURE.read_text(encoding="utf-8").splitlines()[0]


def fixture_rows() -> list[dict[str, str]]:
    with FIXTURE.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def csv_file(tmp_path, rows: list[dict[str, str]], name: str = "data.csv"):
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER.split(","))
        writer.writeheader()
        writer.writerows(rows)
    return path


def with_id(record_id: str, **changes: str) -> dict[str, str]:
    return {**fixture_rows()[0], "id": record_id, **changes}


@pytest.fixture
def jsonl_mapping(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(WAPO.read_text(encoding="utf-8").replace("format: csv", "format: jsonl"),
                       encoding="utf-8")
    return mapping


def test_a_hostile_json_lines_record_is_reported_at_its_line_and_the_others_go_on(cli, tmp_path,
                                                                                  jsonl_mapping):
    """H4: a deep, huge-number or lone-surrogate record (and NaN, a key twice, a line over the
    limit, bytes that are not UTF-8) is M011 at its line, never exit 3."""
    good = [json.dumps(r) for r in fixture_rows()[:2]]
    lines = [good[0].encode(),
             b"[" * 100_000 + b"]" * 100_000,
             b'{"id": "7", "city": ' + b"9" * 5_000 + b"}",
             b'{"id": "8", "city": "\\ud800"}',
             b'{"id": "9", "city": NaN}',
             b'{"id": "10", "id": "11"}',
             b'{"id": "12", "city": "' + b"x" * 1_100_000 + b'"}',
             b'{"id": "13", "city": "\xff"}',
             good[1].encode()]
    data = tmp_path / "data.jsonl"
    data.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    run = cli("import", str(data), "-m", str(jsonl_mapping), "-o", str(out))
    assert run.code == 2 and "internal error" not in run.err
    for n, why in [(2, "JSON nested deeper than 32 levels"), (3, "a number written with 5000 characters"),
                   (4, "holds a lone surrogate (\\ud800)"), (5, "not JSON: NaN is not a JSON value"),
                   (6, "the key 'id' appears twice"), (7, "the line is longer than 1000000 bytes"),
                   (8, "not valid UTF-8 (byte 0xff")]:
        assert f"{data}:{n}:1: error[M011]: record not read: {why}" in run.err
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == \
        ["wapo-2015-1", "wapo-2015-2"]
    assert "2 records imported" in run.err and "7 not imported" in run.err


def test_ids_that_differ_only_in_case_or_punctuation_get_files_of_their_own(cli, tmp_path):
    """H5: ids that slug alike (A, a, x y, x-y, x/y) no longer overwrite each other: every
    record gets its own file and scenario id, the count is what was written, and importing
    again gives the same names."""
    ids = ["A", "a", "x y", "x-y", "x/y"]
    data = csv_file(tmp_path, [with_id(i) for i in ids])
    run = cli("import", str(data), "-m", str(WAPO), "-o", str(tmp_path / "out"))
    assert run.code == 0 and "5 records imported" in run.err
    files = sorted((tmp_path / "out").glob("*.yaml"))
    assert len(files) == 5
    assert sorted(yaml.safe_load(f.read_text(encoding="utf-8"))["record"]["id"] for f in files) == sorted(ids)
    assert {f.name for f in files} >= {"wapo-2015-a.yaml", "wapo-2015-x-y.yaml"}  # ids kept as they are
    run = cli("import", str(data), "-m", str(WAPO), "-o", str(tmp_path / "out.jsonl"))
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    scenario_ids = [json.loads(x)["id"] for x in lines]
    assert len(set(scenario_ids)) == 5
    assert sorted(f"{s}.yaml" for s in scenario_ids) == [f.name for f in files]


def test_a_record_id_too_long_for_a_file_name_is_that_records_problem(cli, tmp_path):
    """L3: a 300-character id is M015 for its record; the records after it are imported."""
    data = csv_file(tmp_path, [with_id("9" * 300), with_id("2")])
    run = cli("import", str(data), "-m", str(WAPO), "-o", str(tmp_path / "out"))
    assert run.code == 2 and f"{data}:2:1: error[M015]: record id is 300 characters long" in run.err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["wapo-2015-2.yaml"]
    assert "1 records imported" in run.err and "1 not imported" in run.err


def test_a_date_that_is_not_a_calendar_date_is_left_out_with_a_note(cli, tmp_path):
    """L4: 2016-13-45 and 'yesterday' are not a scenario's date (nor its `year` for corpus
    filters); the records are imported, and a note lists the values."""
    data = csv_file(tmp_path, [with_id("1", date="2016-13-45"), with_id("2", date="yesterday"),
                               with_id("3", date="2016-02-29")])
    run = cli("import", str(data), "-m", str(WAPO), "-o", str(tmp_path / "out"))
    assert run.code == 0 and "3 records imported" in run.err
    docs = {n: yaml.safe_load((tmp_path / "out" / f"wapo-2015-{n}.yaml").read_text(encoding="utf-8"))
            for n in (1, 2, 3)}
    assert "date" not in docs[1] and "date" not in docs[2] and docs[3]["date"] == "2016-02-29"
    assert docs[1]["record"]["fields"]["date"] is None and docs[3]["record"]["fields"]["date"] == "2016-02-29"
    assert ("date: 2 value(s) that are not dates (YYYY-MM-DD), in 2 record(s), left out of the scenarios' "
            "date: '2016-13-45' (1), 'yesterday' (1)") in run.err


def test_a_header_naming_a_column_twice_is_an_error(cli, tmp_path):
    """L5: the last of two `city` columns no longer wins silently: M016, nothing written."""
    data = tmp_path / "dup.csv"
    row = FIXTURE.read_text(encoding="utf-8").splitlines()[1]
    data.write_text(f"{HEADER},city\n{row},Elsewhere\n", encoding="utf-8")
    run = cli("import", str(data), "-m", str(WAPO), "-o", str(tmp_path / "out"))
    assert run.code == 2
    assert "error[M016]: the header names the column 'city' twice (columns 9 and 15)" in run.err
    assert not (tmp_path / "out").exists()


def test_import_never_writes_through_a_link_in_the_output(cli, tmp_path):
    """L7: a link planted where a record's file goes is left alone and reported for that record
    (the others are written); a `.jsonl` output that is a link is refused."""
    victim = tmp_path / "victim"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "wapo-2015-1.yaml").symlink_to(victim)
    run = cli("import", str(FIXTURE), "-m", str(WAPO), "-o", str(out))
    assert run.code == 2 and "incidents.csv:2:1: error[U003]: record 1 not written" in run.err
    assert victim.read_text(encoding="utf-8") == "precious" and (out / "wapo-2015-1.yaml").is_symlink()
    assert len(list(out.glob("wapo-2015-*.yaml"))) == 5 and "4 records imported" in run.err
    link = tmp_path / "out.jsonl"
    link.symlink_to(victim)
    run = cli("import", str(FIXTURE), "-m", str(WAPO), "-o", str(link))
    assert run.code == 2 and "U003" in run.err and "symbolic link" in run.err
    assert victim.read_text(encoding="utf-8") == "precious"


def test_diagnostics_are_capped_with_a_count_of_the_rest(cli, tmp_path):
    """L8: 150 bad rows give the first 100 diagnostics and a count of the rest, not 150."""
    data = tmp_path / "ragged.csv"
    data.write_text(HEADER + "\n" + "".join(f"{i},too,few\n" for i in range(150)), encoding="utf-8")
    run = cli("import", str(data), "-m", str(WAPO), "-o", str(tmp_path / "out"))
    assert run.code == 2 and run.err.count("error[M011]") == 100
    assert "... and 50 more diagnostic(s) not shown (M011: 50)" in run.err
    assert "0 records imported" in run.err and "150 not imported" in run.err


def big_mapping(tmp_path, codes: int, facts: str):
    text = WAPO.read_text(encoding="utf-8")
    extra = "".join(f"      code{i}:\n        facts: {{{facts}}}\n        reading: Code {i} read as stated.\n"
                    for i in range(codes))
    marker = ("  armed:\n    reading: What the person was armed with, in the database's words "
              "(about 90 values).\n    values:\n")
    assert marker in text
    path = tmp_path / "big.yaml"
    path.write_text(text.replace(marker, marker + extra), encoding="utf-8")
    return path


def test_a_mapping_with_many_codes_is_checked_without_a_scenario_per_code(compiled, tmp_path, monkeypatch):
    """L9: 600 codes that state the same facts are checked with a handful of probe scenarios,
    not 600; a code that breaks a constraint is still found at its line."""
    from forcecheck.diagnostics import InputError
    from forcecheck.importing.rules import load_mapping
    from forcecheck.scenario.vocabulary import Vocabulary

    loads = []
    real = Vocabulary.run
    monkeypatch.setattr(Vocabulary, "run", lambda self: loads.append(1) or real(self))
    load_mapping(big_mapping(tmp_path, 600, 'person.armed_with: firearm, shots.subject_fleeing: "yes"'),
                 compiled)
    assert len(loads) < 50
    both = 'shots.threat_of_death_or_serious_injury: "yes", shots.threat_had_ended: "yes"'
    bad = big_mapping(tmp_path, 3, both)
    with pytest.raises(InputError) as exc:
        load_mapping(bad, compiled)
    found = [d for d in exc.value.diagnostics if d.code == "M005"]
    assert len(found) == 3 and "a threat cannot be both imminent and ended" in found[0].hint
    assert bad.read_text(encoding="utf-8").splitlines()[found[0].span.line - 2].strip() == "code0:"


def test_json_lines_output_streams_each_record_and_replaces_the_file_only_at_the_end(cli, tmp_path,
                                                                                     monkeypatch):
    """M7: each line is written as its record comes (to a file beside the target), the target
    is replaced only when the import ends, and an import that stops leaves the old file and no
    temporary file."""
    from forcecheck.scenario.vocabulary import Vocabulary

    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    seen = []
    real = Vocabulary.run

    def load(self):  # each record's scenario is loaded before it is written
        if FIXTURE.name in self.doc.path:
            temporary = [p for p in tmp_path.iterdir() if p.name.startswith(".out.jsonl.")]
            seen.append((len(temporary), sum(len(p.read_text().splitlines()) for p in temporary)))
            if len(seen) == 4:
                raise RuntimeError("stopped")
        return real(self)

    monkeypatch.setattr(Vocabulary, "run", load)
    with contextlib.suppress(RuntimeError):  # or exit 3, as the command line reports it
        cli("import", str(FIXTURE), "-m", str(WAPO), "-o", str(out))
    assert seen == [(1, 0), (1, 1), (1, 2), (1, 3)]  # written as they come, not held to the end
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_json_lines_output_holds_the_same_scenarios_as_the_folder_and_check_reads_any_text(cli, tmp_path):
    """M7: the JSON line is the scenario's data written directly, the same as the YAML file; a
    value with characters YAML cannot hold raw (C1 controls, line separators) still loads."""
    rows = [*fixture_rows(), with_id("6", city="Spring\u2028field\x85\x9b[31m")]
    data = csv_file(tmp_path, rows)
    assert cli("import", str(data), "-m", str(WAPO), "-o", str(tmp_path / "out")).code == 0
    assert cli("import", str(data), "-m", str(WAPO), "-o", str(tmp_path / "out.jsonl")).code == 0
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    for doc in lines:
        path = tmp_path / "out" / f"{doc['id']}.yaml"
        assert yaml.safe_load(path.read_text(encoding="utf-8")) == doc
    assert lines[-1]["place"] == "Spring\u2028field\x85\x9b[31m, IL"
    out = cli("check", str(tmp_path / "out.jsonl"), "--format", "json").out
    recs = [json.loads(x) for x in out.split("\n") if x]  # JSON may hold U+2028 raw: lines end at \n
    assert len(recs) == 6 and all("verdicts" in r for r in recs), [r for r in recs if "verdicts" not in r]


def test_the_note_on_unmapped_values_shows_terminal_escapes_as_text(cli, tmp_path):
    """M3: a CSV value holding an OSC sequence reaches stderr escaped, never raw."""
    data = csv_file(tmp_path, [with_id("1", armed="\x1b]0;title\x07\x1b]52;c;eA==\x07")])
    run = cli("import", str(data), "-m", str(WAPO), "-o", str(tmp_path / "out"))
    assert run.code == 0 and "\x1b" not in run.err and "\x07" not in run.err
    assert "left unknown: '\\x1b]0;title\\x07\\x1b]52;c;eA==\\x07' (1)" in run.err


def test_a_shipped_mapping_name_is_never_shadowed_by_a_local_file(cli, tmp_path, monkeypatch):
    """M9: `--mapping wapo-2015` is the shipped mapping even beside a file called wapo-2015; a
    local file is used only when written as a path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wapo-2015").write_text("mapping: local\n", encoding="utf-8")
    run = cli("import", str(FIXTURE), "-m", "wapo-2015", "-o", "out")
    assert run.code == 0 and "5 records imported" in run.err
    run = cli("import", str(FIXTURE), "-m", "./wapo-2015", "-o", "out2")
    assert run.code == 2 and "error[M003]" in run.err and not os.path.exists("out2")
    run = cli("import", str(FIXTURE), "-m", "local-map", "-o", "out3")
    assert run.code == 2 and "error[M001]: no shipped mapping is called 'local-map'" in run.err
    assert "wapo-2015" in run.err

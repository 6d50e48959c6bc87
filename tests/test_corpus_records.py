"""`forcecheck corpus` reads records it did not write: each line is checked against the record
schema, a bad line is reported at its line and the others are counted (exit 2); nothing from
a record reaches the screen raw or becomes markup."""

import json

import pytest

from conftest import SCENARIOS

TEACHING = SCENARIOS / "teaching"


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    from typer.testing import CliRunner

    from forcecheck.cli.app import app

    out = CliRunner().invoke(app, ["check", str(TEACHING / "aim-only.yaml"), str(TEACHING / "draw-only.yaml"),
                                   "--format", "json"]).output
    return [json.loads(line) for line in out.splitlines()]


def _write(tmp_path, lines) -> str:
    path = tmp_path / "records.jsonl"
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
                    encoding="utf-8")
    return str(path)


def _broken(rec: dict) -> list:
    """The review's malformed records: each a plausible hand edit or a hostile file."""
    cases = []
    for change in ({"verdicts": None}, {"verdicts": []}, {"verdicts": "x"}, {"possible": []},
                   {"open_questions": "x"}, {"open_questions": [{"question": "q", "waiting": 1}]},
                   {"open_questions": [{"fact": "f", "question": "q", "waiting": "2"}]},
                   {"policy": "dhs"}, {"record": "x"},
                   {"record": {"database": "d", "id": "1", "fields": []}}):
        broken = {**rec, **change}
        if change.get("verdicts", 0) is None:
            del broken["verdicts"]
        cases.append(broken)
    mett = json.loads(json.dumps(rec))
    first = next(iter(mett["verdicts"]))
    mett["verdicts"][first] = {a: "mett" for a in mett["verdicts"][first]}
    cases.append(mett)
    cases += ['{"format": "forcecheck.record/1", "n": ' + "9" * 5000 + "}", "[" * 100_000,
              '{"format": "forcecheck.record/1", "verdicts":', "plain text"]
    return cases


def test_each_malformed_line_is_located_and_the_others_are_counted(cli, tmp_path, good):
    bad = _broken(good[0])
    path = _write(tmp_path, [good[0], *bad, good[1]])
    run = cli("corpus", path, "--format", "json")
    assert run.code == 2
    assert json.loads(run.out)["records"] == 2
    for n in range(2, 2 + len(bad)):
        assert f"{path}:{n}:" in run.err, n
    assert run.err.count("error[R001]") == len(bad)
    assert json.loads(run.out)["bad_lines"] == list(range(2, 2 + len(bad)))


def test_an_over_long_line_is_refused_without_reading_it_whole(tmp_path, good):
    import io

    from forcecheck.report.corpus import aggregate, record_lines

    text = json.dumps(good[0]) + "\n" + "x" * 50_000 + "\n" + json.dumps(good[1]) + "\n"
    corpus = aggregate(record_lines(io.StringIO(text), limit=20_000), "r.jsonl")
    assert corpus.records == 2 and corpus.bad_lines == [2]
    assert "longer than" in corpus.problems[0].message


def test_a_where_field_no_record_has_is_an_error_naming_the_fields(cli, tmp_path, good):
    fields = {"state": "CA", "date": "2019-02-03"}
    rec = {**good[0], "record": {"database": "db", "id": "1", "fields": fields}}
    path = _write(tmp_path, [rec])
    assert json.loads(cli("corpus", path, "--where", "year=2019", "--format", "json").out)["records"] == 1
    run = cli("corpus", path, "--where", "stat=CA")
    assert run.code == 2 and "no record has the field 'stat'" in run.err
    assert "did you mean 'state'?" in run.err


def test_record_text_reaches_no_screen_raw_and_no_markdown_as_markup(cli, tmp_path, good):
    rec = json.loads(json.dumps(good[0]))
    rec["title"] = "<img src=x onerror=alert(1)>\x1b]0;owned\x07 title"
    first = next(iter(rec["verdicts"]))
    rec["verdicts"]["evil\x1b[2J<b>"] = rec["verdicts"][first]
    rec["open_questions"] = [{"fact": "o.\x1b[1Abad", "question": "<script>x</script>?", "waiting": 1}]
    path = _write(tmp_path, [rec])
    text = cli("corpus", path).out
    assert "\x1b" not in text and "\\x1b" in text
    status = next(s for s in ("met", "not_applicable", "breached", "breach_possible", "undetermined")
                  if cli("corpus", path, "--clause", first, "--status", s).code == 0
                  and "Records where" in cli("corpus", path, "--clause", first, "--status", s).out)
    md = cli("corpus", path, "--format", "markdown", "--clause", first, "--status", status).out
    assert "<img" not in md and "<script>" not in md and "\x1b" not in md
    assert "&lt;img src=x" in md and "&lt;script&gt;" in md
    assert "`evil\\x1b[2J<b>`" in md  # an id is shown as code, where markup is literal


def test_the_side_by_side_markdown_escapes_what_a_scenario_says(cli, tmp_path):
    import yaml

    data = yaml.safe_load((TEACHING / "aim-only.yaml").read_text(encoding="utf-8"))
    data["title"] = "<table><tr><td>met under every policy</td></tr></table>"
    data["accounts"][0]["name"] = "<script>alert(1)</script>"
    data.pop("expect", None)
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    md = cli("check", str(path), "-p", "dhs", "-p", "doj", "-f", "markdown").out
    assert "<table>" not in md and "<script>" not in md
    assert "&lt;table&gt;" in md and "&lt;script&gt;" in md


def test_a_batch_line_shows_a_file_name_with_escapes_not_raw(cli, tmp_path):
    bad = tmp_path / "bad\x1b]0;title\x07.yaml"
    bad.write_text("id: x\ntitle: [\n", encoding="utf-8")
    run = cli("check", str(TEACHING / "aim-only.yaml"), str(bad))
    assert "\x1b" not in run.out and "\x07" not in run.out
    assert "\\x1b" in run.out

"""Batch checks: `check` over many scenarios streams one record (or line) per scenario, in
input order, with the same verdicts `check` gives each scenario alone; a bad file gets its
diagnostic and does not stop the others; several processes give the same bytes as one."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import threading

import pytest

from conftest import ROOT, SCENARIOS

TEACHING = SCENARIOS / "teaching"
ALL = sorted(SCENARIOS.rglob("*.yaml"))


def records(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_json_lines_one_record_per_scenario_in_input_order(cli):
    run = cli("check", str(SCENARIOS), "--format", "json")
    recs = records(run.out)
    assert [r["path"].rsplit("/", 1)[-1] for r in recs] == [p.name for p in ALL]
    assert [r["scenario"] for r in recs] == [p.stem for p in ALL]
    assert all(r["format"] == "forcecheck.record/1" for r in recs)
    assert run.code == 1  # some shipped scenarios breach a binding clause


@pytest.mark.slow  # a sweep of the whole corpus
def test_records_give_the_verdicts_check_gives_each_scenario_alone(cli):
    recs = {r["scenario"]: r for r in records(cli("check", str(SCENARIOS), "--format", "json").out)}
    for path in ALL:
        alone = json.loads(cli("check", str(path), "--format", "json").out)["scenarios"][0]
        rec = recs[path.stem]
        for row in alone["table"]:
            for cell in row["cells"]:
                assert rec["verdicts"][row["clause"]][cell["account"]] == cell["verdict"], (path, row)
                if len(cell["possible"]) > 1:
                    assert rec["possible"][row["clause"]][cell["account"]] == cell["possible"]
        assert sorted(rec["contested"]) == sorted(c["clause"] for c in alone["contested"]), path


def test_contested_clauses_name_the_facts_the_accounts_state_differently(cli):
    rec = records(cli("check", str(TEACHING / "medical-aid-disputed.yaml"), "--jobs", "1",
                      "--format", "json").out)[0]
    assert rec["contested"] == {"medical-aid": ["man.medical_aid_obtained"]}
    assert rec["verdicts"]["medical-aid"] == {"police": "met", "family": "breached"}


def test_open_questions_are_the_unknowns_undetermined_verdicts_wait_on(cli):
    rec = records(cli("check", str(TEACHING / "facts-nobody-states.yaml"), "--jobs", "1",
                      "--format", "json").out)[0]
    questions = rec["open_questions"]
    assert questions and all(q["waiting"] >= 1 and q["question"] for q in questions)
    waiting = [q["waiting"] for q in questions if "." in q["fact"]]
    assert waiting == sorted(waiting, reverse=True)
    undetermined = sum(v == "undetermined" for by in rec["verdicts"].values() for v in by.values())
    assert max(q["waiting"] for q in questions) <= undetermined
    # a settled scenario has none
    rec = records(cli("check", str(TEACHING / "car-driving-away.yaml"), "--jobs", "1",
                      "--format", "json").out)[0]
    assert rec["open_questions"] == [] and rec["possible"] == {}


@pytest.mark.slow  # a process pool
def test_several_processes_give_the_same_bytes_as_one(cli, tmp_path):
    for i, path in enumerate(ALL * 3):  # enough files for several chunks
        (tmp_path / f"{i:03d}-{path.name}").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    outs = [subprocess.run([sys.executable, "-m", "forcecheck", "check", str(tmp_path), "--format", "json",
                            "--jobs", str(j)], capture_output=True, text=True, env=env, check=False)
            for j in (1, 2)]
    assert outs[0].returncode == outs[1].returncode == 1
    assert outs[0].stdout == outs[1].stdout
    assert len(outs[0].stdout.splitlines()) == len(ALL) * 3


def test_a_bad_file_gets_its_diagnostic_and_the_others_go_on(cli, tmp_path):
    good = TEACHING / "draw-only.yaml"
    (tmp_path / "a.yaml").write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    text = good.read_text(encoding="utf-8")
    bad = text.replace("action: unholster_firearm", "action: fly", 1)
    line = text[: text.index("action: unholster_firearm")].count("\n") + 1
    (tmp_path / "b.yaml").write_text(bad, encoding="utf-8")
    (tmp_path / "c.yaml").write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    run = cli("check", str(tmp_path), "--format", "json")
    recs = records(run.out)
    assert [r["path"].rsplit("/", 1)[-1] for r in recs] == ["a.yaml", "b.yaml", "c.yaml"]
    assert "errors" in recs[1] and recs[1]["errors"][0]["line"] == line
    assert "verdicts" in recs[0] and "verdicts" in recs[2]
    assert f"b.yaml:{line}:" in run.err and "^" in run.err  # located, with a caret
    assert run.code == 2


def test_text_is_a_line_per_scenario_and_a_summary(cli):
    run = cli("check", str(TEACHING))
    lines = run.out.splitlines()
    teaching = sorted(TEACHING.glob("*.yaml"))
    assert len(lines) == len(teaching) + 1
    assert lines[2].endswith("car-driving-away: breached under account 'report': "
                             "deadly-force-imminent-threat, duty-to-intervene, "
                             "duty-to-report, feasible-alternative, "
                             "fleeing-subject, medical-aid, moving-vehicle-hazards, moving-vehicle-operator, "
                             "objectively-reasonable-force, threat-only-to-self-or-property")
    assert "contested: medical-aid" in next(x for x in lines if "medical-aid-disputed" in x)
    # a `should` clause not followed is guidance, not a breach
    assert next(x for x in lines if "steps-in-front-of-car" in x).endswith(
        "steps-in-front-of-car: nothing breached; guidance not followed: safe-tactics; 3 undetermined")
    assert lines[-1].startswith(f"{len(teaching)} scenarios: ")


def test_filters_apply_to_records(cli):
    rec = records(cli("check", str(TEACHING / "medical-aid-disputed.yaml"), "--jobs", "1", "--format",
                      "json", "--clause", "medical-aid", "--account", "family").out)[0]
    assert rec["verdicts"] == {"medical-aid": {"family": "breached"}} and rec["accounts"] == ["family"]
    assert rec["contested"] == {}


def test_what_a_batch_cannot_do_is_refused_with_a_reason(cli, tmp_path):
    for args in (("--assume", "shots.subject_fleeing=yes"), ("--questions",), ("--format", "html"),
                 ("--output", str(tmp_path / "x.jsonl"))):
        run = cli("check", str(TEACHING), "--jobs", "2", *args)
        assert run.code == 2 and "U008" in run.err, args
        assert "Traceback" not in run.err


def test_explain_adds_the_full_report_to_each_record(cli):
    rec = records(cli("check", str(TEACHING / "draw-only.yaml"), "--jobs", "1", "--format", "json",
                      "--explain", "short").out)[0]
    assert rec["report"]["format"].startswith("forcecheck.check/")
    assert rec["report"]["scenarios"][0]["id"] == "draw-only"


@pytest.mark.slow  # a process pool
def test_a_progress_bar_on_a_terminal_and_none_when_piped(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80"}
    cmd = [sys.executable, "-m", "forcecheck", "check", str(TEACHING), "--format", "json", "--jobs", "2"]
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    seen, stdout = b"", []
    reader = threading.Thread(target=lambda: stdout.append(proc.stdout.read()))
    reader.start()
    while True:  # read the terminal while the command runs, or it blocks on a full buffer
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the command ended and closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=60)
    reader.join(timeout=60)
    os.close(master)
    assert b"checking" in seen
    assert b"checking" not in stdout[0] and len(stdout[0].splitlines()) == len(list(TEACHING.glob("*.yaml")))
    piped = subprocess.run(cmd, capture_output=True, env=env, check=False)
    assert piped.stderr == b""


def test_a_worker_checks_each_distinct_scenario_once(compiled, monkeypatch):
    """Records of scenarios that differ only in id, title, words and provenance (an imported
    database repeats itself) are worked out once per worker: the repeat gets the same record
    but for its own path, id and title. A different stated value is checked anew."""
    from forcecheck import api, batch

    base = (SCENARIOS / "teaching" / "knife-advancing.yaml").read_text(encoding="utf-8")
    renamed = base.replace("id: knife-advancing", "id: knife-copy", 1).replace("title:", "title: Copy of", 1)
    assert renamed != base
    checks = []
    real_check = api.check

    def counted(*args, **kwargs):
        checks.append(1)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(api, "check", counted)
    monkeypatch.setattr(batch, "_MEMO", {})
    opts = batch.Options()
    first = json.loads(batch.check_one(compiled, "a.yaml", base, opts).line)
    copy = json.loads(batch.check_one(compiled, "b.yaml", renamed, opts).line)
    assert len(checks) == 1
    assert (copy["path"], copy["scenario"]) == ("b.yaml", "knife-copy")
    assert copy["title"].startswith("Copy of")
    assert {k: v for k, v in copy.items() if k not in ("path", "scenario", "title")} == \
        {k: v for k, v in first.items() if k not in ("path", "scenario", "title")}
    # The same record as checking the copy afresh.
    monkeypatch.setattr(batch, "_MEMO", {})
    assert json.loads(batch.check_one(compiled, "b.yaml", renamed, opts).line) == copy
    # A different stated value is checked, not reused.
    changed = renamed.replace("man.medical_aid_obtained: yes", "man.medical_aid_obtained: no", 1)
    assert changed != renamed
    got = json.loads(batch.check_one(compiled, "c.yaml", changed, opts).line)
    assert len(checks) == 3 and got["verdicts"] != copy["verdicts"]
    # Records are the policy's: another policy checks the same scenario anew.
    doj = api.load_policy("doj")
    other = json.loads(batch.check_one(doj, "b.yaml", renamed, opts).line)
    assert len(checks) == 4 and other["policy"]["id"] != copy["policy"]["id"]



def test_a_reused_record_is_the_record_checking_afresh_gives_byte_for_byte(compiled, monkeypatch):
    """A repeat's record is put together from the kept one without building a record again:
    its line and its summary must be what checking it afresh writes, escapes included (a title
    from a database with a control character in it is shown escaped in both)."""
    import re

    from forcecheck import batch

    base = (SCENARIOS / "teaching" / "knife-advancing.yaml").read_text(encoding="utf-8")
    odd = re.sub(r"^title: .*$", r'title: "\\x1b[31mRed\\u202e knife"',
                 base.replace("id: knife-advancing", "id: knife-odd", 1), count=1, flags=re.M)
    assert "\\x1b" in odd
    opts = batch.Options()
    monkeypatch.setattr(batch, "_MEMO", {})
    batch.check_one(compiled, "a.yaml", base, opts)
    reused = batch.check_one(compiled, "odd\x1b.yaml", odd, opts)
    monkeypatch.setattr(batch, "_MEMO", {})
    fresh = batch.check_one(compiled, "odd\x1b.yaml", odd, opts)
    assert "\\x1b[31mRed\\u202e" in json.loads(fresh.line)["title"]
    assert "\x1b" not in fresh.summary and "\x1b" not in fresh.line
    assert (reused.line, reused.summary, reused.status) == (fresh.line, fresh.summary, fresh.status)


def test_a_world_found_consistent_is_not_searched_again(compiled, monkeypatch):
    """A batch of imported records repeats the same few worlds: the second load of a world found
    consistent builds no constraints for it, checks the same, and another value is checked anew."""
    from forcecheck import api
    from forcecheck.engine import constraints as c
    from forcecheck.scenario.load import load_scenario

    base = (SCENARIOS / "teaching" / "knife-advancing.yaml").read_text(encoding="utf-8")
    renamed = base.replace("id: knife-advancing", "id: knife-copy", 1)
    monkeypatch.setattr(c, "_CONSISTENT", set())
    built = []
    real = c.Constraints.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(c.Constraints, "__init__", counting)
    first = load_scenario("a.yaml", compiled, text=base)
    searched = len(built)
    second = load_scenario("b.yaml", compiled, text=renamed)
    assert searched >= 1 and len(built) == searched
    verdicts = [[(v.clause, v.account, v.item, v.verdict, v.possible)
                 for v in api.check(s, compiled).verdicts] for s in (first, second)]
    assert verdicts[0] == verdicts[1]
    changed = renamed.replace("man.medical_aid_obtained: yes", "man.medical_aid_obtained: no", 1)
    assert changed != renamed
    load_scenario("c.yaml", compiled, text=changed)
    assert len(built) > searched

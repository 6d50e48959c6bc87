"""Hostile and huge inputs, one regression test per finding of the November 2026 reliability
review (shared/reviews/reliability-2026-11.md; the reproductions are rebuilt here, so the
suite needs nothing outside the repository). Each gives a diagnostic or a correct result,
and none asserts on wall time: bounded work shows as a result at all, not as a number."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from forcecheck import files
from forcecheck.diagnostics import InputError

from conftest import SCENARIOS

TEACHING = SCENARIOS / "teaching"
SHOT = TEACHING / "unarmed-fleeing-shot.yaml"
SMALL = """id: gen
title: generated
kind: teaching
summary: s
people:
  - {id: o, role: officer, description: an officer}
  - {id: s, role: subject, description: a man}
events:
  - {id: shots, actor: o, action: fire_firearm, target: s, description: d}
undisputed:
  facts:
    o.on_duty: yes
accounts:
  - {id: a, name: A}
"""


def _custom(fact: str) -> str:
    """A scenario for the small custom policies below: one shot, and this fact about it."""
    return SMALL.replace("o.on_duty: yes", f"shots.{fact}")


def _file(tmp_path, text: str, name: str = "s.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


# --- H1, H2: nesting and size are refused while reading ------------------------------------------


@pytest.mark.parametrize("text", [
    "- " * 500 + "x\n",                     # block sequences, 500 deep
    "a: " + "[" * 500 + "]" * 500 + "\n",   # flow sequences
    "a: " + "{a: " * 500 + "1" + "}" * 500 + "\n",  # flow mappings
    "a: " + "[" * 20000 + "]" * 20000 + "\n",  # 40 KB that took minutes in the scanner
    "a: " + "[" * 20000 + "\n",             # the same, never closed
])
def test_deep_yaml_is_refused_at_once(cli, tmp_path, text):
    run = cli("check", _file(tmp_path, text))
    assert run.code == 2 and ("Y004" in run.err or "Y001" in run.err), run.err
    assert "nesting" in run.err or "depth" in run.err


def test_a_large_flat_document_is_refused_by_count(cli, tmp_path):
    run = cli("check", _file(tmp_path, "a: [" + "1," * 200_000 + "1]\n"))
    assert run.code == 2 and "Y004" in run.err and "more than 50000 values" in run.err


def test_a_scenario_too_large_to_check_is_refused_with_its_size(cli, tmp_path):
    people = "".join(f"  - {{id: p{i}, role: subject, description: d}}\n" for i in range(700))
    run = cli("check", _file(tmp_path, SMALL.replace("people:\n", "people:\n" + people)))
    assert run.code == 2 and "S027" in run.err and "703 people and events" in run.err


# --- H3: control characters reach no terminal, report or diagnostic -------------------------------


def test_a_note_cannot_redraw_a_verdict(cli, tmp_path):
    spoof = SMALL.replace("  - {id: a, name: A}\n", '''  - id: a
    name: A
    facts:
      shots.force_reasonable:
        value: no
        note: "\\e7\\e[10A\\r\\e[2Kfleeing-subject  met\\e8"
''')
    run = cli("check", _file(tmp_path, spoof), "--explain", "short")
    assert "\x1b" not in run.out and "\\x1b7\\x1b[10A" in run.out


def test_a_diagnostic_echoes_no_control_character(cli, tmp_path):
    raw = tmp_path / "raw.yaml"
    raw.write_bytes(b"id: x \x1b]0;window title\x07\n")
    bad = _file(tmp_path, SMALL.replace("o.on_duty: yes", 'o.on_duty: "\\e[2J\\e[Hyes"'), "bad.yaml")
    key = _file(tmp_path, SMALL.replace("kind: teaching", 'kind: teaching\n"\\e]0;pwn\\a": 1'), "key.yaml")
    for path in (str(raw), bad, key):
        run = cli("check", path)
        assert run.code == 2 and "\x1b" not in run.err and "\x07" not in run.err, run.err
        assert "\\x1b" in run.err


# --- M2, L4: --output ------------------------------------------------------------------------------


def test_output_to_a_folder_is_a_diagnostic(cli, tmp_path):
    run = cli("check", str(SHOT), "--output", str(tmp_path))
    assert run.code == 2 and "U003" in run.err and "it is a folder" in run.err


def test_a_full_disk_is_a_diagnostic_and_leaves_nothing(tmp_path, monkeypatch):
    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(InputError) as info:
        files.write_text(tmp_path / "report.txt", "x" * 1000)
    assert "No space left on device" in info.value.diagnostics[0].message
    assert list(tmp_path.iterdir()) == []


def test_a_device_is_written_to_not_replaced(cli, tmp_path):
    run = cli("check", str(SHOT), "--output", os.devnull)
    assert run.code in (0, 1) and stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_fifo_is_written_to_not_replaced(cli, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))  # noqa: SIM115
    reader.start()
    run = cli("check", str(SHOT), "--output", str(fifo))
    reader.join(timeout=30)
    assert run.code in (0, 1) and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert got and b"clause" in got[0]


def test_written_files_get_the_usual_mode(cli, tmp_path):
    old = os.umask(0o022)
    try:
        new = tmp_path / "report.txt"
        cli("check", str(SHOT), "--output", str(new))
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        kept = tmp_path / "kept.txt"
        kept.write_text("old")
        kept.chmod(0o640)
        cli("check", str(SHOT), "--output", str(kept))
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() != "old"
    finally:
        os.umask(old)


def test_an_unreadable_output_path_is_not_click_s_problem(cli, tmp_path, monkeypatch):
    target = tmp_path / "write-only.txt"
    target.write_text("")
    target.chmod(0o200)
    # Root reads anything: make the file unreadable as click sees it, whoever runs the tests.
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if str(p) == str(target) and mode & os.R_OK
                        else real_access(p, mode, **k))
    run = cli("check", str(SHOT), "--output", str(target))
    assert run.code in (0, 1), run.err
    assert "Invalid value" not in run.err


# --- M3, L1, L3: what is read, and walked ---------------------------------------------------------


def test_special_and_huge_files_are_refused_before_reading(cli, tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as fh:
        fh.truncate(6 * 1024**3)  # sparse: no disk used
    for args in (["check", str(fifo)], ["check", "/dev/zero"], ["check", str(huge)],
                 ["check", "--policy", str(fifo), str(SHOT)], ["check", "--policy", "/dev/zero", str(SHOT)]):
        run = cli(*args)
        assert run.code == 2, args
        assert "not a regular file" in run.err or "larger than" in run.err, run.err


def test_validate_skips_a_fifo_in_a_folder(cli, tmp_path):
    (tmp_path / "ok.yaml").write_text(SHOT.read_text())
    os.mkfifo(tmp_path / "pipe.yaml")
    run = cli("validate", str(tmp_path))
    assert run.code == 0 and "1 file(s) valid" in run.err


def test_a_deep_folder_tree_is_walked_without_recursion(cli, tmp_path):
    deep = tmp_path
    for _ in range(300):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "s.yaml").write_text("x: 1\n")
    (tmp_path / "top.yaml").write_text(SHOT.read_text())
    run = cli("validate", str(tmp_path))
    # no RecursionError; the deep one is below the walk's bound, which is said (December L2, U012)
    assert run.code == 2 and "error[U012]" in run.err and "Traceback" not in run.err
    assert cli("test", str(tmp_path)).code == 2


def test_a_document_text_outside_the_policy_folder_is_refused(cli, tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (tmp_path / "secret.md").write_text("> the witness is Jane\n")
    for text in ("../secret.md", "/dev/zero", "/etc/passwd"):
        (folder / "policy.rules").write_text(
            'policy p { title "t" document "d" version "1" }\n'
            f'document D {{ title "s" text "{text}" }}\nrole officer "an officer"\n'
            'action fire_firearm "fired"\nclause c {\n  title "t"\n  strength must\n'
            '  quote D transcription "the witness is Jane"\n'
            '  applies to each event e where e.action == fire_firearm\n  requires yes\n}\n')
        run = cli("validate", str(folder / "policy.rules"))
        assert run.code == 2 and "C010" in run.err, run.err


# --- M4: test --update -----------------------------------------------------------------------------


def test_update_keeps_a_numeric_id_and_the_mode(cli, tmp_path):
    text = SMALL.replace("{id: a, name: A}", "{id: '1', name: A}") + "expect:\n  1:\n    medical-aid: met\n"
    path = tmp_path / "n.yaml"
    path.write_text(text)
    path.chmod(0o644)
    assert cli("validate", str(path)).code == 0
    run = cli("test", "--update", "--yes", str(path))
    assert "rewrote 1 file(s)" in run.err
    assert cli("validate", str(path)).code == 0
    assert path.read_text().count("\n  1:\n") == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


# --- M5: deep custom policies -------------------------------------------------------------------------


def _policy(tmp_path, body: str, definitions: str = "") -> str:
    folder = tmp_path / "deep"
    folder.mkdir(exist_ok=True)
    (folder / "source.md").write_text("> aimed\n")
    (folder / "policy.rules").write_text(
        'policy p { title "t" document "d" version "1" }\ndocument D { title "s" text "source.md" }\n'
        'role officer "an officer"\nrole subject "a subject"\naction fire_firearm "fired"\n'
        'fact event.aimed_at_person: yes_no "Aimed at a person?"\n' + definitions +
        'clause c {\n  title "t"\n  strength must\n  quote D transcription "aimed"\n'
        f'  applies to each event e where e.action == fire_firearm\n  requires {body}\n}}\n')
    return str(folder)


def test_a_chain_of_definitions_is_refused_cleanly(cli, tmp_path):
    n = 1500  # the cycle check and the text report recursed once per link
    chain = "".join(f'define c{i}(e: event) "step {i}" {{\n  means c{i + 1}(e)\n}}\n' for i in range(n))
    chain += f'define c{n}(e: event) "the end" {{\n  means e.aimed_at_person\n}}\n'
    run = cli("validate", _policy(tmp_path, "c0(e)", chain) + "/policy.rules")
    assert run.code == 2 and "C011" in run.err


def test_a_deep_rule_renders_in_every_format(cli, tmp_path):
    policy = _policy(tmp_path, "not " * 40 + "e.aimed_at_person")
    scenario = _file(tmp_path, _custom("aimed_at_person: no"))
    for args in ([], ["--explain", "full"], ["--format", "markdown"], ["--format", "html"], ["-f", "json"]):
        run = cli("check", scenario, "--policy", policy, *args)
        assert run.code in (0, 1), (args, run.err)
        if not args or args[0] == "--explain":
            assert max(len(line) for line in run.out.splitlines()) <= 100


# --- L2: numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "1_0", "0x10"])
def test_number_facts_are_finite_decimals(cli, tmp_path, value):
    policy = _policy(tmp_path, "e.distance_m < 5")
    rules = os.path.join(policy, "policy.rules")
    with open(rules, encoding="utf-8") as fh:
        text = fh.read().replace('fact event.aimed_at_person: yes_no "Aimed at a person?"\n',
                                 'fact event.distance_m: number "How far away, in metres?"\n')
    with open(rules, "w", encoding="utf-8") as fh:
        fh.write(text)
    scenario = _file(tmp_path, _custom(f"distance_m: {value}"))
    run = cli("check", scenario, "--policy", policy, "--format", "json")
    assert run.code == 2 and "S017" in run.err and "finite decimal" in run.err
    ok = _file(tmp_path, _custom("distance_m: 2.5"), "ok.yaml")
    assert cli("check", ok, "--policy", policy, "--format", "json").code in (0, 1)


def test_output_through_a_link_writes_the_file_it_names(cli, tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert cli("check", str(SHOT), "--output", str(link)).code in (0, 1)
    assert link.is_symlink() and "clause" in real.read_text()


def test_sigterm_during_a_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    import signal

    real_fdopen = os.fdopen

    class Killed:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[:10])
            os.kill(os.getpid(), signal.SIGTERM)  # the signal arrives in the middle of the write
            self.fh.write(data[10:])

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Killed(real_fdopen(fd, *a, **k)))
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as info:
        files.write_text(tmp_path / "report.json", "x" * 100_000)
    assert info.value.code == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) == before  # the usual handling is back


def test_a_very_long_source_line_is_shown_as_a_window_with_the_caret_under_the_problem():
    from forcecheck.diagnostics import Diagnostic, Span, render

    line = "a" * 5000 + "BAD" + "b" * 5000
    shown = render(Diagnostic(Span("x.yaml", 1, 5001, 5004), "S004", "bad value"), line).splitlines()
    assert len(shown[1]) < 200 and shown[1].startswith("   1 | ...") and shown[1].endswith("...")
    assert shown[1][shown[2].index("^"):].startswith("BAD") and shown[2].strip() == "^^^"

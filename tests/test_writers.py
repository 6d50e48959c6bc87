"""Writers never lose what a user wrote, and walks never skip without a word (December 2026
review, M8, L10, L2).

`fmt` and `test --update` replace a file only if it still holds what they read: an edit saved
while `fmt` formats, or while `--update` waits for its answer, is kept and the writer says so
(U011). A read-only file is refused (U003), and a file with other hard links keeps its inode, so
every name of it sees the new text. A folder walk that reaches its depth limit says which folder
it did not read (U012), and the command exits 2."""

from __future__ import annotations

import os
import stat

import pytest

from forcecheck.diagnostics import InputError
from forcecheck.files import MAX_WALK_DEPTH, write_text

from conftest import SCENARIOS

MESSY = "kind: teaching\nid: messy\ntitle: Messy\n"  # fmt puts id first
OUTDATED = SCENARIOS / "real" / "minneapolis-2026-01-07.yaml"


@pytest.fixture
def outdated(tmp_path):
    """A scenario whose expectations `test --update` would rewrite."""
    path = tmp_path / "mpls.yaml"
    path.write_text(OUTDATED.read_text(encoding="utf-8").replace(
        "    deadly-force-imminent-threat: met\n", "    deadly-force-imminent-threat: breached\n", 1),
        encoding="utf-8")
    return path


# --- M8: an edit saved meanwhile is never overwritten -----------------------------------------------

def test_fmt_keeps_an_edit_saved_while_it_formats(cli, tmp_path, monkeypatch):
    from forcecheck.authoring import fmt

    path = tmp_path / "s.yaml"
    path.write_text(MESSY, encoding="utf-8")
    real = fmt.format_file

    def slow(p, text):  # someone saves the file while fmt is working on it
        out = real(p, text)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("# an edit saved meanwhile\n")
        return out

    monkeypatch.setattr(fmt, "format_file", slow)
    run = cli("fmt", str(path))
    assert path.read_text(encoding="utf-8") == MESSY + "# an edit saved meanwhile\n"
    assert run.code == 2 and "error[U011]" in run.err and "changed since forcecheck read it" in run.err
    assert [p.name for p in tmp_path.iterdir()] == ["s.yaml"]  # no temporary file left


def test_update_keeps_an_edit_saved_while_the_question_waits(cli, outdated, monkeypatch):
    import typer

    def answer(*args, **kwargs):  # the user edits the file, then answers yes
        with open(outdated, "a", encoding="utf-8") as fh:
            fh.write("# an edit saved while the prompt waited\n")
        return True

    monkeypatch.setattr(typer, "confirm", answer)
    run = cli("test", str(outdated), "--update")
    assert outdated.read_text(encoding="utf-8").endswith("# an edit saved while the prompt waited\n")
    assert "deadly-force-imminent-threat: breached" in outdated.read_text(encoding="utf-8")
    assert "error[U011]" in run.err and "rewrote 0 file(s); 1 not written" in run.err
    assert run.code == 1  # the expectation it could not rewrite is still not met


def test_update_without_an_edit_still_rewrites(cli, outdated):
    run = cli("test", str(outdated), "--update", "--yes")
    assert "rewrote 1 file(s)" in run.err and run.code == 0


# --- L10: read-only files and hard links --------------------------------------------------------------

def test_writers_refuse_a_read_only_file(cli, tmp_path, outdated):
    path = tmp_path / "s.yaml"
    path.write_text(MESSY, encoding="utf-8")
    for p in (path, outdated):
        p.chmod(0o444)
    run = cli("fmt", str(path))
    assert run.code == 2 and "error[U003]" in run.err and "it is read-only (mode 0444)" in run.err
    assert path.read_text(encoding="utf-8") == MESSY
    before = outdated.read_text(encoding="utf-8")
    run = cli("test", str(outdated), "--update", "--yes")
    assert "it is read-only (mode 0444)" in run.err and outdated.read_text(encoding="utf-8") == before


def test_writers_keep_the_inode_of_a_hard_linked_file(cli, tmp_path, outdated):
    path = tmp_path / "s.yaml"
    path.write_text(MESSY, encoding="utf-8")
    os.link(path, tmp_path / "other-name.yaml")
    os.link(outdated, tmp_path / "other-mpls.yaml")
    inodes = path.stat().st_ino, outdated.stat().st_ino
    assert cli("fmt", str(path)).code == 0
    assert cli("test", str(outdated), "--update", "--yes").code == 0
    assert (path.stat().st_ino, outdated.stat().st_ino) == inodes
    assert (tmp_path / "other-name.yaml").read_text(encoding="utf-8").startswith("id: messy\n")
    assert (tmp_path / "other-mpls.yaml").read_text(encoding="utf-8") == outdated.read_text(encoding="utf-8")
    assert "deadly-force-imminent-threat: met" in outdated.read_text(encoding="utf-8")


def test_write_text_checks_what_it_replaces(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o640)
    write_text(path, "new\n", unchanged="old\n")
    assert path.read_text() == "new\n" and stat.S_IMODE(path.stat().st_mode) == 0o640
    with pytest.raises(InputError) as caught:
        write_text(path, "newer\n", unchanged="old\n")
    assert caught.value.diagnostics[0].code == "U011" and path.read_text() == "new\n"
    path.unlink()  # moved away since it was read: not written back either
    with pytest.raises(InputError):
        write_text(path, "newer\n", unchanged="new\n")
    assert not path.exists()
    write_text(path, "made\n")  # a new report is still just written
    assert path.read_text() == "made\n"


# --- L2: a walk that reaches its depth limit says so ------------------------------------------------

@pytest.mark.parametrize("command", [["validate"], ["test"], ["check"], ["fmt", "--check"]])
def test_a_folder_too_deep_to_walk_is_named_and_exits_2(cli, tmp_path, command):
    deep = tmp_path / "tree"
    folder = deep.joinpath(*["d"] * (MAX_WALK_DEPTH + 6))
    folder.mkdir(parents=True)
    (folder / "s.yaml").write_text("x: 1\n", encoding="utf-8")  # invalid: must not pass unseen
    run = cli(*command, str(deep))
    assert run.code == 2, run.err
    assert "error[U012]" in run.err and f"more than {MAX_WALK_DEPTH} folders below" in run.err
    assert "ok:" not in run.err

"""`forcecheck new`: a scenario to start from that loads as written, from prompts, flags or a
shipped teaching case; never over an existing file without --force."""

from typer.testing import CliRunner

from forcecheck.cli.app import app


def run(*args, input=None):
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_new_from_prompts_writes_a_file_that_loads(tmp_path, cli):
    path = tmp_path / "strike.yaml"
    answers = "\n".join(["An officer strikes a man", "teaching", "",
                         "",  # no sources
                         "officer:officer:an officer", "man:subject:a man", "",
                         "strike:officer:physical_force:man:The officer strikes him.", "",
                         "report:Internal review", ""]) + "\n"
    code, _, err = run("new", str(path), input=answers)
    assert code == 0, err
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=") and "action: physical_force" in text
    assert cli("validate", str(path)).code == 0
    assert cli("fmt", "--check", str(path)).code == 0
    assert cli("check", str(path)).code in (0, 1)


def test_new_from_flags_refuses_what_would_not_load_and_never_overwrites(tmp_path):
    path = tmp_path / "x.yaml"
    code, _, err = run("new", str(path), "--title", "t", "--person", "o:civilian:someone")
    assert code == 2 and "unknown role 'civilian'" in err and f"{path}:" in err and not path.exists()
    code, _, err = run("new", str(path), "--title", "t", "--person", "o:officer:an officer")
    assert code == 0 and path.exists()
    before = path.read_text()
    code, _, err = run("new", str(path), "--title", "other")
    assert code == 2 and "exists" in err and path.read_text() == before
    assert run("new", str(path), "--title", "other", "--person", "o:officer:an officer", "--force")[0] == 0
    assert "title: \"other\"" in path.read_text()


def test_new_from_a_teaching_case(tmp_path, cli):
    code, out, _ = run("new", "--template", "list")
    assert code == 0 and "knife-advancing" in out.split()
    path = tmp_path / "mine.yaml"
    assert run("new", str(path), "--template", "knife-advancing")[0] == 0
    assert cli("test", str(path)).code == 0  # its expectations still hold
    code, _, err = run("new", str(tmp_path / "y.yaml"), "--template", "knife-advancng")
    assert code == 2 and "did you mean 'knife-advancing'?" in err

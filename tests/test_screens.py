"""The answer first, on any screen: the sentences before the table, and the clause x account
table kept as one table at 60, 80 and 100 columns with 2, 3 and 4 accounts, so that the first
80x24 screen shows every account's verdict for the first clauses."""

from __future__ import annotations

import re

import pytest

from forcecheck import api

from conftest import SCENARIOS

MPLS = SCENARIOS / "real" / "minneapolis-2026-01-07.yaml"
NORTHRIDGE = SCENARIOS / "real" / "northridge-2025-12-31.yaml"
THREE = SCENARIOS / "teaching" / "checkpoint-three-accounts.yaml"
FOURTH = """  - id: far-bystander
    name: A second bystander, further away
    facts:
      shots.at_moving_vehicle: yes
"""


def _four_accounts(tmp_path):
    text = THREE.read_text(encoding="utf-8")
    head, tail = text.split("\nexpect:", 1) if "\nexpect:" in text else (text, "")
    path = tmp_path / "four.yaml"
    head = head.replace("accounts: [unclear, disable]", "accounts: [unclear, disable, far-bystander]")
    path.write_text(head.rstrip("\n") + "\n" + FOURTH, encoding="utf-8")
    return path


def _render(path, width: int) -> tuple[str, list[str]]:
    compiled = api.load_policy(None)
    scenario = api.load_scenario(str(path), compiled)
    result = api.check(scenario, compiled)
    names = [a.account.name for a in result.evaluation.accounts]
    return api.render([result], "text", width=width), names


def _table(out: str) -> tuple[list[str], list[str]]:
    """The lines above the table's rule (back to the blank line) and the rows under it."""
    lines = out.splitlines()
    rules = [i for i, line in enumerate(lines) if line and set(line) <= {"─", "-", " "} and "──" in line]
    assert len(rules) == 1, f"{len(rules)} tables"
    i = rules[0]
    top = i
    while top > 0 and lines[top - 1].strip() and not lines[top - 1].startswith(("Under ", "Most ")):
        top -= 1
    end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("? undetermined")
               or not lines[j].strip())
    return lines[top:i], lines[i + 1:end]


CASES = [("two", MPLS), ("three", THREE), ("four", None)]


@pytest.mark.parametrize("width", [60, 80, 100])
@pytest.mark.parametrize("accounts,path", CASES, ids=[c[0] for c in CASES])
def test_the_table_stays_one_table_at_any_width(tmp_path, width, accounts, path):
    path = path or _four_accounts(tmp_path)
    out, names = _render(path, width)
    assert len(names) == {"two": 2, "three": 3, "four": 4}[accounts]
    assert max(len(line) for line in out.splitlines()) <= width
    header, rows = _table(out)
    head = " ".join(" ".join(header).split())
    # Every account heads a column, by its name as an account, or in the key above the table.
    for name in names:
        assert name.split()[-1] in head or name in " ".join(out.split()), name
    # One row per clause, each with a verdict cell per account: no clause is lost to a split.
    joined = "\n".join(rows)
    for clause in ("objectively-reasonable-force", "neck-restraint", "threat-only-to-self-or-property"):
        pieces = clause.split("-")
        assert pieces[0] in joined and pieces[-1] in joined
    first = rows[0].split()
    # clause (or its first piece), one cell per account (abbreviated cells have no spaces at <= 80)
    assert len([c for c in first[1:] if c != "*"]) >= len(names) or width == 60


def test_an_80_by_24_screen_shows_every_account_for_the_first_clauses():
    for path in (MPLS, NORTHRIDGE):
        out, names = _render(path, 80)
        screen = out.splitlines()[:24]
        text = "\n".join(screen)
        for name in names:
            assert f"Under {name}" in " ".join(text.split()), name  # the answer, per account
        row = next(line for line in screen if line.startswith("objectively-reasonable-force"))
        assert len(row.split()) >= 3  # a cell per account, side by side


def test_the_answer_names_the_decisive_question_and_prints_it():
    """Northridge: the off-duty question decides most verdicts; it is Q1, named in the answer and
    printed in the default report, and no 'Q5 to Q5' line is left."""
    out, _ = _render(NORTHRIDGE, 100)
    words = " ".join(out.split())
    assert "Most depends on Q1" in words and "reach an officer's use of force while off duty?" in words
    assert re.search(r"Q1 Does the DHS use-of-force policy reach", words)
    assert " to Q" not in words
    assert "Exit status 0: no must clause is determinately breached under any account" in words


def test_wording_of_small_things():
    from forcecheck.report.answer import account_title, first_sentence

    assert account_title("DHS") == "DHS's account"
    assert account_title("Video and witnesses") == "Video and witnesses' account"
    assert account_title("The officer's report") == "The officer's report"
    assert first_sentence("The agent stops near E. 34th St. and waits. He fires.") == \
        "The agent stops near E. 34th St. and waits."


def test_an_assume_hint_is_never_cut_mid_word(cli):
    """An enumeration's --assume hint (every value, joined by '|') is longer than a line: it was
    folded mid-word ('...|attempted_draw|non' / 'e'). Now it is KEY=VALUE, the question naming
    the values, and every hint can be copied from one line."""
    run = cli("check", str(SCENARIOS / "teaching" / "facts-nobody-states.yaml"), "--questions")
    flat = " ".join(run.out.split())
    count = flat.count("--assume ")
    hints = re.findall(r"--assume (\S+)\)", flat)
    assert count > 10 and len(hints) == count  # each argument whole, up to its closing parenthesis
    assert "shots.target_weapon_use=VALUE" in hints
    question = flat.split("shots.target_weapon_use=VALUE")[0].rsplit("Q", 1)[1]
    for value in ("fired_at_someone", "brandished", "attempted_draw", "none"):
        assert value in question
    for line in run.out.splitlines():
        if "--assume " in line:
            assert re.search(r"--assume \S+\)", line), line

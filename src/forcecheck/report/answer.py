"""The answer in sentences, put first in every format: per account, which binding clauses are
breached or could be; what the accounts conflict on; the question most verdicts wait on; and why
the command exits as it does.

Built from the report model's parts (the table, the disputed facts, the ranked questions), so
every rendering says the same sentence.
"""

from __future__ import annotations

from forcecheck.report.model import DisputedFact, Question, Row


def account_title(name: str) -> str:
    """How a report names an account: "DHS's account", "Video and witnesses' account"; a name
    that already says it is an account or a report stays as it is."""
    low = name.lower().rstrip()
    if low.endswith(("account", "accounts", "report", "version", "coding")):
        return name
    # A plural ('witnesses', 'papers') takes a bare apostrophe; an acronym (DHS) takes 's.
    return f"{name}' account" if name.rstrip().endswith("s") else f"{name}'s account"


def clause_count(n: int, what: str = "clause") -> str:
    """'1 clause', '2 clauses'."""
    return f"{n} {what}{'s' if n != 1 else ''}"


def _listed(ids: list[str], noun: str, most: int = 2) -> str:
    """'deadly-force-imminent-threat and 4 other must clauses'; 'a and b'; 'one must clause, x'."""
    if len(ids) == 1:
        return f"1 {noun} ({ids[0]})"
    if len(ids) <= most:
        return f"{len(ids)} {noun}s ({' and '.join(ids)})"
    return f"{ids[0]} and {len(ids) - 1} other {noun}s"


def in_prose(title: str) -> str:
    """A title inside a sentence: 'The officer's report' -> 'the officer's report'."""
    first, _, rest = title.partition(" ")
    return f"{first.lower()} {rest}" if first in ("The", "A", "An") and rest else title


def account_sentence(title: str, column: int, rows: list[Row]) -> str:
    """One account's answer: 'Under DHS's account, no must clause is breached; 4 could be
    (objectively-reasonable-force and 3 others).'"""
    # A clause that restates another is breached exactly when that one is: counted there, once.
    rows = [r for r in rows if not r.restates]
    breached = [r.clause for r in rows if r.binding and r.cells[column].verdict == "breached"]
    could = [r.clause for r in rows if r.binding and r.cells[column].verdict == "undetermined"
             and "breached" in r.cells[column].possible]
    guidance = [r.clause for r in rows if not r.binding and "breached" in r.cells[column].possible]
    if breached:
        verb = "is" if len(breached) == 1 else "are"
        out = f"Under {title}, {_listed(breached, 'must clause')} {verb} breached"
    else:
        out = f"Under {title}, no must clause is determinately breached"
    if could:
        out += f"; {len(could)} more could be ({_brief(could)})" if breached else \
            f"; {len(could)} could be ({_brief(could)})"
    if guidance:
        out += f"; {clause_count(len(guidance), 'should clause')} may not be followed"
    return out + "."


def _brief(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else f"{ids[0]} and {len(ids) - 1} other{'s' if len(ids) > 2 else ''}"


def _topic(f: DisputedFact) -> str:
    """A disputed fact as a topic: 'shots: threat of death or serious injury (F3)'."""
    who = "" if f.subject in ("incident", "policy") else f"{f.subject}: "
    return f"{f.ref} ({who}{f.fact.replace('_', ' ')})"


def answer(titles: list[str], rows: list[Row], disputed: list[DisputedFact],
           questions: list[Question]) -> list[str]:
    """The sentences that state the answer: one per account, then what they conflict on and
    the question most verdicts wait on."""
    out = [account_sentence(in_prose(t), i, rows) for i, t in enumerate(titles)]
    conflicts = [f for f in disputed if f.conflict]
    silent = [f for f in disputed if not f.conflict]
    if conflicts:
        out.append(f"The accounts conflict on {_join([_topic(f) for f in conflicts])}"
                   + (f"; {len(silent)} more contested fact{'s are' if len(silent) != 1 else ' is'} "
                      "stated by one account only" if silent else "") + ".")
    elif silent:
        out.append(f"The accounts differ only where one states a fact the other does not: "
                   f"{_join([_topic(f) for f in silent])}.")
    if questions and questions[0].decides:
        q = questions[0]
        n = len(q.decides)
        question = q.question
        if " (" in question and question.split(" (")[0].endswith("?"):
            question = question.split(" (")[0]  # the note after the question is in the list below
        out.append(f"Most depends on {q.ref} ({n} verdict{'s' if n != 1 else ''}): {question}")
    return out


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def status(breached_under: list[str], checked: int) -> str:
    """Why the command exits as it does."""
    breached_under = [in_prose(t) for t in breached_under]
    if breached_under:
        return (f"Exit status 1: a must clause is breached under {_join(breached_under)} (a breach under "
                "any account gives 1; 0 when none is, 2 for bad input).")
    several = " in any scenario" if checked > 1 else ""
    return (f"Exit status 0: no must clause is determinately breached under any account{several} (1 "
            "when one is; verdicts that could be breached do not count).")


def first_sentence(text: str, most: int = 160) -> str:
    """The first sentence of a description (to its first '. ' after a word of three letters
    or more, so 'Ave.' or 'St.' do not end it), or the text cut at a word near `most`."""
    import re

    m = re.search(r"[a-z0-9)\"'”]{3}[.!?](?=\s+[A-Z\"“(]|$)", text)
    out = text[:m.end()] if m else text
    if len(out) > most:
        out = out[:most].rsplit(" ", 1)[0] + " ..."
    return out


ABBREVIATIONS = {"breached": "br", "not followed": "nf", "not applicable": "n/a"}


def abbreviated(cell: str) -> str:
    """A table cell for a narrow screen: '? met/breached/n/a' -> '? met/br/n/a', 'not
    applicable' -> 'n/a' (the key says br: breached, nf: guidance not followed)."""
    if cell.startswith("? "):
        return "? " + "/".join(ABBREVIATIONS.get(p, p) for p in cell[2:].split("/"))
    return "n/a" if cell == "not applicable" else cell

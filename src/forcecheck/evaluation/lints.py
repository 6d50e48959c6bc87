"""Warnings drawn from an evaluation's results rather than from the input files.

They need the open questions ranked across every account, so they run after `evaluate`;
`check` prints them and `validate` reports them alongside the file diagnostics. Ranking the
questions needs the whole analysis (what would settle each open verdict), which `validate`
would otherwise never run; a fact can help settle only the verdicts that wait on it, so when
no fact is waited on by enough verdicts for a warning, none is given without the analysis.
"""

from __future__ import annotations

from forcecheck.diagnostics import Diagnostic
from forcecheck.evaluation.results import ScenarioResult

DECISIVE_SHARE = 3  # a fact is worth a warning when it helps settle a third of the open verdicts
DECISIVE_MIN = 3


def unstated_warnings(result: ScenarioResult) -> list[Diagnostic]:
    """A warning for the unstated fact most open verdicts hang on, at the person or event it
    is about: how many verdicts it helps settle and how to state it. Policy questions, which
    a scenario cannot state, never get one."""
    open_verdicts = sum(1 for a in result.accounts for c in a.clauses for i in c.items
                        if i.verdict == "undetermined")
    if result.depth == "full" and not _may_warn(result, open_verdicts):
        return []
    facts = [q for q in result.questions if q.unknown.subject != "policy"]
    if not facts:
        return []
    q = facts[0]
    count = len(q.decides)
    if count < DECISIVE_MIN or count * DECISIVE_SHARE < open_verdicts:
        return []
    u = q.unknown
    model = result.scenario.model
    loc: tuple = ()
    for group in ("people", "events"):
        ids = [x.id for x in getattr(model, group)]
        if u.subject in ids:
            loc = (group, ids.index(u.subject))
    values = " or ".join("yes" if v is True else "no" if v is False else str(v) for v in u.values)
    accounts = sorted({a for a, _, _ in q.decides})
    return [Diagnostic(result.scenario.doc.span(loc), "W010",
                       f"{u.key} is stated nowhere, and {count} of the {open_verdicts} undetermined "
                       f"verdicts (under {', '.join(accounts)}) wait on it: {u.question}",
                       f"state it under 'undisputed: facts:' (or in each account) as "
                       f"'{u.key}: {values}', with its source; leave it out only if no source says",
                       severity="warning")]


def _may_warn(result: ScenarioResult, open_verdicts: int) -> bool:
    """Could some fact help settle enough open verdicts for a warning? A fact helps settle
    only verdicts that wait on it (the unknowns each is known to wait on before any search),
    so counting those bounds what the analysis could find."""
    waiting: dict[str, int] = {}
    for a in result.accounts:
        for c in a.clauses:
            for i in c.items:
                for key in {u.key for u in i.unknowns if u.subject != "policy"}:
                    waiting[key] = waiting.get(key, 0) + 1
    most = max(waiting.values(), default=0)
    return most >= DECISIVE_MIN and most * DECISIVE_SHARE >= open_verdicts

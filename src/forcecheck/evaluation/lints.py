"""Warnings drawn from an evaluation's results rather than from the input files.

They need the open questions ranked across every account, so they run after `evaluate`;
`check` prints them and `validate` reports them alongside the file diagnostics. Ranking the
questions needs the whole analysis (what would settle each open verdict), which `validate`
would otherwise never run; a fact can help settle only the verdicts that wait on it, so when
no fact is waited on by enough verdicts for a warning, none is given without the analysis.

A closure ("no moving vehicle was part of the incident", one yes/no fact about the incident
whose constraints settle the facts that follow) is suggested instead when, stated "no", it
would settle more open verdicts than the best single fact: that is found by checking the
scenario again with it, verdicts only, once per closure no account states.
"""

from __future__ import annotations

from forcecheck.diagnostics import Diagnostic
from forcecheck.evaluation.results import ScenarioResult

DECISIVE_SHARE = 3  # a fact is worth a warning when it helps settle a third of the open verdicts
DECISIVE_MIN = 3


def unstated_warnings(result: ScenarioResult) -> list[Diagnostic]:
    """A warning for the unstated fact most open verdicts hang on, at the person or event it
    is about: how many verdicts it helps settle and how to state it; or for a closure, when
    stating it "no" settles more, or settles that fact. Policy questions, which a scenario
    cannot state, never get one."""
    open_verdicts = sum(1 for a in result.accounts for c in a.clauses for i in c.items
                        if i.verdict == "undetermined")
    if open_verdicts < DECISIVE_MIN:
        return []
    enough_for_one = result.depth != "full" or _enough(_most_waited_on(result), open_verdicts)
    facts = [q for q in result.questions if q.unknown.subject != "policy"] if enough_for_one else []
    closure = _closure_warning(result, open_verdicts, facts[0] if facts else None)
    if closure is not None:
        return [closure]
    if not facts:
        return []
    q = facts[0]
    count = len(q.decides)
    if not _enough(count, open_verdicts):
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


def _closure_warning(result: ScenarioResult, open_verdicts: int, top) -> Diagnostic | None:
    """W010 for a closure ("no moving vehicle was part of the incident") no account states,
    consistent with every account when "no": suggested when stating it "no" settles a third
    of the undetermined verdicts and more than the best single fact (`top`) helps settle, or
    settles that very fact."""
    best = None
    for name in _unstated_closures(result):
        settled = _closure_settles(result, name)
        if settled is None or not _enough(settled, open_verdicts):
            continue
        follows = top is not None and top.unknown.fact in _follow_from(result, name)
        if (top is None or settled > len(top.decides) or follows) and (best is None or settled > best[1]):
            best = (name, settled)
    if best is None:
        return None
    name, settled = best
    spec = result.policy.facts[f"incident.{name}"]
    return Diagnostic(result.scenario.doc.span(("undisputed",)), "W010",
                      f"incident.{name} is stated nowhere, and stating it 'no' would settle {settled} "
                      f"of the {open_verdicts} undetermined verdicts: {spec.question}",
                      f"if the sources show there was none, state 'incident.{name}: no' once under "
                      "'undisputed: facts:', with its source, rather than each fact that follows from "
                      "it; leave it out if no source says", severity="warning")


def _follow_from(result: ScenarioResult, name: str) -> set[str]:
    """The names of the facts the closure's constraints settle."""
    from forcecheck.policy import model as m

    key = f"incident.{name}"
    policy = result.policy
    return {k.rpartition(".")[2] for c in policy.constraints if key in m.facts_read(c.where, policy)
            for k in m.facts_read(c.requirement, policy)}


def _closure_settles(result: ScenarioResult, name: str) -> int | None:
    """How many undetermined verdicts stating the closure `name` "no" settles, the scenario
    checked again with it, verdicts only (None: some account contradicts it)."""
    import dataclasses

    from forcecheck.engine.constraints import Constraints
    from forcecheck.evaluation.evaluate import evaluate
    from forcecheck.policy.model import UNDISPUTED
    from forcecheck.scenario.load import compiled_policy
    from forcecheck.scenario.scenario import Statement

    sc = result.scenario
    compiled = compiled_policy(result.policy)
    wanted = {a.account.id for a in result.accounts}
    closed = dataclasses.replace(sc, checked={}, undisputed={**sc.undisputed, ("incident", name):
                                 Statement("incident", name, False, UNDISPUTED, None, None, None)})
    accounts = [a for a in closed.accounts if a.id in wanted]
    checked = {}
    for a in accounts:
        world = closed.world(a)
        constraints = Constraints(compiled, world)
        if constraints.conflicts(world):
            return None
        checked[a.id] = (world, constraints)  # the evaluation's, as a load's check leaves them
    closed = dataclasses.replace(closed, checked=checked)
    before = {(a.account.id, c.clause.id, i.label) for a in result.accounts for c in a.clauses
              for i in c.items if i.verdict == "undetermined"}
    after = evaluate(compiled, closed, [a.id for a in accounts], depth="verdicts")
    still = {(a.account.id, c.clause.id, i.label) for a in after.accounts for c in a.clauses
             for i in c.items if i.verdict == "undetermined"}
    return len(before - still)


def _unstated_closures(result: ScenarioResult) -> list[str]:
    """The yes/no facts about the incident as a whole (closures) that no account states."""
    sc = result.scenario
    stated = {k for a in sc.accounts for k in a.statements} | set(sc.undisputed)
    return [f.name for f in result.policy.facts.values() if f.subject == "incident"
            and f.kind == "yes_no" and ("incident", f.name) not in stated]


def _most_waited_on(result: ScenarioResult) -> int:
    """How many undetermined verdicts the fact most waited on waits for: a fact helps settle
    only verdicts that wait on it (the unknowns each is known to wait on before any search), so
    this bounds what the analysis could find for one fact."""
    waiting: dict[str, int] = {}
    for a in result.accounts:
        for c in a.clauses:
            for i in c.items:
                for key in {u.key for u in i.unknowns if u.subject != "policy"}:
                    waiting[key] = waiting.get(key, 0) + 1
    return max(waiting.values(), default=0)


def _enough(count: int, open_verdicts: int) -> bool:
    return count >= DECISIVE_MIN and count * DECISIVE_SHARE >= open_verdicts

"""The batch record (`forcecheck.record/1`): one scenario's result as one compact JSON line.

Built from the same `ScenarioResult` a report is built from (at depth "verdicts"), so a
record and `check` on the same scenario give the same verdicts and the same verdicts still
possible. A record is a `documents.Record`, whose JSON Schema is generated with the
others (docs/record-output.schema.json) and against which `forcecheck corpus` reads records
back; its keys are documented in docs/json-format.md.
"""

from __future__ import annotations

from forcecheck.diagnostics import Diagnostic, as_item, display_path
from forcecheck.evaluation.results import ScenarioResult
from forcecheck.report.documents import ErrorItem, ErrorRecord, Imported, OpenQuestion, PolicyRef, Record

RECORD_FORMAT = "forcecheck.record/1"


def build_record(result: ScenarioResult, path: str) -> Record:
    """The compact record of one checked scenario."""
    scenario, policy = result.scenario, result.policy
    verdicts: dict[str, dict[str, str]] = {c.id: {} for c in result.clauses}
    possible: dict[str, dict[str, list[str]]] = {}
    for a in result.accounts:
        for cv in a.clauses:
            verdicts[cv.clause.id][a.account.id] = cv.verdict
            if len(cv.possible) > 1 or not cv.exact:
                possible.setdefault(cv.clause.id, {})[a.account.id] = list(cv.possible)
    record = scenario.model.record
    return Record(
        path=display_path(path), scenario=scenario.model.id, title=scenario.model.title,
        accounts=[a.account.id for a in result.accounts], breached=result.breached, verdicts=verdicts,
        possible=possible, contested={c: list(keys) for c, keys in result.differing.items()},
        open_questions=[OpenQuestion(fact=q.unknown.key, question=q.unknown.question,
                                     waiting=len({(a, c) for a, c, _ in q.decides}))
                        for q in result.questions],
        policy=PolicyRef(id=policy.id, title=policy.title),
        record=Imported(**record.model_dump()) if record else None)


def error_record(path: str, diagnostics: list[Diagnostic]) -> ErrorRecord:
    """The record of a scenario that could not be checked: its errors, located."""
    return ErrorRecord(path=display_path(path),
                       errors=[ErrorItem(**as_item(d)) for d in diagnostics if d.severity == "error"])


def summary_text(rec: Record, guidance: frozenset[str] = frozenset(),
                 restating: frozenset[str] = frozenset()) -> str:
    """One line of text for a record, after its path and scenario id: what is breached, which
    guidance (`should` clauses, in `guidance`) was not followed, what is contested and how much
    is open. A clause in `restating` restates another, whose breach it is: it is not named a
    second time."""
    hit = sorted({c for c, by in rec.verdicts.items() for v in by.values() if v == "breached"}
                 - restating)
    breached = [c for c in hit if c not in guidance]
    not_followed = [c for c in hit if c in guidance]
    undetermined = sum(1 for by in rec.verdicts.values() for v in by.values() if v == "undetermined")
    # A breach holds under an account, never of the incident: each is named with its account.
    under = {a: [c for c in breached if rec.verdicts[c].get(a) == "breached"] for a in rec.accounts}
    parts = [f"breached under account '{a}': {', '.join(cs)}" for a, cs in under.items() if cs] \
        or ["nothing breached"]
    if not_followed:
        parts.append(f"guidance not followed: {', '.join(not_followed)}")
    if rec.contested:
        parts.append(f"contested: {', '.join(rec.contested)}")
    if undetermined:
        parts.append(f"{undetermined} undetermined")
    return "; ".join(parts)


def error_line(rec: ErrorRecord) -> str:
    """One line of text for a scenario that could not be checked: its first error."""
    first = rec.errors[0] if rec.errors else None
    code, message = (first.code, first.message) if first else ("?", "not loaded")
    return f"{rec.path}: error[{code}]: {message}"

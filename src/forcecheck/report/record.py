"""The batch record (`forcecheck.record/1`): one scenario's result as one compact JSON line.

Built from the same `ScenarioResult` a report is built from (at depth "verdicts"), so a
record and `check` on the same scenario give the same verdicts and the same verdicts still
possible. A record is a plain dict because it is written as one line per scenario by the
thousand; its keys are documented in docs/json-format.md.
"""

from __future__ import annotations

from typing import Any

from forcecheck.diagnostics import display_path, visible
from forcecheck.evaluation.results import ScenarioResult

RECORD_FORMAT = "forcecheck.record/1"


def build_record(result: ScenarioResult, path: str) -> dict[str, Any]:
    """The compact record of one checked scenario."""
    scenario, policy = result.scenario, result.policy
    verdicts: dict[str, dict[str, str]] = {c.id: {} for c in result.clauses}
    possible: dict[str, dict[str, list[str]]] = {}
    for a in result.accounts:
        for cv in a.clauses:
            verdicts[cv.clause.id][a.account.id] = cv.verdict
            if len(cv.possible) > 1 or not cv.exact:
                possible.setdefault(cv.clause.id, {})[a.account.id] = list(cv.possible)
    return {
        "format": RECORD_FORMAT,
        "path": display_path(path),
        "scenario": visible(scenario.model.id),
        "title": visible(scenario.model.title),
        "accounts": [a.account.id for a in result.accounts],
        "breached": result.breached,
        "verdicts": verdicts,
        "possible": possible,
        "contested": {c: list(keys) for c, keys in result.differing.items()},
        "open_questions": [{"fact": q.unknown.key, "question": q.unknown.question,
                            "waiting": len({(a, c) for a, c, _ in q.decides})} for q in result.questions],
        "policy": {"id": policy.id, "title": policy.title},
        **({"record": scenario.model.record.model_dump()} if scenario.model.record else {}),
    }


def summary_line(rec: dict, guidance: frozenset[str] = frozenset()) -> str:
    """One line of text for a record: what is breached, which guidance (`should` clauses, in
    `guidance`) was not followed, what is contested and how much is open."""
    hit = sorted({c for c, by in rec["verdicts"].items() for v in by.values() if v == "breached"})
    breached = [c for c in hit if c not in guidance]
    not_followed = [c for c in hit if c in guidance]
    undetermined = sum(1 for by in rec["verdicts"].values() for v in by.values() if v == "undetermined")
    parts = [f"breached: {', '.join(breached)}" if breached else "nothing breached"]
    if not_followed:
        parts.append(f"guidance not followed: {', '.join(not_followed)}")
    if rec["contested"]:
        parts.append(f"contested: {', '.join(rec['contested'])}")
    if undetermined:
        parts.append(f"{undetermined} undetermined")
    return f"{rec['path']}: {rec['scenario']}: {'; '.join(parts)}"

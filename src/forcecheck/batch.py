"""Many scenarios at once: one compact record per scenario, streamed in input order.

`check` over several files (or with `--jobs`) comes here instead of building one report for
all of them. Each scenario becomes a record (`forcecheck.record/1`): its verdicts and, where
a verdict is undetermined, the verdicts still possible; the contested clauses with the facts
the accounts state differently that each reads; and the open questions, the unknown facts
the undetermined verdicts wait on, most waited on first. Verdicts are the exact ones `check`
gives for one scenario (every completion the constraints allow); what a batch leaves out is
the search for the smallest deciding sets and settling assignments, and the traces, which
`check` on one scenario (or `--explain` here) still gives.

Records are computed by a pool of worker processes (the standard library's
`ProcessPoolExecutor`), each loading the policy once; a window of chunks is in flight at a
time and results are yielded in input order, so memory does not grow with the number of files.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from forcecheck.diagnostics import Diagnostic, InputError, as_item, display_path, render_all, visible
from forcecheck.engine.analysis import constraint_reads, differing_facts, unknown_of
from forcecheck.engine.constraints import Constraints
from forcecheck.engine.exact import clause_outcome
from forcecheck.policy.compiler import CompiledPolicy
from forcecheck.scenario.load import load_scenario
from forcecheck.scenario.scenario import Scenario

RECORD_FORMAT = "forcecheck.record/1"
CHUNK = 16  # scenarios a worker is given at a time
IN_FLIGHT = 8  # chunks per worker submitted ahead of the one being written
RECYCLE = 128  # chunks a worker checks before it is replaced by a fresh one


@dataclass(frozen=True, slots=True)
class Options:
    policy: str | None = None
    accounts: tuple[str, ...] | None = None
    clauses: tuple[str, ...] | None = None
    explain: str | None = None  # None, "short" or "full": add the single-scenario report


@dataclass(frozen=True, slots=True)
class Outcome:
    """One scenario's result as the command line writes it."""

    path: str
    line: str  # the JSON Lines record, without the newline
    status: str  # "breached", "ok" or "error"
    summary: str  # one line of text
    diagnostics: str = ""  # rendered for stderr


def record(compiled: CompiledPolicy, scenario: Scenario, path: str, options: Options = Options()) -> dict:
    """The compact record of one scenario."""
    policy = compiled.policy
    clauses = [c for c in policy.clauses if options.clauses is None or c.id in options.clauses]
    accounts = [a for a in scenario.accounts if options.accounts is None or a.id in options.accounts]
    verdicts: dict[str, dict[str, str]] = {c.id: {} for c in clauses}
    possible: dict[str, dict[str, list[str]]] = {}
    waits: dict[tuple, set[tuple[str, str]]] = {}  # unknown -> the (account, clause) verdicts waiting
    unknowns: dict[tuple, object] = {}
    worlds = {}
    constraints_of = {}
    breached = False
    for account in accounts:
        # The world and constraints the load's consistency check built, when they are this one's.
        found = scenario.checked.get(account.id) if not account.unsettled else None
        world, constraints = found if found else (scenario.world(account), None)
        worlds[account.id] = world
        constraints = constraints or Constraints(compiled, world)
        constraints_of[account.id] = constraints
        for clause in clauses:
            items, outcome = clause_outcome(compiled, clause, world, constraints)
            verdicts[clause.id][account.id] = outcome.verdict
            breached = breached or (outcome.verdict == "breached" and clause.binding)
            if len(outcome.verdicts) > 1 or not outcome.exact:
                possible.setdefault(clause.id, {})[account.id] = list(outcome.verdicts)
            for it in items:
                if it.verdict != "undetermined":
                    continue
                for var in it.reads:
                    if var not in unknowns:
                        unknowns[var] = unknown_of(policy, world, var)
                    waits.setdefault(var, set()).add((account.id, clause.id))
    contested = {}
    tied_reads: list | None = None
    for clause in clauses:
        sets = {tuple(possible.get(clause.id, {}).get(a, [v])) for a, v in verdicts[clause.id].items()}
        if len(sets) > 1:
            if tied_reads is None:  # what the constraints read is the same for every clause
                tied_reads = [constraint_reads(compiled, worlds[a.id], constraints_of[a.id])
                              for a in accounts]
            keys = differing_facts(compiled, clause, [worlds[a.id] for a in accounts], tied_reads)
            contested[clause.id] = [f"{s}.{f}" for s, f in keys]
    questions = [u for u in unknowns.values() if u is not None]
    questions.sort(key=lambda u: (u.subject == "policy", -len(waits[_var(u)]), u.key))
    return {
        "format": RECORD_FORMAT,
        "path": display_path(path),
        "scenario": visible(scenario.model.id),
        "title": visible(scenario.model.title),
        "accounts": [a.id for a in accounts],
        "breached": breached,
        "verdicts": verdicts,
        "possible": possible,
        "contested": contested,
        "open_questions": [{"fact": u.key, "question": u.question, "waiting": len(waits[_var(u)])}
                           for u in questions],
        "policy": {"id": policy.id, "title": policy.title},
        **({"record": scenario.model.record.model_dump()} if scenario.model.record else {}),
    }


def _var(u) -> tuple[str, str]:
    from forcecheck.engine.reads import QUESTION

    return (QUESTION, u.fact) if u.subject == "policy" else (u.subject, u.fact)


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


def _error(path: str, diagnostics: list[Diagnostic]) -> Outcome:
    items = [as_item(d) for d in diagnostics if d.severity == "error"]
    line = json.dumps({"format": RECORD_FORMAT, "path": display_path(path), "errors": items},
                      ensure_ascii=False, separators=(",", ":"))
    first = items[0] if items else {"code": "?", "message": "not loaded"}
    return Outcome(path, line, "error", f"{display_path(path)}: error[{first['code']}]: {first['message']}",
                   render_all(diagnostics))


def check_one(compiled: CompiledPolicy, path: str, text: str | None, options: Options) -> Outcome:
    """Load, check and serialise one scenario; a bad file becomes an error record."""
    try:
        scenario = load_scenario(path, compiled, text=text)
        ids = [a.id for a in scenario.accounts]
        missing = [a for a in options.accounts or () if a not in ids]
        if missing:
            raise InputError([Diagnostic(None, "U002", f"{path}: no account '{missing[0]}'",
                                         f"accounts: {', '.join(ids)}")])
        rec = record(compiled, scenario, path, options)
        if options.explain:
            from forcecheck.evaluation.evaluate import evaluate
            from forcecheck.report.build import build

            result = evaluate(compiled, scenario, list(options.accounts) if options.accounts else None,
                              list(options.clauses) if options.clauses else None)
            rec["report"] = build([result], traces=True).model_dump(mode="json")
    except InputError as exc:
        return _error(path, exc.diagnostics)
    line = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
    guidance = frozenset(c.id for c in compiled.policy.clauses if not c.binding)
    return Outcome(path, line, "breached" if rec["breached"] else "ok", summary_line(rec, guidance))


# --- running many ----------------------------------------------------------------------------

_worker: tuple[CompiledPolicy, Options] | None = None


def _start(options: Options) -> None:
    """A worker's initializer: the policy is loaded (from its cache) once per process."""
    global _worker
    from forcecheck.policy.load import load_policy

    _worker = (load_policy(options.policy), options)


def _chunk(items: list[tuple[str, str | None]]) -> list[Outcome]:
    assert _worker is not None
    compiled, options = _worker
    return [check_one(compiled, path, text, options) for path, text in items]


def _chunks(items: Iterable[tuple[str, str | None]], size: int) -> Iterator[list[tuple[str, str | None]]]:
    chunk: list[tuple[str, str | None]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run(items: Iterable[tuple[str, str | None]], options: Options, jobs: int = 1,
        compiled: CompiledPolicy | None = None) -> Iterator[Outcome]:
    """Each (path, text or None) checked, yielded in input order. With `jobs` > 1, a process
    pool does the work, with at most `IN_FLIGHT` chunks per worker waiting to be written."""
    if jobs <= 1:
        if compiled is None:
            from forcecheck.policy.load import load_policy

            compiled = load_policy(options.policy)
        for path, text in items:
            yield check_one(compiled, path, text, options)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Workers are replaced after RECYCLE chunks, so what a long-lived interpreter keeps of every
    # file it has seen (interned path names, allocator arenas) cannot grow with the corpus.
    # Replacing a worker needs a start method other than fork; forkserver forks from a clean
    # server, which is cheap.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start, initargs=(options,),
                             max_tasks_per_child=RECYCLE) as pool:
        pending: deque = deque()
        for chunk in _chunks(items, CHUNK):
            pending.append(pool.submit(_chunk, chunk))
            if len(pending) >= jobs * IN_FLIGHT:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


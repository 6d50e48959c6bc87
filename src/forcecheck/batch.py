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

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from forcecheck.diagnostics import Diagnostic, InputError, render_all
from forcecheck.policy.compiler import CompiledPolicy
from forcecheck.report.record import build_record, error_line, error_record, summary_line

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


def _error(path: str, diagnostics: list[Diagnostic]) -> Outcome:
    rec = error_record(path, diagnostics)
    return Outcome(path, rec.line(), "error", error_line(rec), render_all(diagnostics))


def check_one(compiled: CompiledPolicy, path: str, text: str | None, options: Options) -> Outcome:
    """Load, check and serialise one scenario through the library's pipeline (`api.check`,
    the one `check` runs); a bad file becomes an error record."""
    from forcecheck.api import check
    from forcecheck.scenario.load import load_scenario

    try:
        scenario = load_scenario(path, compiled, text=text)
        result = check(scenario, compiled, accounts=options.accounts, clauses=options.clauses,
                       depth="verdicts")
        rec = build_record(result.evaluation, path)
        if options.explain:
            full = check(scenario, compiled, accounts=options.accounts, clauses=options.clauses)
            rec.report = full.document().model_dump(mode="json")
    except InputError as exc:
        return _error(path, exc.diagnostics)
    line = rec.line()
    guidance = frozenset(c.id for c in compiled.policy.clauses if not c.binding)
    return Outcome(path, line, "breached" if rec.breached else "ok", summary_line(rec, guidance))


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


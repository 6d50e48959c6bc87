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

A batch is often one end of a pipe, run under a supervisor or a CI job, so the pool must never
outlive it or hold its output: the workers (and the fork server, and so the resource tracker)
never hold the batch's standard output; each worker watches a pipe only this process writes to
and ends as soon as it reads end-of-file (this process died, however: SIGKILL included); SIGTERM,
SIGINT or an early end of the caller ends the workers at once. A worker that dies mid-batch (the
OOM killer, a kill -9) costs only the scenarios it held: each gets an error record (B001), and
the batch goes on with a new pool.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from forcecheck.diagnostics import Diagnostic, InputError, display_path, render_all
from forcecheck.policy.compiler import CompiledPolicy
from forcecheck.report.record import build_record, error_line, error_record, summary_text

PRELOAD = ["forcecheck.batch", "forcecheck.api", "forcecheck.scenario.load", "forcecheck.policy.load",
           "forcecheck.evaluation.verdicts", "forcecheck.engine.lean"]  # what the fork server imports
CHUNK = 16  # scenarios a worker is given at a time
IN_FLIGHT = 8  # chunks per worker submitted ahead of the one being written
RECYCLE = 128  # chunks per worker a generation of workers checks before a fresh one takes over


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


@dataclass(frozen=True, slots=True)
class Unread:
    """A scenario that could not even be read (a JSON Lines line over the size limit, a file of
    them that cannot be opened): its diagnostics, to become an error record in its place."""

    diagnostics: tuple[Diagnostic, ...]


Text = str | None | Unread  # a scenario's text; None: read it from its path


def jsonl_items(path: Path) -> Iterator[tuple[str, Text]]:
    """(FILE:LINE, text) for each scenario of a JSON Lines file (as `forcecheck import --output
    FILE.jsonl` writes). A line is bounded as a scenario file is (1 MB, Y004) and read only that
    far; an over-long line, or a file that cannot be read, is an error in its place, and the
    lines after it go on."""
    from forcecheck.files import read_lines
    from forcecheck.scenario.yamlsource import MAX_BYTES

    try:
        for number, line in read_lines(path, MAX_BYTES, "S000", "scenario", too_long="Y004"):
            if isinstance(line, Diagnostic):
                yield f"{path}:{number}", Unread((line,))
            elif line.strip():
                yield f"{path}:{number}", line
    except InputError as exc:
        yield str(path), Unread(tuple(exc.diagnostics))


def check_one(compiled: CompiledPolicy, path: str, text: Text, options: Options) -> Outcome:
    """Load, check and serialise one scenario through the library's pipeline (`api.check`,
    the one `check` runs); a bad file becomes an error record."""
    from forcecheck.api import check
    from forcecheck.scenario.load import load_scenario

    if isinstance(text, Unread):
        return _error(path, list(text.diagnostics))
    try:
        scenario = load_scenario(path, compiled, text=text)
        key = None if options.explain else signature(scenario, options)
        memo = _memo(compiled)
        kept = memo.get(key) if key is not None else None
        if kept is not None:
            return _renamed(kept, scenario, path)
        result = check(scenario, compiled, accounts=options.accounts, clauses=options.clauses,
                       depth="verdicts")
        rec = build_record(result.evaluation, path)
        if options.explain:
            full = check(scenario, compiled, accounts=options.accounts, clauses=options.clauses)
            rec.report = full.document().model_dump(mode="json")
    except InputError as exc:
        return _error(path, exc.diagnostics)
    said = summary_text(rec, *_summary_sets(compiled))
    status = "breached" if rec.breached else "ok"
    if key is not None:
        if len(memo) >= MEMO_SIZE:
            memo.clear()  # memory stays bounded; a batch's repeats come back soon
        memo[key] = _Kept(rec.model_dump(), said, status)
    return Outcome(path, rec.line(), status, f"{rec.path}: {rec.scenario}: {said}")


MEMO_SIZE = 512  # records a worker keeps by signature
_MEMO: dict[tuple, _Kept] = {}
_MEMO_OF: list[CompiledPolicy | None] = [None]  # the policy the kept records are of
_SETS: dict[int, tuple[CompiledPolicy, tuple[frozenset[str], frozenset[str]]]] = {}


@dataclass(frozen=True, slots=True)
class _Kept:
    """A record kept by its signature: dumped, with its summary after the path and id."""

    data: dict
    said: str
    status: str


def _memo(compiled: CompiledPolicy) -> dict[tuple, _Kept]:
    if _MEMO_OF[0] is not compiled:  # records are the policy's: another policy starts afresh
        _MEMO.clear()
        _MEMO_OF[0] = compiled
    return _MEMO


def _summary_sets(compiled: CompiledPolicy) -> tuple[frozenset[str], frozenset[str]]:
    """The policy's guidance (should) clauses and the clauses that restate another."""
    hit = _SETS.get(id(compiled))
    if hit is None or hit[0] is not compiled:
        clauses = compiled.policy.clauses
        hit = _SETS[id(compiled)] = (compiled, (frozenset(c.id for c in clauses if not c.binding),
                                                frozenset(c.id for c in clauses if c.restates)))
    return hit[1]


def signature(scenario, options: Options) -> tuple | None:
    """What a record's verdicts, possible verdicts, contested facts and open questions are worked
    out from: each chosen account's id and world (people and roles, events in its order, every
    stated value, assumed answers), and the options. Two scenarios with the same signature
    differ only in their path, id, title, words and provenance, so they get the same record
    but for those (an imported database repeats itself: the Washington Post's 5,475 records
    are 69 distinct scenarios). None when a value cannot be compared."""
    from forcecheck.engine.constraints import world_key

    parts = []
    for account in scenario.accounts:
        if options.accounts is not None and account.id not in options.accounts:
            continue
        key = world_key(scenario.world(account))
        if key is None:
            return None
        parts.append((account.id, key))
    return (options.accounts, options.clauses, tuple(parts))


def _renamed(kept: _Kept, scenario, path: str) -> Outcome:
    """The record of a scenario with the same signature as `kept`'s, as this scenario's: its
    path, id, title and import record put in (escaped as a record's strings are), the rest as
    kept."""
    from forcecheck.diagnostics import visible
    from forcecheck.report.documents import Imported, Record

    model = scenario.model
    data = {**kept.data, "path": visible(display_path(path)), "scenario": visible(model.id),
            "title": visible(model.title),
            "record": Imported(**model.record.model_dump()).model_dump() if model.record else None}
    summary = f"{data['path']}: {data['scenario']}: {kept.said}"
    return Outcome(path, Record.line_of(data), kept.status, summary)


# --- running many ----------------------------------------------------------------------------

_worker: tuple[CompiledPolicy, Options, object] | None = None


def _start(options: Options, lifeline, started) -> None:
    """A worker's initializer: tied to the batch's process first, then the policy is loaded
    (from its cache) once per process."""
    global _worker
    _tie(lifeline)
    from forcecheck.policy.load import load_policy

    _worker = (load_policy(options.policy), options, started)


def _tie(lifeline) -> None:
    """Make this worker end with the batch's process, and keep it off the batch's output.

    Standard output goes to /dev/null, so a pipe reader sees its end when the batch ends. A
    thread waits on `lifeline`, a pipe whose writing end only the batch's process holds: it
    reads end-of-file when that process is gone, however it ended, and the worker exits. On
    Linux the worker also gets SIGKILL if the fork server it came from dies. Ctrl-C, sent to the
    whole process group, is the batch's to handle: it ends the workers itself."""
    import threading

    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the lifeline alone

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv_bytes()
        os._exit(1)

    threading.Thread(target=watch, name="forcecheck-lifeline", daemon=True).start()


def _chunk(seq: int, items: list[tuple[str, Text]]) -> list[Outcome]:
    assert _worker is not None
    compiled, options, started = _worker
    started[seq % len(started)] = os.getpid()  # which worker holds this chunk, should it die
    return [check_one(compiled, path, text, options) for path, text in items]


def _chunks(items: Iterable[tuple[str, Text]], size: int) -> Iterator[list[tuple[str, Text]]]:
    chunk: list[tuple[str, Text]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run(items: Iterable[tuple[str, Text]], options: Options, jobs: int = 1,
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
    pool = _Pool(options, jobs)
    previous = None
    if _main_thread():
        previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield from pool.outcomes(_chunks(items, CHUNK))
    except BaseException:  # SIGTERM, Ctrl-C, the caller stopped reading: end the workers now
        pool.kill()
        raise
    else:
        pool.close()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


class _Pool:
    """A process pool that dies with this process and survives the death of a worker.

    Each chunk is submitted with its number; the worker that starts it writes its pid into a
    shared slot for that number (plain shared memory: no lock a dying worker could leave held).
    When the pool breaks, the chunks held by the worker that died get error records, and every
    other chunk not yet done is given to a new pool, in the same order.

    Workers are replaced by generation: after `jobs * RECYCLE` chunks the old executor finishes
    what it holds and ends, then a fresh one takes the next chunks (the two generations never
    hold memory at the same time: overlapping them doubled the batch's peak). So what a
    long-lived interpreter keeps of every file it has seen (interned path names, allocator
    arenas, its memos) cannot grow with the corpus. `max_tasks_per_child` would say the same in
    one argument, but up to CPython 3.13.9 an executor using it stops replacing workers that
    reach the limit while work is queued, and the batch waits forever (python/cpython#115634);
    a batch always has work queued."""

    def __init__(self, options: Options, jobs: int):
        import multiprocessing

        # forkserver forks each worker from a clean server: cheap, and nothing of this process
        # (its threads, its open output) is inherited. The server imports what a worker runs
        # before it forks any, so no worker (of any generation) imports it again.
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self.options, self.jobs = options, jobs
        self.started = self.context.RawArray("q", jobs * IN_FLIGHT + 1)
        self.lifeline, self._lifeline_end = self.context.Pipe(duplex=False)  # this process keeps the end
        self.fruitless = 0  # breaks in a row in which no worker died holding a chunk
        self.executor = self._new()

    def _new(self):
        from concurrent.futures import ProcessPoolExecutor

        _quiet_servers()  # again: a fork server that died is started anew by the next pool
        self.given = 0  # chunks submitted to this generation
        return ProcessPoolExecutor(max_workers=self.jobs, mp_context=self.context, initializer=_start,
                                   initargs=(self.options, self.lifeline, self.started))

    def submit(self, seq: int, chunk: list) -> list:
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        self.started[seq % len(self.started)] = 0
        self.given += 1
        try:
            future = self.executor.submit(_chunk, seq, chunk)
        except (BrokenProcessPool, RuntimeError) as exc:  # broken before this chunk went in
            future = Future()
            future.set_exception(BrokenProcessPool(str(exc)))
        return [seq, chunk, future, self.executor]

    def outcomes(self, chunks: Iterator[list]) -> Iterator[Outcome]:
        pending: deque[list] = deque()
        for seq, chunk in enumerate(chunks):
            if self.given >= self.jobs * RECYCLE:  # this generation's last chunk is in
                while pending:
                    yield from self._first(pending)
                if self.given >= self.jobs * RECYCLE:  # (not renewed meanwhile by a recovery)
                    self.executor.shutdown(wait=True)
                    self.executor = self._new()
            pending.append(self.submit(seq, chunk))
            while len(pending) >= self.jobs * IN_FLIGHT:
                yield from self._first(pending)
        while pending:
            yield from self._first(pending)

    def _first(self, pending: deque) -> list[Outcome]:
        """The first chunk's outcomes, in order; [] when the pool broke (it is rebuilt, and the
        first chunk is either given to the new pool or answered with error records)."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            done = pending[0][2].result()
        except BrokenProcessPool:
            self._recover(pending)
            return []
        pending.popleft()
        return done

    def _recover(self, pending: deque) -> None:
        from concurrent.futures import Future

        broken = pending[0][3]
        processes = dict(getattr(broken, "_processes", None) or {})
        broken.shutdown(wait=True, cancel_futures=True)  # its thread has ended the others
        died = {pid for pid, p in processes.items() if p.exitcode not in (None, 0, -signal.SIGTERM)}
        failed = [e for e in pending if e[3] is broken and e[2].exception() is not None]
        holder = {e[0]: self.started[e[0] % len(self.started)] for e in failed}
        lost = [e for e in failed if holder[e[0]] in died]
        if lost:
            self.fruitless = 0
        elif died:  # died holding nothing of ours (between chunks, or starting): all run again
            self.fruitless += 1
        else:  # broken, and no worker found dead: blame what was being worked on
            lost = [e for e in failed if holder[e[0]]] or failed[:1]
        if self.fruitless > 2:
            raise InputError([Diagnostic(None, "B001", "the batch's worker processes keep dying before "
                                         "they check anything; the scenarios not listed above were not "
                                         "checked", "run it again, or with --jobs 1 to see why")])
        self.executor = self._new()
        for entry in failed:
            if any(entry is e for e in lost):
                entry[2] = Future()
                entry[2].set_result([worker_died(path) for path, _ in entry[1]])
            else:
                entry[:] = self.submit(entry[0], entry[1])

    def close(self) -> None:
        self.executor.shutdown(wait=True)

    def kill(self) -> None:
        """End every worker now, and the pool with them."""
        for process in list((getattr(self.executor, "_processes", None) or {}).values()):
            process.terminate()
        self.executor.shutdown(wait=True, cancel_futures=True)


def worker_died(path: str) -> Outcome:
    """The error record (B001) of a scenario whose worker died while it held it."""
    return _error(path, [Diagnostic(None, "B001", f"'{display_path(path)}' was not checked: the worker "
                                    "process that held it died (killed, or out of memory)",
                                    "check it on its own (forcecheck check FILE); the others went on")])


def _quiet_servers() -> None:
    """Start the fork server (and the resource tracker it needs) with standard output on
    /dev/null: they and every worker forked from them would otherwise hold the batch's output
    open, and a pipe reader would wait for them. Nothing is written meanwhile."""
    import sys
    from multiprocessing import forkserver

    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        forkserver.ensure_running()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)

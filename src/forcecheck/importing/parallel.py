"""`import --jobs N`: records built and checked in N processes, in the data's order.

The main process reads the rows and refuses ids (which needs every name seen so far); the
workers build each record's scenario and load it, as `records._record` does in one process.
Chunks of records go out a window at a time, so memory stays flat however long the file, and
come back in order; each chunk's counts of codes the mapping does not cover (and conflicts,
contradictions) are merged into the caller's.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from forcecheck.importing.mapping import Mapping, MappingModel
from forcecheck.importing.records import ImportResult, Task, Unmapped, _record, tasks
from forcecheck.policy.compiler import CompiledPolicy

CHUNK = 256  # records per task
_worker: tuple | None = None
_kinds: set[str] = set()  # kinds of record this worker has loaded in full


def _start(model: MappingModel, policy: str | None, as_lines: bool) -> None:
    from forcecheck.policy.load import load_policy

    global _worker
    _worker = (model, load_policy(policy), as_lines)


def _build(chunk: list[ImportResult | Task]) -> tuple[list[ImportResult], Unmapped]:
    assert _worker is not None
    model, compiled, as_lines = _worker
    unmapped = Unmapped(kinds=_kinds)
    out = [t if isinstance(t, ImportResult) else _record(model, compiled, unmapped, *t, as_lines)
           for t in chunk]
    return out, unmapped


def imported(mapping: Mapping, data: Path, compiled: CompiledPolicy, unmapped: Unmapped, as_lines: bool,
             jobs: int = 1, policy: str | None = None, strict: bool = False) -> Iterator[ImportResult]:
    """`records.import_records`, in `jobs` processes when more than one (each loading the policy
    named `policy`), in the data's order; with `strict`, columns the mapping neither reads nor
    ignores are refused."""
    found = tasks(mapping, data, unmapped, strict)
    if jobs <= 1:
        return (t if isinstance(t, ImportResult) else _record(mapping.model, compiled, unmapped, *t, as_lines)
                for t in found)
    return in_processes(found, mapping.model, policy, as_lines, unmapped, jobs)


def in_processes(tasks: Iterable[ImportResult | Task], model: MappingModel, policy: str | None,
                 as_lines: bool, unmapped: Unmapped, jobs: int) -> Iterator[ImportResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver" if "forkserver" in
                                          multiprocessing.get_all_start_methods() else "spawn")
    if context.get_start_method() == "forkserver":  # the server imports it once, before any fork
        context.set_forkserver_preload(["forcecheck.importing.parallel", "forcecheck.scenario.load"])
    it = iter(tasks)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start,
                             initargs=(model, policy, as_lines)) as pool:
        pending: deque = deque()
        while True:
            while len(pending) < 2 * jobs and (chunk := list(itertools.islice(it, CHUNK))):
                pending.append(pool.submit(_build, chunk))
            if not pending:
                return
            results, counted = pending.popleft().result()
            unmapped.merge(counted)
            yield from results

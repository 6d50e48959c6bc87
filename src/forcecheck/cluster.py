"""A batch on a Dask cluster (`check RECORDS --engine dask [--scheduler ADDRESS]`): the local
batch's records, from the same function, in the same order.

The input is cut into partitions of `PARTITION` scenarios. This process (the driver) reads
every file and JSON Lines line itself and ships the texts, so the workers need forcecheck
installed but not the files, nor the policy's folder: the policy is shipped too, as data (the
checked policy model, about 60 KB), once to each worker, and compiled there once per worker
process (`_partition` keeps it by the policy's digest). Each worker runs `batch.check_one`
on each scenario of a partition, as a local worker does, so records, summaries and rendered
diagnostics are the same bytes. At most `IN_FLIGHT` partitions per worker are out at a time
and outcomes are yielded in input order, so memory does not grow with the input.

Without a scheduler address a `LocalCluster` of worker processes (one thread each) is started
on this machine and closed at the end; with one, the batch connects to that cluster and leaves
it running. dask is imported only here, and this module only when `--engine dask` is asked for.

Faults: a worker that dies is dask's to handle: the scheduler gives its partitions to another
worker; a partition that has killed `distributed.scheduler.allowed-failures` + 1 workers gets
error records (B001), as the local batch gives the scenarios of a worker that died. A scheduler
lost mid-batch ends it with B002 after the records written so far.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from forcecheck.batch import Options, Outcome, Text, Unread, check_one, worker_died
from forcecheck.diagnostics import Diagnostic, InputError, display_path, remember_source
from forcecheck.policy.compiler import CompiledPolicy

PARTITION = 64  # scenarios a task checks: about 0.3 s of work, far above a task's overhead
IN_FLIGHT = 4  # partitions per worker submitted ahead of the one being written
CONNECT_TIMEOUT = 10  # seconds to reach a scheduler, and for it to have a worker


def _unavailable(message: str, hint: str) -> InputError:
    return InputError([Diagnostic(None, "U014", message, hint)])


def run(items: Iterable[tuple[str, Text]], options: Options, compiled: CompiledPolicy,
        scheduler: str | None = None, workers: int | None = None) -> Iterator[Outcome]:
    """Each (path, text or None) checked on a dask cluster, yielded in input order. Connects
    (or starts the local cluster of `workers` processes) before returning, so a missing dask or
    an unreachable scheduler is an InputError here, not midway through the output."""
    client, cluster = _connect(scheduler, workers)
    return _outcomes(client, cluster, items, options, compiled)


def _connect(scheduler: str | None, workers: int | None):
    try:
        import distributed
    except ImportError:
        raise _unavailable("--engine dask: dask's distributed scheduler is not installed",
                           "pip install 'forcecheck[dask]'") from None
    import logging

    # The batch's stderr is its diagnostics: dask's own notes stay out of it (errors still show).
    logging.getLogger("distributed").setLevel(logging.ERROR)
    if scheduler is None:
        with _quiet_stdout():  # the workers must not hold the batch's output open
            cluster = distributed.LocalCluster(
                n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.CRITICAL)
        return distributed.Client(cluster, set_as_default=False), cluster
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise _unavailable(f"--scheduler {scheduler}: no dask scheduler answers there ({exc})",
                           "start one (dask scheduler; dask worker ADDRESS), or leave --scheduler out "
                           "to run a local cluster") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise _unavailable(f"--scheduler {scheduler}: the scheduler has no worker ({exc})",
                           "start a worker: dask worker ADDRESS") from None
    return client, None


@contextlib.contextmanager
def _quiet_stdout():
    """Standard output on /dev/null while the local workers start, so that neither they nor
    their nannies' processes hold the batch's output (a pipe reader would wait for them)."""
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _outcomes(client, cluster, items: Iterable[tuple[str, Text]], options: Options,
              compiled: CompiledPolicy) -> Iterator[Outcome]:
    import signal
    import threading

    previous = None
    if threading.current_thread() is threading.main_thread():  # SIGTERM ends the cluster too
        previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        policy = client.scatter(compiled.policy, broadcast=True, hash=False)
        window = max(1, len(client.scheduler_info()["workers"])) * IN_FLIGHT
        pending: deque[tuple[list, object]] = deque()
        for part in _partitions(_shipped(items), PARTITION):
            sent = [(path, text, source) for path, text, source in part if not isinstance(text, Unread)]
            pending.append((part, client.submit(_partition, policy, options, sent, pure=False)))
            while len(pending) >= window:
                yield from _first(pending, compiled, options)
        while pending:
            yield from _first(pending, compiled, options)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _shipped(items: Iterable[tuple[str, Text]]) -> Iterator[tuple[str, Text, bool]]:
    """(name, text, whether it is a file's text) for each item, every file read here: a worker
    may be on a machine without it. A name is written as the user sees it (relative to this
    process's folder), since a worker's folder is not this one. A file that cannot be read is
    `Unread`, its record made here as the local batch's worker would make it."""
    from forcecheck.files import read_text
    from forcecheck.scenario.yamlsource import MAX_BYTES

    for path, text in items:
        name = display_path(path)
        if text is None:
            try:
                text = read_text(Path(name), MAX_BYTES, "S000", "scenario file")
            except InputError as exc:
                yield name, Unread(tuple(exc.diagnostics)), False
                continue
            yield name, text, True
        else:
            yield name, text, False


def _partitions(items: Iterator, size: int) -> Iterator[list]:
    part: list = []
    for item in items:
        part.append(item)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def _first(pending: deque, compiled: CompiledPolicy, options: Options) -> list[Outcome]:
    """The first partition's outcomes, in input order: the worker's, with the records of the
    items that could not be read made here, in their places."""
    from distributed import KilledWorker

    part, future = pending.popleft()
    try:
        done = iter(future.result())
    except KilledWorker:
        return [check_one(compiled, path, text, options) if isinstance(text, Unread) else worker_died(path)
                for path, text, _ in part]
    except (OSError, TimeoutError) as exc:  # the scheduler, or the connection to it, is gone
        for _, other in pending:
            other.cancel()
        pending.clear()
        raise InputError([Diagnostic(None, "B002", f"the batch lost its dask cluster ({exc}); the "
                                     "scenarios not listed above were not checked",
                                     "run it again, or on this machine with --jobs")]) from None
    return [check_one(compiled, path, text, options) if isinstance(text, Unread) else next(done)
            for path, text, _ in part]


# --- on a worker ------------------------------------------------------------------------------

_compiled: dict[str, CompiledPolicy] = {}  # this worker process's policy, by digest


def _partition(policy, options: Options, items: list[tuple[str, str, bool]]) -> list[Outcome]:
    """A worker's task: each scenario of a partition checked as the local batch checks it
    (`batch.check_one`), the policy compiled once per worker process."""
    key = policy.digest or str(id(policy))
    compiled = _compiled.get(key)
    if compiled is None:
        from forcecheck.policy.compiler import compile_policy

        _compiled.clear()  # one policy at a time: memory stays bounded
        compiled = _compiled[key] = compile_policy(policy)
    out = []
    for path, text, source in items:
        if source:  # a file's text: its diagnostics show its lines from it
            remember_source(str(Path(path)), text)
        out.append(check_one(compiled, path, text, options))
    return out

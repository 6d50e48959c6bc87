"""A batch under faults (December 2026 review, H2, M1, M6): killing its main process leaves no
process behind and closes its output; a worker that dies costs only the scenarios it held, each
an error record (B001), and the batch goes on; a JSON Lines file of scenarios is read a bounded
line at a time, an over-long line an error at its line number."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, SCENARIOS

TEACHING = sorted((SCENARIOS / "teaching").glob("*.yaml"))
needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def corpus(folder: Path, copies: int) -> list[Path]:
    """`copies` copies of the teaching scenarios: enough work to be mid-batch for a while."""
    folder.mkdir()
    out = []
    for i in range(copies):
        for path in TEACHING:
            out.append(folder / f"{i:03d}-{path.name}")
            shutil.copyfile(path, out[-1])
    return sorted(out)


def start(folder: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "forcecheck", "check", str(folder), "--jobs", "2",
                             "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), fields[0]


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := _stat(int(entry.name))) is not None:
            children.setdefault(st[0], []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def alive(pids: set[int]) -> set[int]:
    return {p for p in pids if (st := _stat(p)) is not None and st[1] != "Z"}


def read_all(stream, into: list) -> threading.Thread:
    thread = threading.Thread(target=lambda: into.append(stream.read()), daemon=True)
    thread.start()
    return thread


def running_batch(tmp_path: Path, copies: int = 30):
    """A batch well under way: (process, its first line, the processes under it)."""
    corpus(tmp_path / "corpus", copies)
    proc = start(tmp_path / "corpus")
    first = proc.stdout.readline()
    assert first, proc.stderr.read()
    tree = descendants(proc.pid)
    assert len(tree) >= 3, tree  # the fork server, the resource tracker, the workers
    return proc, first, tree


def settle(pids: set[int], seconds: float = 30) -> set[int]:
    """The processes of `pids` still running once they have had `seconds` to go (a bound, not a
    measurement: they normally go at once)."""
    end = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < end:
        time.sleep(0.1)
    return alive(pids)


@pytest.mark.slow  # a process pool
@needs_proc
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_the_batch_leaves_no_process_and_closes_its_output(tmp_path, how):
    proc, _, tree = running_batch(tmp_path)
    rest: list[bytes] = []
    reader = read_all(proc.stdout, rest)
    os.kill(proc.pid, how)
    code = proc.wait(timeout=60)
    reader.join(timeout=30)
    closed = not reader.is_alive()
    left = settle(tree)
    for pid in left:  # never leave them behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert closed, "the output was never closed: a pipe reader would wait for ever"
    assert left == set()
    if how == signal.SIGTERM:
        assert code == 128 + signal.SIGTERM
        assert b"Traceback" not in proc.stderr.read()


@pytest.mark.slow  # a process pool
@needs_proc
def test_a_worker_that_dies_costs_only_what_it_held_and_the_batch_goes_on(tmp_path):
    files = corpus(tmp_path / "corpus", 12)
    proc = start(tmp_path / "corpus")
    out: list[bytes] = []
    first = proc.stdout.readline()
    reader = read_all(proc.stdout, out)
    server = next(p for p in descendants(proc.pid) if b"forkserver" in Path(f"/proc/{p}/cmdline").read_bytes()
                  and _stat(p)[0] == proc.pid)
    worker = min(p for p in descendants(server))
    os.kill(worker, signal.SIGKILL)
    code = proc.wait(timeout=300)
    reader.join(timeout=60)
    err = proc.stderr.read().decode()
    assert "internal error" not in err and "Traceback" not in err
    recs = [json.loads(line) for line in (first + out[0]).splitlines()]
    assert [r["path"].rsplit("/", 1)[-1] for r in recs] == [f.name for f in files]  # every one, in order
    died = [r for r in recs if "errors" in r]
    assert all(r["errors"][0]["code"] == "B001" for r in died)
    assert all("verdicts" in r for r in recs if "errors" not in r)
    assert len(died) <= 2 * 16  # at most the chunks the dead worker held, never the rest
    assert code == (2 if died else 1)
    if died:
        assert "error[B001]" in err and "was not checked: the worker process that held it died" in err


def test_a_batch_longer_than_a_generation_of_workers_finishes_in_order():
    # Workers are replaced every RECYCLE chunks each. With the standard library's own
    # max_tasks_per_child (CPython 3.11 to 3.13.9) a worker reaching the limit while work was
    # queued was not replaced, and the batch waited forever: here, with tiny generations, a
    # hang is a timeout, and the records must match one process's, in input order. A new
    # generation starts only once every worker of the one before has ended: overlapping them
    # held two generations' memory at once (the batch's peak doubled from 1,000 to 5,000 files).
    script = """
import sys
from pathlib import Path
import forcecheck.batch as b
b.RECYCLE, b.CHUNK = 2, 1
made, alive = [], []
new = b._Pool._new
def watched(self):
    if made:
        alive.append(sum(p.is_alive() for p in list(made[-1].values())))
    executor = new(self)
    made.append(executor._processes)
    return executor
b._Pool._new = watched
items = [(str(f), None) for f in sorted(Path(sys.argv[1]).glob("*.yaml"))]
one = [o.line for o in b.run(items, b.Options(), jobs=1)]
two = [o.line for o in b.run(items, b.Options(), jobs=2)]
print(len(two), one == two, len(alive), max(alive))
"""
    teaching = SCENARIOS / "teaching"
    run = subprocess.run([sys.executable, "-c", script, str(teaching)], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    count, same, generations, overlapping = run.stdout.split()
    assert int(count) == len(list(teaching.glob("*.yaml"))) > 3 * 2 * 2  # several generations
    assert same == "True"
    assert int(generations) >= 2 and overlapping == "0"


def test_b001_is_the_record_of_a_scenario_a_dead_worker_held():
    from forcecheck.batch import worker_died

    outcome = worker_died("corpus/a.yaml")
    rec = json.loads(outcome.line)
    assert outcome.status == "error" and rec["errors"][0]["code"] == "B001"
    assert "forcecheck explain" not in outcome.diagnostics  # it has its own hint


# --- M6: JSON Lines of scenarios, a bounded line at a time ------------------------------------------

def test_an_over_long_jsonl_line_is_an_error_at_its_line_and_the_others_go_on(cli, tmp_path):
    good = json.dumps(_scenario(TEACHING[0]))
    path = tmp_path / "scenarios.jsonl"
    path.write_text(good + "\n" + "x" * 1_000_001 + "\n\n" + good + "\n", encoding="utf-8")
    run = cli("check", str(path), "--format", "json")
    recs = [json.loads(line) for line in run.out.splitlines()]
    assert [r["path"].rsplit(":", 1)[-1] for r in recs] == ["1", "2", "4"]
    assert "verdicts" in recs[0] and "verdicts" in recs[2]
    error = recs[1]["errors"][0]
    assert (error["code"], error["line"]) == ("Y004", 2)
    assert "scenarios.jsonl:2:1: error[Y004]: line 2 is longer than 1000000 bytes" in run.err
    assert run.code == 2


def test_a_jsonl_file_that_cannot_be_read_is_an_error_record_and_the_others_go_on(cli, tmp_path):
    os.mkfifo(tmp_path / "pipe.jsonl")  # would block a plain open()
    good = tmp_path / "a.yaml"
    shutil.copyfile(TEACHING[0], good)
    run = cli("check", str(tmp_path / "pipe.jsonl"), str(good), "--format", "json")
    recs = [json.loads(line) for line in run.out.splitlines()]
    assert recs[0]["errors"][0]["code"] == "S000" and "verdicts" in recs[1]
    assert run.code == 2


@pytest.mark.slow  # reads a 1.2 GB (sparse) file
@pytest.mark.skipif(not hasattr(os, "truncate") or sys.platform != "linux", reason="Linux rlimits")
def test_a_huge_jsonl_line_is_never_held_in_memory(tmp_path):
    import resource

    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as fh:
        fh.truncate(1_200_000_000)  # one line of NULs: no disk used
    cap = 1 << 30  # less than the line

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run([sys.executable, "-m", "forcecheck", "check", str(path)], capture_output=True,
                         text=True, env=env, preexec_fn=limit, check=False)
    assert run.returncode == 2, run.stderr
    assert "huge.jsonl:1:1: error[Y004]: line 1 is longer than 1000000 bytes" in run.stderr


def _scenario(path: Path) -> dict:
    from forcecheck.scenario.yamlsource import load_yaml

    return load_yaml(path, path.read_text(encoding="utf-8")).data

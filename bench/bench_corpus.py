"""An incident database end to end: import it through its mapping, check every record in a
batch, and build the corpus report, timing each step; the baseline, in the same run, is
reading the database with Python's csv module. Import and check are each timed in one process
and with --jobs, so "import at least as fast as check on the same records" is measured like
with like, and the whole path (import, check, report with --jobs) is held against the bar of
15 s for the 5,475-record database on 2 cores.

    python bench/bench_corpus.py [DATA] [--mapping wapo-2015] [--jobs 2] [--repeat 1] [--baseline SRC]

DATA defaults to The Washington Post's database in ../shared/data (not shipped: its licence
forbids it, so this benchmark runs where that folder is present). Everything it writes goes
to a temporary folder and is deleted. The peak memory is the largest resident set of any
process a step ran (its workers included).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "wapo-fatal-police-shootings-2015-2020.csv"
BAR_SECONDS = 15.0


def timed(cmd: list[str], stdout=None, repeat: int = 1, env: dict[str, str] | None = None) \
        -> tuple[float, int]:
    """The best wall time of `repeat` runs (the machine is shared), and the last exit code."""
    best, code = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        if stdout is not None:
            stdout.seek(0)
            stdout.truncate()
        code = subprocess.run(cmd, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              check=False, env=env).returncode
        best = min(best, time.perf_counter() - start)
    return best, code


def versions(baseline: Path | None, tmp: Path) -> list[tuple[str, dict[str, str]]]:
    """(name, environment) of this checkout and of `baseline` (another checkout's src folder),
    each with its own policy cache."""
    out = []
    for name, src in [("this", ROOT / "src"), *([("baseline", baseline.resolve())] if baseline else [])]:
        env = {**os.environ, "PYTHONPATH": str(src), "XDG_CACHE_HOME": str(tmp / f"cache-{name}")}
        out.append((name, env))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--mapping", default="wapo-2015")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="runs per step; the best is kept")
    ap.add_argument("--baseline", type=Path, help="another checkout's src folder, run step by step "
                    "alongside (taking turns), e.g. the commit before a change")
    args = ap.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"{args.data} is not here: give the database's path")
    fc = [sys.executable, "-m", "forcecheck"]
    start = time.perf_counter()
    with args.data.open(encoding="utf-8") as f:
        rows = sum(1 for _ in csv.DictReader(f))
    base = time.perf_counter() - start
    steps: list[tuple[str, dict[str, tuple[float, int]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = versions(args.baseline, Path(tmp))
        for _name, env in runs:  # each version's policy cache, warmed before anything is timed
            subprocess.run([*fc, "clauses"], stdout=subprocess.DEVNULL, env=env, check=True)
        scenarios, records = Path(tmp) / "scenarios.jsonl", Path(tmp) / "records.jsonl"
        imp = [*fc, "import", str(args.data), "--mapping", args.mapping, "--output", str(scenarios)]
        chk = [*fc, "check", str(scenarios), "--format", "json"]
        corpus = [*fc, "corpus", str(records), "--format", "html", "--by", "year",
                  "--output", str(Path(tmp) / "c.html")]
        jobs = ["--jobs", str(args.jobs)]
        plan = [("import, 1 process", imp, False), ("check, 1 process", chk, True),
                (f"import --jobs {args.jobs}", [*imp, *jobs], False),
                (f"check --jobs {args.jobs}", [*chk, *jobs], True),
                ("corpus report (HTML, --by year)", corpus, False)]
        for label, cmd, sink in plan:
            got = {}
            for name, env in runs:  # taking turns: the same file, each version's own output
                if sink:
                    with records.open("w+", encoding="utf-8") as out:
                        got[name] = timed(cmd, out, args.repeat, env)
                else:
                    got[name] = timed(cmd, None, args.repeat, env)
            steps.append((label, got))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"| step | time | records/s | ms a record | × reading the CSV ({base * 1000:.0f} ms for "
          f"{rows:,} rows) | exit |" + (" baseline | baseline / this |" if args.baseline else ""))
    print("|---|---|---|---|---|---|" + ("---|---|" if args.baseline else ""))
    for name, got in steps:
        t, code = got["this"]
        row = f"| {name} | {t:.1f} s | {rows / t:,.0f} | {1000 * t / rows:.2f} | {t / base:,.0f}x | {code} |"
        if args.baseline:
            row += f" {got['baseline'][0]:.1f} s | {got['baseline'][0] / t:.1f}x |"
        print(row)
    this = [got["this"][0] for _, got in steps]
    total = min(this[0], this[2]) + min(this[1], this[3]) + this[4]
    verdict = "within" if total < BAR_SECONDS else "OVER"
    print(f"| import + check + report, each the faster way | {total:.1f} s | | | | {verdict} the bar of "
          f"{BAR_SECONDS:.0f} s |")
    print(f"\nimport / check, 1 process: {this[0] / this[1]:.2f}; with --jobs {args.jobs}: "
          f"{this[2] / this[3]:.2f} (at most 1: import as fast as check or faster). "
          f"Peak memory of any step: {peak:.0f} MB.")


if __name__ == "__main__":
    main()

"""An incident database end to end: import it through its mapping, check every record in a
batch, and build the corpus report, timing each step; the baseline, in the same run, is
reading the database with Python's csv module.

    python bench/bench_corpus.py [DATA] [--mapping mappings/wapo-2015.yaml] [--jobs 2]

DATA defaults to The Washington Post's database in ../shared/data (not shipped: its licence
forbids it, so this benchmark runs where that folder is present). Everything it writes goes
to a temporary folder and is deleted.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "wapo-fatal-police-shootings-2015-2020.csv"


def timed(cmd: list[str], stdout=None) -> tuple[float, int]:
    start = time.perf_counter()
    code = subprocess.run(cmd, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          check=False).returncode
    return time.perf_counter() - start, code


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--mapping", type=Path, default=ROOT / "mappings" / "wapo-2015.yaml")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"{args.data} is not here: give the database's path")
    fc = [sys.executable, "-m", "forcecheck"]
    start = time.perf_counter()
    with args.data.open(encoding="utf-8") as f:
        rows = sum(1 for _ in csv.DictReader(f))
    base = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        out, records = Path(tmp) / "scenarios", Path(tmp) / "records.jsonl"
        t_import, c1 = timed([*fc, "import", str(args.data), "--mapping", str(args.mapping),
                              "--output", str(out)])
        with records.open("w", encoding="utf-8") as sink:
            t_check, c2 = timed([*fc, "check", str(out), "--jobs", str(args.jobs), "--format", "json"], sink)
        t_report, c3 = timed([*fc, "corpus", str(records), "--format", "html",
                              "--output", str(Path(tmp) / "c.html")])
    print(f"| step | time | records/s | × reading the CSV ({base * 1000:.0f} ms for {rows:,} rows) | exit |")
    print("|---|---|---|---|---|")
    for name, t, code in (("import", t_import, c1), (f"check --jobs {args.jobs}", t_check, c2),
                          ("corpus report (HTML)", t_report, c3)):
        print(f"| {name} | {t:.1f} s | {rows / t:,.0f} | {t / base:,.0f}x | {code} |")
    print(f"| all three | {t_import + t_check + t_report:.1f} s | | | |")


if __name__ == "__main__":
    main()

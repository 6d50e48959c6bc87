"""Batch checks: files per second and peak memory of `forcecheck check DIR --jobs N --format json`
over a seeded corpus of teaching-size scenarios (`corpus.py`), for growing N files.

    python bench/bench_batch.py [--files 1000,5000,20000] [--jobs 2] [--baseline SRC]

Peak memory is the largest sum of the resident sizes of the command and its worker processes,
sampled every 20 ms. The baseline, measured in the same run on the same files, is reading and
parsing every file with libyaml (PyYAML's CSafeLoader) in one process: the floor of any tool
that reads these files in Python. Memory is flat when the peak at the largest N is within 10%
of the peak at the smallest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from corpus import write  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
PARSE = ("import sys, yaml, pathlib\n"
         "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):\n"
         "    yaml.load(p.read_text(encoding='utf-8'), Loader=yaml.CSafeLoader)\n")


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * PAGE
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(wall seconds, peak resident bytes of the process tree, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.02)
    return time.perf_counter() - start, peak, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", default="1000,5000,20000")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--baseline", type=Path, help="another checkout's src folder: its check of the "
                    "same files, run after this one's, as a ratio")
    args = ap.parse_args()
    sizes = [int(x) for x in args.files.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        made = 0
        for n in sizes:
            write(n, folder, start=made)
            made = n
            check = [sys.executable, "-m", "forcecheck", "check", str(folder), "--jobs", str(args.jobs),
                     "--format", "json"]
            wall, peak, code = measure(check)
            base, _, _ = measure([sys.executable, "-c", PARSE, str(folder)])
            before = None
            if args.baseline:
                env = {**os.environ, "PYTHONPATH": str(args.baseline.resolve()),
                       "XDG_CACHE_HOME": str(Path(tmp) / "cache-baseline")}
                measure([sys.executable, "-m", "forcecheck", "clauses"], env)  # its policy cache
                before = measure(check, env)[0]
            rows.append((n, wall, peak, code, base, before))
            print(f"{n} files: {wall:.2f} s, {n / wall:.0f} files/s, peak {peak / 2**20:.0f} MiB, "
                  f"exit {code}; libyaml parse alone {n / base:.0f} files/s", file=sys.stderr)
    first_peak = rows[0][2]
    extra = " baseline | baseline / this |" if args.baseline else ""
    print(f"| files | check --jobs {args.jobs} | files/s | × target (2,000/s) | peak memory | "
          "× peak at the smallest N | libyaml parse alone, files/s | check ÷ parse |" + extra)
    print("|---|---|---|---|---|---|---|---|" + ("---|---|" if args.baseline else ""))
    for n, wall, peak, _, base, before in rows:
        line = (f"| {n:,} | {wall:.1f} s | {n / wall:,.0f} | {n / wall / 2000:.2f} | "
                f"{peak / 2**20:.0f} MiB | {peak / first_peak:.2f} | {n / base:,.0f} | {wall / base:.1f}x |")
        if before is not None:
            line += f" {before:.1f} s | {before / wall:.2f}x |"
        print(line)



if __name__ == "__main__":
    main()

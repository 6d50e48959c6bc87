"""A batch on a dask cluster against the local batch, in the same run: files per second, peak
memory and the bytes written by `forcecheck check RECORDS.jsonl --format json` with
`--engine dask --jobs N` (a LocalCluster of N worker processes, started by the command) and
with `--jobs N` (the local process pool), over a seeded JSON Lines input of N records
(`corpus.py`'s random teaching-size scenarios).

    python bench/bench_dask.py [--records 20000] [--jobs 2] [--rounds 1]

Each round runs the local batch, then the dask one, on the same input; the figures are the
median over the rounds and the ratio is dask's to the local batch's measured in the same run.
Wall time includes each command's start-up (for dask, starting the cluster: a few seconds).
The two outputs must be the same bytes (their SHA-256 is compared), or the run stops. Peak
memory is the largest sum of the resident sizes of the command and its descendants (the
workers, the fork server, the dask nannies), sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_batch import tree_rss  # noqa: E402
from corpus import scenario  # noqa: E402


def write_jsonl(n: int, path: Path) -> None:
    """N scenarios of the corpus, one JSON object a line (as `import --output X.jsonl` writes)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps(yaml.load(scenario(i), Loader=loader), ensure_ascii=False) + "\n")


def measure(cmd: list[str]) -> tuple[float, int, int, str, int]:
    """(wall seconds, peak resident bytes of the process tree, exit code, SHA-256 of stdout,
    bytes of stdout)."""
    digest, size = hashlib.sha256(), [0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def drain() -> None:
        while chunk := proc.stdout.read(1 << 20):
            digest.update(chunk)
            size[0] += len(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.05)
    reader.join()
    return time.perf_counter() - start, peak, proc.returncode, digest.hexdigest(), size[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    n = args.records
    base = [sys.executable, "-m", "forcecheck", "check"]
    runs: dict[str, list[tuple[float, int]]] = {"local": [], "dask": []}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "records.jsonl"
        t = time.perf_counter()
        write_jsonl(n, data)
        print(f"{n:,} records written in {time.perf_counter() - t:.1f} s "
              f"({data.stat().st_size / 2**20:.0f} MiB)", file=sys.stderr)
        for r in range(args.rounds):
            seen = {}
            for engine, extra in (("local", []), ("dask", ["--engine", "dask"])):
                cmd = [*base, str(data), "--format", "json", "--jobs", str(args.jobs), *extra]
                wall, peak, code, sha, size = measure(cmd)
                seen[engine] = (code, sha, size)
                runs[engine].append((wall, peak))
                print(f"round {r + 1} {engine}: {wall:.1f} s, {n / wall:,.0f} records/s, peak "
                      f"{peak / 2**20:.0f} MiB, exit {code}, {size / 2**20:.0f} MiB out", file=sys.stderr)
            if seen["local"] != seen["dask"]:
                sys.exit(f"the outputs differ: {seen}")
    local = statistics.median(w for w, _ in runs["local"])
    dask = statistics.median(w for w, _ in runs["dask"])
    print(f"| {n:,} records, {args.jobs} workers | wall | records/s | peak memory | ÷ local |")
    print("|---|---|---|---|---|")
    for name, wall, rows in (("`--jobs`", local, runs["local"]), ("`--engine dask`", dask, runs["dask"])):
        peak = max(p for _, p in rows)
        print(f"| {name} | {wall:.1f} s | {n / wall:,.0f} | {peak / 2**20:.0f} MiB | {wall / local:.2f}x |")


if __name__ == "__main__":
    main()

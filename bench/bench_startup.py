"""Start-up cost: `forcecheck check` on one scenario against a bare typer command.

Each command runs as a fresh process N times; the median wall time is reported, with the
ratio to the bare typer command measured in the same run.

    python bench/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOAD = ("import time\nimport forcecheck.policy.load as p\n"
        "import forcecheck.policy.cache, forcecheck.policy.compiler\n"
        "t = time.perf_counter(); p.load_policy(None); print((time.perf_counter() - t) * 1000)\n")
BARE = "import typer\napp = typer.Typer()\n@app.command()\ndef main() -> None:\n    pass\napp()\n"


def median_ms(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    runs = ap.parse_args().runs
    py = sys.executable
    scenario = str(ROOT / "scenarios" / "real" / "minneapolis-2026-01-07.yaml")
    bare = median_ms([py, "-c", BARE], runs)
    rows = [
        ("python -c pass", median_ms([py, "-c", "pass"], runs)),
        ("bare typer command", bare),
        ("forcecheck --help", median_ms([py, "-m", "forcecheck", "--help"], runs)),
        ("forcecheck clauses", median_ms([py, "-m", "forcecheck", "clauses"], runs)),
        ("forcecheck check (1 scenario)", median_ms([py, "-m", "forcecheck", "check", scenario], runs)),
    ]
    for name, ms in rows:
        print(f"{name:32s} {ms:7.1f} ms   x{ms / bare:.2f} of bare typer")
    # The policy from its cache (filled by the runs above), timed inside fresh processes,
    # the modules already imported.
    load = [float(subprocess.run([py, "-c", LOAD], capture_output=True, text=True, check=True).stdout)
            for _ in range(runs)]
    print(f"{'policy load from the cache':32s} {statistics.median(load):7.1f} ms   (target: under 10 ms)")


if __name__ == "__main__":
    main()

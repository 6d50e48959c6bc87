"""Start-up cost: `forcecheck check` on one scenario (text, and JSON), `clauses` and `--help`
against a bare typer command.

Every command runs as a fresh process N times, the commands taking turns (round robin, so a
burst of other work on the machine falls on all of them alike); the median is reported with
its ratio to the bare typer command measured in the same run, both as CPU time of the process
(user + system: on a shared machine wall time measures the other work as much as this one)
and as wall time. `--baseline SRC` also runs forcecheck's commands from another checkout's
`src` folder in the same rounds (e.g. `git archive HEAD | tar -x -C /tmp/head`, then
`--baseline /tmp/head/src`), each with its own policy cache.

Every command runs from compiled bytecode, as an installed forcecheck does (pip compiles the
modules it installs; a checkout writes `__pycache__` on its first run): the bytecode goes to a
temporary folder (PYTHONPYCACHEPREFIX), written by one run of every command before the rounds,
even where PYTHONDONTWRITEBYTECODE is set. Without that, every run of a checkout compiled
forcecheck's sources again (about 70 ms of a teaching case's check on this machine) while
typer, pydantic and rich ran from their bytecode. `--no-bytecode` measures that way anyway.

    python bench/bench_startup.py [--runs N] [--baseline SRC] [--no-bytecode]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOAD = ("import time\nimport forcecheck.policy.load as p\n"
        "import forcecheck.policy.cache, forcecheck.policy.compiler\n"
        "t = time.perf_counter(); p.load_policy(None); print((time.perf_counter() - t) * 1000)\n")
BARE = "import typer\napp = typer.Typer()\n@app.command()\ndef main() -> None:\n    pass\napp()\n"
TEACHING = ROOT / "scenarios" / "teaching" / "knife-advancing.yaml"
MINNEAPOLIS = ROOT / "scenarios" / "real" / "minneapolis-2026-01-07.yaml"
FORCECHECK = [
    ("forcecheck --help", ["--help"]),
    ("forcecheck clauses", ["clauses"]),
    ("check (teaching case)", ["check", str(TEACHING)]),
    ("check --format json (teaching)", ["check", str(TEACHING), "--format", "json"]),
    ("check (Minneapolis)", ["check", str(MINNEAPOLIS)]),
]


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU milliseconds of one fresh process, its output discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--baseline", type=Path, help="another checkout's src folder, measured alongside")
    ap.add_argument("--no-bytecode", action="store_true",
                    help="compile the sources in every run (PYTHONDONTWRITEBYTECODE, no bytecode folder)")
    args = ap.parse_args()
    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    base_env = dict(os.environ)
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"):
        base_env.pop(name, None)
    base_env.update({"PYTHONDONTWRITEBYTECODE": "1"} if args.no_bytecode
                    else {"PYTHONPYCACHEPREFIX": str(tmp / "bytecode")})
    versions = [("this", ROOT / "src"), *([("baseline", args.baseline.resolve())] if args.baseline else [])]
    rows: list[tuple[str, list[str], dict[str, str]]] = [
        ("python -c pass", [py, "-c", "pass"], base_env),
        ("bare typer command", [py, "-c", BARE], base_env),
    ]
    for _, cmd, env in rows:  # this writes their bytecode, as a run of forcecheck's commands does
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
    for version, src in versions:
        env = {**base_env, "PYTHONPATH": str(src), "XDG_CACHE_HOME": str(tmp / version)}
        suffix = f" [{version}]" if args.baseline else ""
        for name, argv in FORCECHECK:  # each must run (this also fills the policy cache)
            code = subprocess.run([py, "-m", "forcecheck", *argv], env=env, stdout=subprocess.DEVNULL,
                                  check=False).returncode
            if code not in (0, 1):  # 1: a clause breached; 2 and above: an error
                sys.exit(f"{name} [{version}] exited with {code}")
            rows.append((name + suffix, [py, "-m", "forcecheck", *argv], env))
    times: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in rows}
    for _ in range(args.runs):
        for name, cmd, env in rows:
            times[name].append(run_once(cmd, env))
    cpu = {name: statistics.median(c for _, c in t) for name, t in times.items()}
    wall = {name: statistics.median(w for w, _ in t) for name, t in times.items()}
    bare = "bare typer command"
    print(f"{'':44s} {'CPU':>9s} {'ratio':>6s} {'wall':>9s} {'ratio':>6s}   (medians of {args.runs} runs)")
    for name, _, _ in rows:
        print(f"{name:44s} {cpu[name]:6.1f} ms {cpu[name] / cpu[bare]:5.2f}x "
              f"{wall[name]:6.1f} ms {wall[name] / wall[bare]:5.2f}x")
    # The policy from its cache (filled by the runs above), timed inside fresh processes,
    # the modules already imported.
    env = {**base_env, "PYTHONPATH": str(ROOT / "src"), "XDG_CACHE_HOME": str(tmp / "this")}
    load = [float(subprocess.run([py, "-c", LOAD], capture_output=True, text=True, check=True,
                                 env=env).stdout) for _ in range(args.runs)]
    print(f"{'policy load from the cache':44s} {statistics.median(load):6.1f} ms   (target: under 10 ms)")


if __name__ == "__main__":
    main()

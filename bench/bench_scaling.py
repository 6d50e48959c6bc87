"""How `forcecheck check` and `validate` grow with a scenario's events, people and accounts: the
curves of the reliability reviews' scaling cases (shared/reviews/reliability-2026-11.md H4 and
reliability-2026-12.md H3), up to the size limit (600 people and events over the accounts).

    python bench/bench_scaling.py [--series events,exchange,people,accounts] [--quick]
                                  [--commands check,json,full,validate]
                                  [--baseline SRC] [--timeout SECONDS] [--write README]

The generated scenarios are the reviews': an officer firing N times at one person (two
accounts, one stating one fact); an exchange of fire, the subject and the officer firing at each
other N times each (every "had the person fired at someone before this shot" reads the earlier
shots); N people (half of them officers) and one use of force; N accounts disputing ten shots
by another person and one by the officer. Each command runs as the command line runs it, in a
fresh process, so a point's time includes start-up and its peak memory (the process's maximum
resident size) is its own: `check` (the default text report), `check --format json` (json),
`check --format json --explain full` (full: every trace and explanation) and `validate`.

A time is the process's CPU time (user and system), which other work on a shared machine
disturbs far less than its wall time. Each is given as a ratio to the smallest point of its
series, measured in the same run, with the cost per item (people and events summed over the
accounts) beside it, which stays flat when the growth is linear. `--baseline SRC` also runs
every point with another checkout's
`src` folder (e.g. `git archive HEAD | tar -x -C /tmp/head`, then `--baseline /tmp/head/src`),
each with a cache folder of its own, and gives this checkout's time as a ratio to it; a run
past `--timeout` is stopped and shown as `>` the timeout. "cut" is the number of the
analysis's searches the work budget stopped (from the JSON report), 0 when it is complete.
`--write README` puts the table in that file between its `<!-- scaling -->` and
`<!-- /scaling -->` lines (bench/README.md's table is made so), with the command that made it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEAD = "id: gen\ntitle: generated\nkind: teaching\nsummary: s\n"
TWO = "people:\n- {id: o, role: officer, description: d}\n- {id: s, role: subject, description: d}\n"
EVENT = "- {{id: {id}, actor: {actor}, action: fire_firearm, target: {target}, description: d{more}}}\n"


def events(n: int) -> str:
    out = [HEAD, TWO, "events:\n"]
    out += [EVENT.format(id=f"e{i}", actor="o", target="s", more="") for i in range(n)]
    out.append("undisputed:\n  facts:\n    o.on_duty: yes\naccounts:\n- {id: a, name: A}\n"
               "- {id: b, name: B, facts: {e0.aimed_at_person: yes}}\n")
    return "".join(out)


def exchange(n: int) -> str:
    out = [HEAD, TWO, "events:\n"]
    for i in range(n):
        out.append(EVENT.format(id=f"x{i}", actor="s", target="o", more=""))
        out.append(EVENT.format(id=f"y{i}", actor="o", target="s", more=""))
    out.append("undisputed:\n  facts:\n    o.on_duty: yes\naccounts:\n- {id: a, name: A}\n"
               "- {id: b, name: B, facts: {x0.aimed_at_person: yes}}\n")
    return "".join(out)


def people(n: int) -> str:
    out = [HEAD, "people:\n"]
    out += [f"- {{id: p{i}, role: {'officer' if i % 2 else 'subject'}, description: d}}\n" for i in range(n)]
    out.append("events:\n- {id: e, actor: p1, action: physical_force, target: p0, description: d}\n"
               "accounts:\n- {id: a, name: A}\n")
    return "".join(out)


def accounts(n: int, shots: int = 10) -> str:
    out = [HEAD, TWO, "events:\n"]
    out += [EVENT.format(id=f"x{i}", actor="s", target="o", more="") for i in range(shots)]
    odd = ", ".join(f"a{i}" for i in range(n) if i % 2)
    out.append(EVENT.format(id="shots", actor="o", target="s", more=f", accounts: [{odd}]"))
    out.append("undisputed:\n  facts:\n    o.on_duty: yes\naccounts:\n")
    for i in range(n):
        out.append(f"- id: a{i}\n  name: Account {i}\n  facts:\n")
        for j in range(shots):
            out.append(f"    x{j}.aimed_at_person: {'no' if (i + j) % 3 else 'yes' if i % 2 else 'no'}\n")
        out.append("    shots.threat_of_death_or_serious_injury: no\n    shots.subject_fleeing: yes\n"
                   if i % 2 else "    o.knew_of_improper_force: yes\n")
    return "".join(out)


# The largest points are at or near the size limit (600 people and events over the accounts).
SERIES = {"events": (events, [10, 25, 50, 100, 200, 290]), "exchange": (exchange, [5, 10, 20, 40]),
          "people": (people, [10, 30, 100, 590]), "accounts": (accounts, [2, 6, 20, 40])}
QUICK = {"events": [5, 10], "exchange": [2, 4], "people": [10, 30], "accounts": [2, 6]}
COMMANDS = {"check": ["check"], "json": ["check", "--format", "json"],
            "full": ["check", "--format", "json", "--explain", "full"], "validate": ["validate"]}
CLI = "import sys; from forcecheck.cli.app import main; sys.argv[0] = 'forcecheck'; main()"


def items(text: str) -> int:
    """People and events summed over the accounts (the quantity the size limit bounds)."""
    import yaml

    doc = yaml.safe_load(text)
    ids = [a["id"] for a in doc["accounts"]]
    return sum(sum(1 for x in doc.get(group) or () if x.get("accounts") is None or a in x["accounts"])
               for a in ids for group in ("people", "events"))


def measure(src: Path, cache: Path, command: str, path: Path, timeout: float) -> dict:
    """Time, peak resident size and (for json) the analysis cut of one command in a fresh
    process running the checkout at `src`."""
    env = {**os.environ, "PYTHONPATH": str(src), "XDG_CACHE_HOME": str(cache)}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", CLI, *COMMANDS[command], str(path)], env=env,
                                stdout=out, stderr=subprocess.DEVNULL)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                return {"time": None, "peak": None, "cut": None}
            time.sleep(0.01)
        # CPU seconds (user + system) of the process: on a shared machine its wall time
        # measures the other work as much as this one.
        elapsed = usage.ru_utime + usage.ru_stime
        proc.returncode = os.waitstatus_to_exitcode(status)
        cut = None
        if command in ("json", "full") and proc.returncode in (0, 1):  # the last field of the scenario
            out.seek(max(0, out.seek(0, 2) - 4096))  # (the report is not loaded: a child forked
            found = re.findall(rb'"analysis_cut": ?(\d+)', out.read())  # later counts our size)
            cut = int(found[-1]) if found else None
    return {"time": elapsed, "peak": usage.ru_maxrss * 1024, "cut": cut}


def _warm(src: Path, cache: Path, tmp: Path) -> None:
    """One small check first, so that no point pays for building the policy cache."""
    path = tmp / "warm.yaml"
    path.write_text(events(1), encoding="utf-8")
    measure(src, cache, "check", path, 120)


def _seconds(t: float | None, timeout: float) -> str:
    return f">{timeout:.0f} s" if t is None else f"{t:.2f} s"


def _row(series: str, n: int, count: int, command: str, got: dict, first: tuple | None,
         timeout: float) -> str:
    this = got["this"]
    t = this["time"]
    ratio = f"{t / first[0]:.1f}x" if t is not None and first else ""
    per = f"{t / count / (first[0] / first[1]):.2f}x" if t is not None and first else ""
    peak = f"{this['peak'] / 2**20:.0f} MB" if this["peak"] else ""
    cut = "" if this["cut"] is None else str(this["cut"])
    row = (f"| {series} | {n} | {count} | {command} | {_seconds(t, timeout)} | {ratio} | {per} | {peak} "
           f"| {cut} |")
    if "baseline" in got:
        b = got["baseline"]
        peak = f"{b['peak'] / 2**20:.0f} MB" if b["peak"] else ""
        speed = "" if t is None else f"{'>' if b['time'] is None else ''}{(b['time'] or timeout) / t:.1f}x"
        row += f" {_seconds(b['time'], timeout)} | {peak} | {speed} |"
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--series", default="events,exchange,people,accounts")
    ap.add_argument("--commands", default="check,json,validate")
    ap.add_argument("--quick", action="store_true", help="two small points per series")
    ap.add_argument("--baseline", type=Path, help="another checkout's src folder, measured alongside")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds before a run is stopped")
    ap.add_argument("--write", type=Path, help="put the table in this file, between its <!-- scaling --> "
                    "and <!-- /scaling --> lines")
    args = ap.parse_args(argv)
    lines: list[str] = []

    def emit(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    versions = [("this", ROOT / "src"), *([("baseline", args.baseline.resolve())] if args.baseline else [])]
    emit("| series | N | items | command | time | ratio to the first | per item | peak memory | cut |"
         + (" baseline time | baseline peak | baseline / this |" if args.baseline else ""))
    emit("|---|---|---|---|---|---|---|---|---|" + ("---|---|---|" if args.baseline else ""))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        caches = {name: tmp / f"cache-{name}" for name, _ in versions}
        for name, src in versions:
            _warm(src, caches[name], tmp)
        for series in args.series.split(","):
            make, sizes = SERIES[series]
            for command in args.commands.split(","):
                first = None
                for n in QUICK[series] if args.quick else sizes:
                    path = tmp / f"{series}-{n}.yaml"
                    path.write_text(make(n), encoding="utf-8")
                    count = items(path.read_text(encoding="utf-8"))
                    got = {name: measure(src, caches[name], command, path, args.timeout)
                           for name, src in versions}
                    t = got["this"]["time"]
                    first = first or ((t, count) if t is not None else None)
                    emit(_row(series, n, count, command, got, first, args.timeout))
    if args.write is not None:
        made = "python bench/bench_scaling.py " + " ".join(argv if argv is not None else sys.argv[1:])
        write_table(args.write, lines, made)


def write_table(path: Path, lines: list[str], command: str) -> None:
    """Replace what lies between the `<!-- scaling -->` and `<!-- /scaling -->` lines of `path`
    with the table and the command that made it (the markers stay)."""
    text = path.read_text(encoding="utf-8")
    start, end = "<!-- scaling -->\n", "<!-- /scaling -->"
    if start not in text or end not in text:
        raise SystemExit(f"{path}: no '<!-- scaling -->' ... '<!-- /scaling -->' lines to write between")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    body = f"Made by `{command.strip()}`:\n\n" + "\n".join(lines) + "\n"
    path.write_text(head + start + body + end + tail, encoding="utf-8")


if __name__ == "__main__":
    main()

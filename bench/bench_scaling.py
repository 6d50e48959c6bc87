"""How `check` grows with a scenario's events, people and accounts: the curves of the
reliability review's scaling cases (shared/reviews/reliability-2026-11.md, H4), each point a
ratio to the smallest case of its series, measured in the same run, and the cost per item
(people and events summed over the accounts) beside it, which stays flat when the growth is
linear.

    python bench/bench_scaling.py [--series events,people,accounts] [--quick]

The generated scenarios are the review's: an officer firing N times at one person; N people
(half of them officers) and one use of force; N accounts disputing ten shots by another
person and one by the officer. Everything `check` does is measured (load, exact verdicts,
analysis, the default text report); `--format json` with every trace is measured apart for
the largest point of each series.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from forcecheck.evaluation.evaluate import evaluate  # noqa: E402
from forcecheck.policy.load import load_policy  # noqa: E402
from forcecheck.report.build import build  # noqa: E402
from forcecheck.report.json import render_json  # noqa: E402
from forcecheck.report.text import render_text  # noqa: E402
from forcecheck.scenario.load import load_scenario  # noqa: E402

HEAD = "id: gen\ntitle: generated\nkind: teaching\nsummary: s\n"
TWO = "people:\n- {id: o, role: officer, description: d}\n- {id: s, role: subject, description: d}\n"
EVENT = "- {{id: {id}, actor: {actor}, action: fire_firearm, target: {target}, description: d{more}}}\n"


def events(n: int) -> str:
    out = [HEAD, TWO, "events:\n"]
    out += [EVENT.format(id=f"e{i}", actor="o", target="s", more="") for i in range(n)]
    out.append("undisputed:\n  facts:\n    o.on_duty: yes\naccounts:\n- {id: a, name: A}\n"
               "- {id: b, name: B, facts: {e0.aimed_at_person: yes}}\n")
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


# The largest points are near the size limit (600 people and events over the accounts).
SERIES = {"events": (events, [10, 30, 100, 290]), "people": (people, [10, 30, 100, 590]),
          "accounts": (accounts, [2, 6, 20, 40])}
QUICK = {"events": [10, 30], "people": [10, 30], "accounts": [2, 6]}


def items(sc) -> int:
    m = sc.model
    return sum(sum(1 for e in m.events if e.accounts is None or a.id in e.accounts)
               + sum(1 for p in m.people if p.accounts is None or a.id in p.accounts) for a in m.accounts)


def run(compiled, path: Path, json_too: bool = False) -> tuple[float, int, float | None, int]:
    t = time.perf_counter()
    sc = load_scenario(path, compiled)
    r = evaluate(compiled, sc)
    render_text(build([r], traces=False))
    elapsed = time.perf_counter() - t
    json_time = None
    if json_too:
        t = time.perf_counter()
        render_json(build([r]))
        json_time = time.perf_counter() - t
    return elapsed, items(sc), json_time, r.analysis_cut


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--series", default="events,people,accounts")
    ap.add_argument("--quick", action="store_true", help="two small points per series")
    args = ap.parse_args()
    compiled = load_policy()
    print("| series | N | items | check | ratio to the first | per item | cut | json + traces |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.series.split(","):
            make, sizes = SERIES[name]
            sizes = QUICK[name] if args.quick else sizes
            base = None
            for n in sizes:
                path = Path(tmp) / f"{name}-{n}.yaml"
                path.write_text(make(n), encoding="utf-8")
                elapsed, count, json_time, cut = run(compiled, path, json_too=n == sizes[-1])
                base = base or (elapsed, count)
                per = elapsed / count / (base[0] / base[1])
                js = f"{json_time:.2f} s" if json_time is not None else ""
                print(f"| {name} | {n} | {count} | {elapsed:.2f} s | {elapsed / base[0]:.1f}x | "
                      f"{per:.2f}x | {cut} | {js} |")


if __name__ == "__main__":
    main()

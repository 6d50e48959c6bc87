"""What exact verdicts cost: the Kleene first pass against the exact possible verdicts (every
completion of the unknowns the constraints allow) and against everything `check` computes
(traces, what would settle each verdict, disputes), on the all-unknown teaching case and on
generated scenarios with a growing number of events. Reported as ratios to the first pass,
measured in the same run.

    python bench/bench_exact.py [--events 10,25,50,100] [--repeat N]

The generated scenario: an on-duty officer fires N/2 times at a driver who drives N/2 times,
alternately, and a second officer stands by; nothing else is stated, so every verdict that
reads a fact waits on it, and the constraints tie each shot's threat to every earlier drive.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from forcecheck.engine.constraints import Constraints  # noqa: E402
from forcecheck.engine.exact import clause_outcome  # noqa: E402
from forcecheck.evaluation.evaluate import evaluate  # noqa: E402
from forcecheck.policy.load import load_policy  # noqa: E402
from forcecheck.scenario.load import load_scenario  # noqa: E402


def generated(n: int) -> str:
    events = []
    for i in range(n):
        if i % 2 == 0:
            events.append(f"  - id: drive{i}\n    actor: driver\n    action: drive_vehicle\n"
                          f"    description: the driver moves the car\n")
        else:
            events.append(f"  - id: shot{i}\n    actor: officer\n    action: fire_firearm\n"
                          f"    target: driver\n    description: the officer fires\n")
    return (f"id: gen-{n}\ntitle: generated\nkind: teaching\nsummary: generated\npeople:\n"
            "  - id: officer\n    role: officer\n    description: fires\n"
            "  - id: partner\n    role: officer\n    description: stands by\n"
            "  - id: driver\n    role: subject\n    description: drives\n"
            "events:\n" + "".join(events) +
            "undisputed:\n  facts:\n    officer.on_duty: yes\n    partner.on_duty: yes\n"
            "accounts:\n  - id: one\n    name: One\n")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(repeat):
            fn()
        times.append(time.perf_counter() - t)
    return min(times) / repeat


def measure(compiled, sc, repeat: int) -> tuple[float, float, float]:
    worlds = [sc.world(a) for a in sc.accounts]

    def kleene():
        for w in worlds:
            for clause in compiled.policy.clauses:
                for env in compiled.bindings(clause, w):
                    compiled.verdict(clause, w, env)

    def exact():
        for w in worlds:
            constraints = Constraints(compiled, w)
            for clause in compiled.policy.clauses:
                clause_outcome(compiled, clause, w, constraints)

    def check():
        evaluate(compiled, sc)

    return best(kleene, repeat), best(exact, repeat), best(check, max(1, repeat // 5))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", default="10,25,50,100")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    compiled = load_policy()
    cases = [("facts-nobody-states", ROOT / "scenarios" / "teaching" / "facts-nobody-states.yaml")]
    tmp = Path(tempfile.mkdtemp())
    for n in (int(x) for x in args.events.split(",")):
        f = tmp / f"gen-{n}.yaml"
        f.write_text(generated(n))
        cases.append((f"{n} events", f))
    print(f"{'scenario':<22}{'first pass':>12}{'exact':>12}{'ratio':>8}{'check':>12}{'ratio':>9}")
    for name, path in cases:
        sc = load_scenario(path, compiled)
        k, e, c = measure(compiled, sc, args.repeat)
        print(f"{name:<22}{k * 1000:10.2f}ms{e * 1000:10.2f}ms{e / k:7.1f}x{c * 1000:10.1f}ms{c / k:8.1f}x")


if __name__ == "__main__":
    main()

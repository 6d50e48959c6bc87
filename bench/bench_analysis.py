"""What the account analysis adds to `check`: settling undetermined verdicts, finding the
smallest flipping sets for contested clauses, and ranking open questions.

Three measurements over every shipped scenario, in this process: verdicts alone (the
compiled closures), verdicts with traces (`evaluate(analyse=False)`), and everything
`check` computes (`evaluate()`). Reported as ratios to verdicts with traces.

    python bench/bench_analysis.py [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from forcecheck.evaluation.evaluate import evaluate  # noqa: E402
from forcecheck.policy.load import load_policy  # noqa: E402
from forcecheck.scenario.load import load_scenario  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(repeat):
            fn()
        times.append(time.perf_counter() - t)
    return min(times) / repeat


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=10)
    repeat = ap.parse_args().repeat
    compiled = load_policy()
    scenarios = [load_scenario(p, compiled.policy) for p in sorted((ROOT / "scenarios").rglob("*.yaml"))]

    def verdicts_only():
        for sc in scenarios:
            for acc in sc.accounts:
                w = sc.world(acc)
                for clause in compiled.policy.clauses:
                    for env in compiled.bindings(clause, w):
                        compiled.verdict(clause, w, env)

    def traces():
        for sc in scenarios:
            evaluate(compiled, sc, analyse=False)

    def full():
        for sc in scenarios:
            evaluate(compiled, sc)

    v, t, f = best(verdicts_only, repeat), best(traces, repeat), best(full, repeat)
    print(f"{len(scenarios)} scenarios, per pass over all of them:")
    print(f"verdicts only:             {v * 1000:8.2f} ms   x{v / t:.2f}")
    print(f"verdicts + traces:         {t * 1000:8.2f} ms   x1.00")
    print(f"verdicts + traces + analysis (check): {f * 1000:8.2f} ms   x{f / t:.2f}")


if __name__ == "__main__":
    main()

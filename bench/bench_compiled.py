"""What the policy compiled to Python source (issue 23 §1) changes for `check --format json`.

    python bench/bench_compiled.py [--rounds 7] [--corpus 200] [--seed 0]

In one process, rounds take turns between the exact search on the generated source (after)
and on the closures (before, `engine.exact.USE_GENERATED = False`): each round loads the
scenario, checks it and renders the JSON report, as `check --format json` does after start-up.
Measured on the Minneapolis scenario (`scenarios/real/minneapolis-2026-01-07.yaml`) and on a
batch of `bench/corpus.py` scenarios. The memo of searched outcomes is emptied before every
round, so a round never reuses an earlier round's work. Reports the median CPU time of each and
the ratio before / after, and what generating and compiling the source costs once per process.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
MINNEAPOLIS = ROOT / "scenarios" / "real" / "minneapolis-2026-01-07.yaml"


def _corpus_module():
    spec = importlib.util.spec_from_file_location("corpus", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--corpus", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from forcecheck import api
    from forcecheck.engine import exact
    from forcecheck.policy.codegen import generate
    from forcecheck.scenario.load import load_scenario

    compiled = api.load_policy("dhs")
    start = time.process_time()
    for record_all in (False, True):  # what the first check in a process pays, then never again
        gen = generate(compiled, record_all)
        for clause in compiled.policy.clauses:
            gen.function(clause.id)
    once = time.process_time() - start
    corpus = _corpus_module()
    texts = [corpus.scenario(i, args.seed) for i in range(args.corpus)]

    def minneapolis() -> str:
        return api.render([api.check(MINNEAPOLIS, compiled)], "json")

    def batch() -> list[str]:
        return [api.render([api.check(load_scenario(f"s{i}.yaml", compiled, text=text), compiled)], "json")
                for i, text in enumerate(texts)]

    rows = []
    for name, work in (("check --format json, Minneapolis", minneapolis),
                       (f"check --format json, {args.corpus} corpus scenarios", batch)):
        times: dict[bool, list[float]] = {True: [], False: []}
        outputs: dict[bool, object] = {}
        for r in range(args.rounds):
            for generated in ((True, False) if r % 2 == 0 else (False, True)):
                exact.USE_GENERATED = generated
                compiled.notes.pop("outcomes", None)
                start = time.process_time()
                outputs[generated] = work()
                times[generated].append(time.process_time() - start)
        exact.USE_GENERATED = True
        if outputs[True] != outputs[False]:
            raise SystemExit(f"{name}: the two paths gave different output")
        before, after = statistics.median(times[False]), statistics.median(times[True])
        rows.append((name, before, after))
    print("| work (in one process, CPU, median of rounds) | closures (before) | generated source (after) "
          "| before / after |")
    print("|---|---|---|---|")
    for name, before, after in rows:
        print(f"| {name} | {before * 1000:.0f} ms | {after * 1000:.0f} ms | {before / after:.2f}× |")
    print(f"\nGenerating and compiling the DHS policy's source (every clause, both variants), once per "
          f"process: {once * 1000:.0f} ms. {args.rounds} rounds; identical output on both paths.")


if __name__ == "__main__":
    main()

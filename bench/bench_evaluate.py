"""Evaluation speed: forcecheck's compiled closures against hand-written Python.

Both evaluate the same thing, every clause's verdict for every binding of every account of
the shipped scenarios, except that the baseline hand-writes only one clause
(deadly-force-imminent-threat), so the comparison is made on that clause alone. Both run in
this process, on this machine, now; only the ratio is meaningful.

    python bench/bench_evaluate.py [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from forcecheck.policy.compiler import World, kleene_and, kleene_or  # noqa: E402
from forcecheck.policy.load import load_policy  # noqa: E402
from forcecheck.scenario.load import load_scenario  # noqa: E402

FORCE = {"fire_firearm", "neck_restraint", "physical_force", "less_lethal_weapon"}


def hand_written(w: World, e: str, reaches_off_duty=None) -> str:
    """deadly-force-imminent-threat, written directly in Python with the same Kleene logic."""
    ev = w.events[e]
    actor = w.people[ev.actor]
    v = w.values
    if ev.action not in FORCE or actor.role != "officer":
        return "not_applicable"
    deadly = kleene_and((True, kleene_or((ev.action == "fire_firearm",
                                           v.get((e, "likely_to_kill_or_seriously_injure"))))))
    covered = kleene_or((v.get((ev.actor, "on_duty")), reaches_off_duty))
    trigger = kleene_and((deadly, covered))
    if trigger is False:
        return "not_applicable"

    # The deeds before the force (fired at, driven at) bear on the threat through the policy's
    # constraints, which the exact verdicts apply; the clause itself reads the one fact.
    threat = v.get((e, "threat_of_death_or_serious_injury"))
    fleeing = kleene_and((v.get((e, "subject_fleeing")), v.get((e, "significant_threat_if_escaped")),
                          v.get((e, "necessary_to_prevent_escape"))))
    held = kleene_or((threat, fleeing))
    if held is None or trigger is None:
        return "undetermined"
    return "met" if held else "breached"


def bindings(compiled) -> list:
    """Every (world, binding) of the clause in every account of every shipped scenario."""
    clause = compiled.policy.clause("deadly-force-imminent-threat")
    cases = []
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        sc = load_scenario(path, compiled.policy)
        for acc in sc.accounts:
            w = sc.world(acc)
            cases.extend((w, env) for env in compiled.bindings(clause, w))
    return cases


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2000)
    args = ap.parse_args()

    import os

    from forcecheck.policy import load as policy_module

    os.environ["FORCECHECK_NO_CACHE"] = "1"
    t0 = time.perf_counter()
    load_policy()
    cold_s = time.perf_counter() - t0
    del os.environ["FORCECHECK_NO_CACHE"]
    policy_module._load.cache_clear()
    load_policy()  # fills the on-disk cache
    policy_module._load.cache_clear()
    t0 = time.perf_counter()
    compiled = load_policy()
    warm_s = time.perf_counter() - t0
    cases = bindings(compiled)
    clause = compiled.policy.clause("deadly-force-imminent-threat")
    # Same answers first: a benchmark of two different computations measures nothing.
    for w, env in cases:
        assert compiled.verdict(clause, w, env) == hand_written(w, env["e"]), env

    def run_compiled():
        for w, env in cases:
            compiled.verdict(clause, w, env)

    def run_hand():
        for w, env in cases:
            hand_written(w, env["e"])

    def best(fn):
        times = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(args.repeat):
                fn()
            times.append(time.perf_counter() - t)
        return min(times)

    hand, comp = best(run_hand), best(run_compiled)
    n = len(cases) * args.repeat
    print(f"policy load, cold (parse, check, prove quotes, compile): {cold_s * 1000:.1f} ms")
    print(f"policy load, from the on-disk cache (prove quotes, compile): {warm_s * 1000:.1f} ms")
    print(f"verdicts per run: {n} ({len(cases)} bindings x {args.repeat})")
    print(f"hand-written Python: {hand / n * 1e6:.2f} us/verdict")
    print(f"forcecheck compiled: {comp / n * 1e6:.2f} us/verdict")
    print(f"ratio compiled / hand-written: {comp / hand:.2f}")


if __name__ == "__main__":
    main()

"""The evaluation benchmark compares like with like: its hand-written baseline must give the
same verdicts as the compiled policy on every shipped scenario (no timing is asserted)."""

import importlib.util

from conftest import ROOT


def test_hand_written_baseline_agrees_with_the_policy(compiled):
    spec = importlib.util.spec_from_file_location("bench_evaluate", ROOT / "bench" / "bench_evaluate.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    clause = compiled.policy.clause("deadly-force-imminent-threat")
    cases = bench.bindings(compiled)
    assert len(cases) > 20
    verdicts = {compiled.verdict(clause, w, env) for w, env in cases}
    assert verdicts == {"met", "breached", "undetermined", "not_applicable"}
    for w, env in cases:
        assert compiled.verdict(clause, w, env) == bench.hand_written(w, env["e"]), env

"""The evaluation benchmark compares like with like: its hand-written baseline must give the
same verdicts as the compiled policy on every shipped scenario (no timing is asserted)."""

import importlib.util

import pytest

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


def _module(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rule_engine_benchmark_rules_give_the_reference_verdicts():
    """The engines benchmark times only engines that agree with its plain-Python reference;
    forcecheck's encoding of the eight rules must agree on every account of its corpus, with
    every verdict (and undetermined ones, from unknown facts) present."""
    from forcecheck.engine.constraints import Constraints
    from forcecheck.engine.exact import clause_outcome
    from forcecheck.policy.load import load_policy
    from forcecheck.scenario.load import load_scenario

    bench = _module("bench_engines")
    compiled = load_policy(bench.HERE)
    data = bench.corpus(400, seed=3)
    seen = set()
    for i, accounts in enumerate(data):
        sc = load_scenario(f"s{i}.yaml", compiled, text=bench.scenario_yaml(i, accounts))
        for account, facts in zip(sc.accounts, accounts, strict=True):
            world = sc.world(account)
            k = Constraints(compiled, world)
            got = [clause_outcome(compiled, c, world, k)[1].verdict for c in compiled.policy.clauses]
            assert got == bench.reference(facts), (i, facts)
            seen |= set(got)
    assert seen == {"met", "breached", "not_applicable", "undetermined"}


def test_batch_corpus_scenarios_all_load(compiled):
    """The batch benchmark's generated scenarios are valid (a benchmark of refusals would
    measure nothing)."""
    from forcecheck.scenario.load import load_scenario

    corpus = _module("corpus")
    for i in range(200):
        load_scenario(f"s{i}.yaml", compiled, text=corpus.scenario(i))


def test_the_scaling_table_is_written_by_its_command(tmp_path, capsys):
    """bench/README.md's scaling table is made by `bench_scaling.py --write`: the rows between
    the markers are replaced by what the run measured, with the command, and the rest stays."""
    spec = importlib.util.spec_from_file_location("bench_scaling", ROOT / "bench" / "bench_scaling.py")
    scaling = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scaling)
    readme = tmp_path / "README.md"
    readme.write_text("before\n<!-- scaling -->\nold table\n<!-- /scaling -->\nafter\n", encoding="utf-8")
    scaling.main(["--quick", "--series", "exchange", "--commands", "json", "--write", str(readme)])
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("before\n<!-- scaling -->\nMade by `python bench/bench_scaling.py --quick")
    assert "old table" not in text and text.endswith("<!-- /scaling -->\nafter\n")
    rows = [line for line in text.splitlines() if line.startswith("| exchange |")]
    assert [r.split(" | ")[1] for r in rows] == ["2", "4"]  # N, for each point
    assert all(" s | " in r and "x |" in r for r in rows)  # a time and its ratios, each measured
    assert rows[0].split(" | ")[5] == "1.0x"  # the first point is the series' baseline
    assert "| exchange | 2 |" in capsys.readouterr().out
    # A file without the markers is refused, untouched.
    plain = tmp_path / "plain.md"
    plain.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        scaling.write_table(plain, ["| x |"], "cmd")
    assert plain.read_text(encoding="utf-8") == "no markers\n"

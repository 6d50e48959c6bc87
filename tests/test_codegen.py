"""The policy compiled to Python source (`policy/codegen.py`) and the exact search on it
(`engine/lean.py`): the same items, unknowns read and possible verdicts as the closures on every
shipped scenario under every shipped policy and on generated scenarios; deterministic,
readable source; nothing from the policy's text becomes a name in it."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

from forcecheck.engine import exact
from forcecheck.engine.constraints import Constraints
from forcecheck.policy import cache
from forcecheck.policy.codegen import INCIDENT_NAMES, clause_source, generate, generated, incident_function
from forcecheck.policy.compiler import compile_policy
from forcecheck.policy.load import load_policy
from forcecheck.scenario.load import load_scenario

from conftest import ROOT, SCENARIOS

POLICIES = ("dhs", "doj", "cfr-287-8")
BENCH_POLICY = ROOT / "bench" / "engines" / "policy.rules"
SNAPSHOT = Path(__file__).parent / "fixtures" / "codegen-r2.py.txt"


def _corpus():
    spec = importlib.util.spec_from_file_location("corpus", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _outcomes(compiled, scenario, generated_path: bool) -> list:
    """Every clause x account: the clause's possible verdicts and exactness, and each item's
    binding, first-pass verdict, possible verdicts, exactness and unknowns read."""
    exact.USE_GENERATED = generated_path
    try:
        out = []
        for account in scenario.accounts:
            world = scenario.world(account)
            constraints = Constraints(compiled, world)
            for clause in compiled.policy.clauses:
                items, possible = exact.clause_outcome(compiled, clause, world, constraints)
                out.append((account.id, clause.id, possible.verdicts, possible.exact,
                            [(tuple(i.env.items()), i.kleene, i.possible.verdicts, i.possible.exact,
                              i.reads) for i in items]))
        return out
    finally:
        exact.USE_GENERATED = True


def _same(compiled, scenario) -> None:
    closures = _outcomes(compiled, scenario, False)
    source = _outcomes(compiled, scenario, True)
    assert source == closures, scenario.id


@pytest.mark.parametrize("name", POLICIES)
def test_generated_source_gives_todays_verdicts_on_every_shipped_scenario(name):
    compiled = load_policy(name)
    assert generated(compiled).skipped == {}  # every clause has source
    count = 0
    for path in sorted(SCENARIOS.glob("*/*.yaml")):
        _same(compiled, load_scenario(path, compiled))
        count += 1
    assert count >= 40


def _generated_scenarios(start: int, stop: int, seed: int) -> None:
    corpus = _corpus()
    compiled = load_policy("dhs")
    undetermined = 0
    for i in range(start, stop):
        scenario = load_scenario(f"s{i}.yaml", compiled, text=corpus.scenario(i, seed))
        outcomes = _outcomes(compiled, scenario, True)
        assert outcomes == _outcomes(compiled, scenario, False), scenario.id
        undetermined += sum(len(o[2]) > 1 for o in outcomes)
    assert undetermined > 0  # the corpus exercises the search, not only definite verdicts


def test_generated_source_gives_todays_verdicts_on_generated_scenarios():
    _generated_scenarios(0, 200, seed=7)


@pytest.mark.slow
def test_generated_source_gives_todays_verdicts_on_many_generated_scenarios():
    _generated_scenarios(0, 2000, seed=11)


def _settlements(compiled, scenario, generated_path: bool) -> list:
    """What settles each undetermined verdict (the analysis's searches), item by item, and how
    much of the analysis the work budget cut."""
    from forcecheck.evaluation.evaluate import evaluate

    exact.USE_GENERATED = generated_path
    try:
        r = evaluate(compiled, scenario)
        return [r.analysis_cut, *[(a.account.id, cv.clause.id, i.label, i.settlements, i.search_complete)
                                  for a in r.accounts for cv in a.clauses for i in cv.items]]
    finally:
        exact.USE_GENERATED = True


def _same_settlements(scenarios) -> None:
    compiled = load_policy("dhs")
    settled = 0
    for scenario in scenarios(compiled):
        source = _settlements(compiled, scenario, True)
        assert source == _settlements(compiled, scenario, False), scenario.id
        settled += sum(1 for x in source[1:] if x[3])
    assert settled > 50  # the searches found settlements, not only nothing


def test_the_settling_search_on_generated_source_finds_what_the_closures_find():
    """The analysis (what would settle each undetermined verdict) searches on the generated
    source: step for step the closures' search, so the same answers under the same budget."""
    corpus = _corpus()
    _same_settlements(lambda compiled: [load_scenario(f"s{i}.yaml", compiled, text=corpus.scenario(i, 7))
                                        for i in range(20)])


@pytest.mark.slow
def test_the_settling_search_on_generated_source_finds_it_on_every_shipped_scenario():
    paths = sorted(SCENARIOS.glob("*/*.yaml"))
    _same_settlements(lambda compiled: [load_scenario(p, compiled) for p in paths])


def test_the_same_policy_gives_the_same_bytes_twice():
    first = load_policy("dhs")
    again = compile_policy(first.policy)  # a second compilation of the same checked policy
    assert generate(first).source == generate(again).source
    compile(generate(first).source, "<dhs>", "exec")  # the whole module is valid Python too
    assert generate(first, record_all=True).source == generate(again, record_all=True).source


def test_one_clause_source_matches_its_snapshot(request):
    compiled = load_policy(BENCH_POLICY)
    text = clause_source(compiled, "r2")
    if request.config.getoption("--update-golden"):
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8")


_NAMES = re.compile(r"^(t|k|x|v|C|S|f|o)\d+$|^clause_\d+$|^[wVURPEGK]$"
                    r"|^(NA|MET|BREACHED|PARTS|max|miss|incident_clauses)$")
_ATTRIBUTES = {"people", "events", "get", "role", "index", "actor", "target", "action", "ids",
               "events_with", "events_before", "events_passing"}


@pytest.mark.parametrize("name", POLICIES)
def test_no_name_in_the_source_comes_from_the_policy(name):
    """Variables are renamed, facts, roles and constants are literals: every name and attribute
    in the module is one the generator chose, and comments hold no line break of the policy's."""
    compiled = load_policy(name)
    bind = dict.fromkeys(INCIDENT_NAMES)
    sources = [generate(compiled, record_all).source for record_all in (False, True)]
    sources += [incident_function(compiled, {}, bind, free)[2] for free in (False, True)]
    for source in sources:
        tree = ast.parse(source)
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in n.args}
        assert all(_NAMES.match(x) for x in names), sorted(x for x in names if not _NAMES.match(x))
        assert {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} <= _ATTRIBUTES
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom | ast.Lambda)]


def test_the_policy_cache_key_changes_when_the_generator_changes(monkeypatch):
    before = cache._code()
    real = Path.read_bytes

    def edited(self):
        data = real(self)
        return data + b"\n# changed\n" if self.name == "codegen.py" else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert cache._code() != before


def test_show_compiled_prints_a_clauses_source(cli):
    run = cli("show", "r2", "--compiled", "--policy", str(BENCH_POLICY), "--no-pager")
    assert run.code == 0, run.err
    assert run.out == SNAPSHOT.read_text(encoding="utf-8")
    run = cli("show", "r2", "--compiled", "--policy", str(BENCH_POLICY), "--no-pager")
    assert run.out == SNAPSHOT.read_text(encoding="utf-8")
    missing = cli("show", "incident.deadly", "--compiled", "--policy", str(BENCH_POLICY), "--no-pager")
    assert missing.code == 2 and "not a clause" in missing.err


def test_possible_verdicts_are_clause_outcomes():
    """The short path for verdicts alone (`engine.verdicts`) answers as `clause_outcome`, with
    the policy's constraints and without (the benchmark's policy has none)."""
    from forcecheck.engine.verdicts import constraints_of, exact_verdicts, possible_verdicts

    spec = importlib.util.spec_from_file_location("bench_engines", ROOT / "bench" / "bench_engines.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)  # type: ignore[union-attr]
    cases = [(load_policy(BENCH_POLICY), [load_scenario(f"s{i}.yaml", load_policy(BENCH_POLICY),
                                                        text=bench.scenario_yaml(i, accs))
                                          for i, accs in enumerate(bench.corpus(300, seed=5))])]
    dhs = load_policy("dhs")
    cases.append((dhs, [load_scenario(p, dhs) for p in sorted(SCENARIOS.glob("*/*.yaml"))]))
    for compiled, scenarios in cases:
        for scenario in scenarios:
            for account in scenario.accounts:
                world = scenario.world(account)
                constraints = constraints_of(compiled, world)
                expected = [exact.clause_outcome(compiled, c, world, Constraints(compiled, world))[1]
                            for c in compiled.policy.clauses]
                assert possible_verdicts(compiled, world, constraints) == expected, scenario.id
                assert exact_verdicts(compiled, world, constraints) == [p.verdict for p in expected]

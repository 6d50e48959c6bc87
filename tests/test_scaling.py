"""Many events (issue 19, H3): one officer firing a hundred shots took 22 s and 706 MB, because
one person's weapon tied every shot at them into one group of constraints, and because every
output paid for the whole analysis and every trace. These tests hold the behaviour that fixed
it, never a time: the work per event stays flat, a free fact links nothing, verdicts and
what settles them are unchanged by that, and only what an output reads is worked out."""

import pytest

from forcecheck import api
from forcecheck.engine import constraints as constraints_module
from forcecheck.engine.analysis import candidates
from forcecheck.engine.constraints import Constraints
from forcecheck.engine.exact import clause_outcome
from forcecheck.evaluation import deferred
from forcecheck.evaluation.evaluate import evaluate
from forcecheck.policy.compiler import CompiledPolicy
from forcecheck.scenario.load import load_scenario

from conftest import SCENARIOS

NOBODY = SCENARIOS / "teaching" / "facts-nobody-states.yaml"
MPLS = SCENARIOS / "real" / "minneapolis-2026-01-07.yaml"


def shots(n: int) -> str:
    """The review's case: an officer firing n times at one person, two accounts, one of them
    stating one fact (`bench/bench_scaling.py` measures the same)."""
    out = ["id: gen\ntitle: generated\nkind: teaching\nsummary: s\n",
           "people:\n- {id: o, role: officer, description: d}\n- {id: s, role: subject, description: d}\n",
           "events:\n"]
    out += [f"- {{id: e{i}, actor: o, action: fire_firearm, target: s, description: d}}\n" for i in range(n)]
    out.append("undisputed:\n  facts:\n    o.on_duty: yes\naccounts:\n- {id: a, name: A}\n"
               "- {id: b, name: B, facts: {e0.aimed_at_person: yes}}\n")
    return "".join(out)


def test_a_persons_weapon_does_not_tie_every_shot_at_them_together(compiled):
    sc = load_scenario("shots.yaml", compiled, text=shots(30))
    world = sc.world(sc.accounts[0])
    k = Constraints(compiled, world)
    # "Armed" satisfies every "using a weapon means armed", and "none" every constraint on
    # what the person did with a weapon: both are free.
    assert k.free[("s", "armed_with")] != "unarmed"
    assert ("e7", "target_weapon_use") in k.free
    threat = {("e3", "threat_of_death_or_serious_injury")}
    assert any(v[0] == "e20" for v in k.variables(k.closure(threat)))  # every shot, through the weapon
    assert {v[0] for v in k.linked(threat)} == {"e3"}
    # A free fact the verdict reads itself is passed through.
    weapon = {("s", "armed_with")}
    assert any(v[0] == "e20" for v in k.linked(weapon))


def _count(monkeypatch) -> list[int]:
    """Counts clause and constraint evaluations from now on."""
    calls = [0]
    value, make_test = CompiledPolicy.value, constraints_module._constraint_test

    def counted_value(self, node, world, env):
        calls[0] += 1
        return value(self, node, world, env)

    def counted_test(compiled, k, env):
        test = make_test(compiled, k, env)

        def run(w):
            calls[0] += 1
            return test(w)

        return run

    monkeypatch.setattr(CompiledPolicy, "value", counted_value)
    monkeypatch.setattr(constraints_module, "_constraint_test", counted_test)
    return calls


def test_the_work_per_shot_does_not_grow_with_the_number_of_shots(compiled, monkeypatch):
    """Exact verdicts, and what each undetermined one waits on, for 20 and for 80 shots: the
    evaluations per shot stay within 10%. (Before, every verdict's search and what would settle
    it reached every shot, so the work per shot grew with the shots.)"""
    per_shot = []
    for n in (20, 80):
        sc = load_scenario("shots.yaml", compiled, text=shots(n))
        calls = _count(monkeypatch)
        for account in sc.accounts:
            world = sc.world(account)
            k = Constraints(compiled, world)
            for clause in compiled.policy.clauses:
                for o in clause_outcome(compiled, clause, world, k)[0]:
                    if o.verdict == "undetermined":
                        assert len(candidates(compiled, clause, world, o.env, k).unknowns) < 20
        per_shot.append(calls[0] / n)
        monkeypatch.undo()
    assert per_shot[1] <= 1.1 * per_shot[0], per_shot


def test_the_verdicts_of_many_shots_are_exact(compiled):
    """Shots linked only through the person's weapon combine exactly, shot by shot (before, a
    hundred shots made one search over all of them, which its bound cut short)."""
    r = evaluate(compiled, load_scenario("shots.yaml", compiled, text=shots(100)), analyse=False)
    for a in r.accounts:
        assert all(cv.exact and all(i.exact for i in cv.items) for cv in a.clauses)
        assert a.clause("objectively-reasonable-force").possible == ("met", "breached")


def _outcomes(compiled, sc, free: bool):
    out = []
    for account in sc.accounts:
        world = sc.world(account)
        k = Constraints(compiled, world)
        if not free:
            k._free = {}  # as before free facts: every constraint links what it reads
        for clause in compiled.policy.clauses:
            items, possible = clause_outcome(compiled, clause, world, k)
            out.append((account.id, clause.id, possible, [(o.env, o.possible) for o in items]))
    return out


def _scenario_text(i: int) -> str:
    """Several uses of force at the same two people, some by them, with weapons stated."""
    weapon = ("firearm", "unarmed", "vehicle")[i % 3]
    use = ("fired_at_someone", "held", "none")[(i // 3) % 3]
    return ("id: many\ntitle: many\nkind: teaching\nsummary: s\npeople:\n"
            "- {id: o, role: officer, description: d}\n- {id: p, role: officer, description: d}\n"
            "- {id: s, role: subject, description: d}\n- {id: t, role: subject, description: d}\n"
            "events:\n- {id: d, actor: s, action: drive_vehicle, description: d}\n"
            "- {id: a, actor: o, action: fire_firearm, target: s, description: d}\n"
            "- {id: b, actor: p, action: physical_force, target: s, description: d}\n"
            "- {id: c, actor: o, action: fire_firearm, target: t, description: d}\n"
            "- {id: x, actor: t, action: fire_firearm, target: p, description: d}\n"
            "undisputed:\n  facts:\n    o.on_duty: yes\n    p.on_duty: yes\n"
            f"accounts:\n- id: one\n  name: One\n  facts:\n    t.armed_with: {weapon}\n"
            f"    b.target_weapon_use: {use}\n    x.aimed_at_person: yes\n"
            "- id: two\n  name: Two\n  facts:\n    d.driven_at_person: yes\n    a.threat_had_ended: no\n"
            f"    c.target_weapon_use: {use}\n")


@pytest.mark.slow  # a sweep of the whole corpus
def test_free_facts_change_no_verdict(compiled):
    """Every verdict, and every verdict still possible, is the same whether free facts are
    passed through or not, on the shipped scenarios and on scenarios where several uses of
    force are aimed at the same people."""
    paths = sorted(SCENARIOS.rglob("*.yaml"))
    scenarios = [load_scenario(p, compiled) for p in paths]
    scenarios += [load_scenario(f"many-{i}.yaml", compiled, text=_scenario_text(i)) for i in range(9)]
    for sc in scenarios:
        assert _outcomes(compiled, sc, free=True) == _outcomes(compiled, sc, free=False), sc.model.id


@pytest.mark.slow  # a sweep of the whole corpus
def test_nothing_beyond_a_free_fact_settles_a_verdict(compiled, monkeypatch):
    """Searching every unknown the constraints tie to a verdict, free facts passed through and
    far more of them tried, finds no settling answer that uses an unknown `linked` leaves out."""
    from forcecheck.engine import analysis

    monkeypatch.setattr(analysis, "MAX_UNKNOWNS", 24)
    checked = 0
    found_any = 0
    for sc in [load_scenario("many.yaml", compiled, text=_scenario_text(4))]:
        for account in sc.accounts[1:]:  # the second states most
            world = sc.world(account)
            k = Constraints(compiled, world)
            for clause in compiled.policy.clauses:
                for o in clause_outcome(compiled, clause, world, k)[0]:
                    if o.verdict != "undetermined":
                        continue
                    near = k.linked(o.reads)
                    everything = k.variables(k.closure(o.reads)) | set(o.reads)
                    if near == everything:
                        continue
                    monkeypatch.setattr(Constraints, "linked", lambda *_, every=everything, **__: every)
                    _, found, _ = analysis.settle(compiled, clause, world, o.env, k, o.possible.verdicts, 999)
                    monkeypatch.undo()
                    monkeypatch.setattr(analysis, "MAX_UNKNOWNS", 24)
                    checked += 1
                    found_any += bool(found)
                    for s in found:
                        assert {analysis._var(u) for u, _ in s.assignments} <= near, (clause.id, o.env, s)
    assert checked >= 10 and found_any >= 10, (checked, found_any)


def _analysis(r):
    items = [(a.account.id, cv.clause.id, i.label, i.unknowns, i.settlements, i.search_complete)
             for a in [*r.accounts, *([r.hypothetical.result] if r.hypothetical else [])]
             for cv in a.clauses for i in cv.items]
    return items, r.questions, r.disputes, r.analysis_cut


@pytest.mark.parametrize("path", [NOBODY, MPLS], ids=lambda p: p.stem)
def test_the_analysis_is_the_same_whichever_output_reads_it_first(compiled, path):
    from forcecheck.scenario.hypothesis import parse_hypothesis

    sc = load_scenario(path, compiled)
    h = parse_hypothesis(sc, compiled.policy, ["reaches_off_duty_officers=yes"], None)
    eager = _analysis(evaluate(compiled, sc, hypothesis=h))
    lazy = evaluate(compiled, sc, hypothesis=h, lazy=True)
    waiting = [i for a in lazy.accounts for cv in a.clauses for i in cv.items if callable(i.settled)]
    assert waiting and callable(lazy.analysed)
    assert waiting[-1].settlements is not None  # one item's answer, asked for first, runs it all
    assert not any(callable(i.settled) for i in waiting)
    assert _analysis(lazy) == eager
    assert eager[1] and (path != MPLS or eager[2])


def test_validate_needs_no_analysis_when_no_fact_could_warrant_a_warning(compiled, monkeypatch):
    """W010 names a fact a third of the open verdicts wait on; a fact helps settle only the
    verdicts that wait on it, so with a hundred shots, each waiting on its own facts, no
    warning is possible and the analysis never runs. Where one is, it runs, as before."""

    def refuse(*args, **kwargs):
        raise AssertionError("the analysis ran")

    monkeypatch.setattr(deferred, "settle", refuse)
    r = api.check(load_scenario("shots.yaml", compiled, text=shots(100)), compiled)
    assert r.warnings() == []
    monkeypatch.undo()
    r = api.check(load_scenario(NOBODY, compiled), compiled)
    assert [w.code for w in r.warnings()] == ["W010"]


def test_traces_are_made_only_when_read(compiled):
    r = api.check(load_scenario("shots.yaml", compiled, text=shots(20)), compiled)
    items = [i for a in r.evaluation.accounts for cv in a.clauses for i in cv.items]
    r.render("text")  # the default report shows no trace
    assert sum(not callable(i.traces) for i in items) == 0
    assert items[0].requirement is not None and not callable(items[0].traces)


def test_a_many_shot_report_explains_each_shared_condition_once(compiled, monkeypatch):
    """Every shot's trace repeats conditions about the same things (the officer on duty, the
    same definitions with the same arguments): the JSON report works each out once and shares
    it, so building it evaluates fewer conditions than its traces show (before: twice as many)."""
    import json

    r = api.check(load_scenario("shots.yaml", compiled, text=shots(40)), compiled)
    r.evaluation.analysis  # noqa: B018 - its searches are not the traces' cost
    calls = [0]
    value = CompiledPolicy.value

    def counted(self, node, world, env):
        calls[0] += 1
        return value(self, node, world, env)

    monkeypatch.setattr(CompiledPolicy, "value", counted)
    doc = json.loads(r.render("json"))

    def shown(step) -> int:
        return 1 + sum(shown(c) for c in step["children"])

    steps = sum(shown(i[k]) for sc in doc["scenarios"] for card in sc["clauses"] for v in card["verdicts"]
                for i in v["items"] for k in ("trigger", "requirement") if i[k])
    assert 0 < calls[0] < steps, (calls[0], steps)


def test_a_many_shot_report_is_linear_in_its_items(compiled):
    """Each item of the JSON report lists what it waits on from its own shot (and the person's
    weapon, tied to it directly), not from every shot."""
    r = api.check(load_scenario("shots.yaml", compiled, text=shots(40)), compiled)
    for a in r.evaluation.accounts:
        for cv in a.clauses:
            for i in cv.items:
                assert {u.subject for u in i.unknowns} <= {i.label, "s", "o", "policy"}


def exchange(n: int, stated: str = "") -> str:
    """An exchange of fire: the subject fires at the officer and the officer fires back, n
    times each; every "had the person fired at someone before this shot" reads the earlier
    shots."""
    out = ["id: gen\ntitle: generated\nkind: teaching\nsummary: s\n",
           "people:\n- {id: o, role: officer, description: d}\n- {id: s, role: subject, description: d}\n",
           "events:\n"]
    for i in range(n):
        out.append(f"- {{id: x{i}, actor: s, action: fire_firearm, target: o, description: d}}\n")
        out.append(f"- {{id: y{i}, actor: o, action: fire_firearm, target: s, description: d}}\n")
    out.append("undisputed:\n  facts:\n    o.on_duty: yes\naccounts:\n- {id: a, name: A}\n"
               f"- {{id: b, name: B, facts: {{{stated or 'x0.aimed_at_person: yes'}}}}}\n")
    return "".join(out)


def _plain(compiled: CompiledPolicy) -> CompiledPolicy:
    """The same policy compiled without the quantifier's shortcuts (every event visited, the
    whole body evaluated for each)."""
    from forcecheck.policy import compiler

    original = compiler._ClosureCompiler._event_limit
    compiler._ClosureCompiler._event_limit = lambda self, n: None
    try:
        return compiler.compile_policy(compiled.policy)
    finally:
        compiler._ClosureCompiler._event_limit = original


@pytest.mark.parametrize("stated", ["", "x3.aimed_at_person: no, x5.aimed_at_person: yes",
                                    "x2.aimed_at_person: no, y2.threat_had_ended: yes"])
def test_a_quantifier_over_earlier_events_gives_the_same_value_and_reads(compiled, stated):
    """`had fired at someone before e` visits only that person's events before e, and tests
    the event alone once per timeline; its value and the unknowns it reads, in order, are
    those of visiting every event."""
    from forcecheck.engine.reads import assign, read

    plain = _plain(compiled)
    sc = load_scenario("x.yaml", compiled, text=exchange(8, stated))
    for account in sc.accounts:
        world = sc.world(account)
        for name in ("had_fired_at_someone", "had_driven_at_someone"):
            for eid in world.events:
                fast = read(lambda w, n=name, e=eid: compiled.definitions[n](w, {"e": e}), world)
                slow = read(lambda w, n=name, e=eid: plain.definitions[n](w, {"e": e}), world)
                assert fast[0] == slow[0] and list(fast[1]) == list(slow[1]), (name, eid)
                # On a world nothing watches, the flags worked out once answer for every shot,
                # also under a search's assumptions.
                assert compiled.definitions[name](world, {"e": eid}) == slow[0]
                for value in (True, False):
                    w = assign(world, {("x1", "aimed_at_person"): value,
                                       ("x4", "aimed_at_person"): not value})
                    assert compiled.definitions[name](w, {"e": eid}) == plain.definitions[name](w, {"e": eid})
        for clause in [*compiled.policy.clauses]:
            for env in compiled.bindings(clause, world):
                a = read(lambda w, c=clause, e=env: compiled.verdict(c, w, e), world)
                b = read(lambda w, c=clause, e=env: plain.verdict(c, w, e), world)
                assert a[0] == b[0] and list(a[1]) == list(b[1]), (clause.id, env)


def test_in_an_exchange_of_fire_a_shot_reads_only_earlier_shots(compiled, monkeypatch):
    """Loading checks every constraint on every shot, and "had fired at someone before" used to
    visit all of the person's shots, before and after, for each: 2n visits for each of 2n
    shots. Where what is read must be recorded (a verdict's unknowns), only the earlier shots
    are visited (n * n in all); elsewhere (a constraint test in a search) flags worked out
    once per world answer every shot, so the facts of each shot are read once, not once per
    later shot."""
    import sys

    from forcecheck.engine.reads import read
    from forcecheck.policy import compiler

    visits = [0]
    scan = compiler._scan

    def counted(w, inner, var, ids, body, stop, kind):
        visits[0] += len(ids)
        return scan(w, inner, var, ids, body, stop, kind)

    monkeypatch.setattr(compiler, "_scan", counted)
    fresh = compiler.compile_policy(compiled.policy)
    n = 30
    sc = load_scenario("x.yaml", fresh, text=exchange(n))
    world = sc.world(sc.accounts[0])
    visits[0] = 0
    for eid in world.events:
        read(lambda w, e=eid: fresh.definitions["had_fired_at_someone"](w, {"e": e}), world)
    # y_i looks at the subject's x_0..x_i (i + 1 shots), x_i at the officer's y_0..y_(i-1) (i).
    assert visits[0] == n * n
    facts = [0]

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "fact":
            facts[0] += 1

    sys.setprofile(profile)
    try:
        values = [fresh.definitions["had_fired_at_someone"](world, {"e": eid}) for eid in world.events]
    finally:
        sys.setprofile(None)
    assert values == [False] + [None] * (2 * n - 1)  # nobody had fired before the first shot
    assert facts[0] <= 2 * n, facts[0]  # each shot's "aimed at a person" once

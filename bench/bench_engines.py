"""forcecheck against other rule engines on the same eight generic rules (R1-R8).

    pip install -e '.[bench]'        # cedarpy, clingo, regorus (gordon-to-regorus), rule-engine
    python bench/bench_engines.py [--scenarios 10000] [--seed 1] [--out bench/results]

The rules (`bench/engines/rules.md`) are written in forcecheck's language
(`bench/engines/policy.rules`), in plain Python (the reference, below), in Rego, in Cedar, in
clingo's ASP and for rule-engine. A seeded corpus of scenarios, each with two or three accounts
that leave some facts unknown, is generated; every engine's verdicts for every account are
checked against the reference before anything is timed, and a mismatch stops the run.

**Kleene against two-valued.** forcecheck reads an unknown fact as unknown and gives
`undetermined` when the verdict depends on it. The other engines are two-valued, so each rule
is written there as four tests ("the trigger is surely true", "surely false", "the requirement
is surely true", "surely false"), each false when a fact it needs is missing; the verdict is
`not_applicable` if the trigger is surely false, `met` or `breached` if the trigger is surely
true and the requirement surely true or false, and `undetermined` otherwise. With no fact read
twice by a rule, this is the Kleene verdict, and forcecheck's exact verdict (every completion
of the unknowns) is the same; the check before timing shows it.

**Timing.** Inputs are prepared for every engine before timing (JSON for Rego, contexts for
Cedar, externals for clingo, dicts for rule-engine and Python, worlds for forcecheck). The
corpus is cut into chunks; each chunk is run by every engine, in an order rotated chunk by
chunk; an engine's ratio is the median over chunks of its time over plain Python's on the
same chunk. As `timeit` does, the garbage collector is off while a chunk is timed (and run
before it): otherwise a full collection of everything the run holds (every engine's inputs for
the whole corpus) lands on whichever engine allocates when it comes due. Writes `engines.json`
and `engines.md` into `--out`.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
HERE = ROOT / "bench" / "engines"
RULES = [f"r{i}" for i in range(1, 9)]
YES_NO = ["deadly", "threat", "fleeing", "significant_threat", "moving_vehicle", "warning_shot",
          "warning_feasible", "warning_given", "injured", "aid_given", "self_only_threat", "reported"]
FORCES = ["no_force", "physical", "less_lethal", "firearm"]

# Each rule: trigger and requirement, each ("and" | "or", literals); a literal is
# (field, "==" | "!=", value). `forbids X` is written as requiring X == False.
SPEC = {
    "r1": (("and", [("deadly", "==", True)]), ("and", [("threat", "==", True)])),
    "r2": (("and", [("deadly", "==", True), ("fleeing", "==", True)]),
           ("or", [("threat", "==", True), ("significant_threat", "==", True)])),
    "r3": (("and", [("force", "==", "firearm"), ("moving_vehicle", "==", True)]),
           ("and", [("threat", "==", True)])),
    "r4": (("and", [("force", "==", "firearm")]), ("and", [("warning_shot", "==", False)])),
    "r5": (("and", [("deadly", "==", True), ("warning_feasible", "==", True)]),
           ("and", [("warning_given", "==", True)])),
    "r6": (("and", [("force", "!=", "no_force"), ("injured", "==", True)]),
           ("and", [("aid_given", "==", True)])),
    "r7": (("and", [("deadly", "==", True)]), ("and", [("self_only_threat", "==", False)])),
    "r8": (("and", [("force", "!=", "no_force")]), ("and", [("reported", "==", True)])),
}


# --- the corpus ---------------------------------------------------------------------------------

def corpus(n: int, seed: int) -> list[list[dict]]:
    """n scenarios, each a list of 2 or 3 accounts; an account maps each field to a value or
    leaves it out (unknown), about a quarter of them."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        accounts = []
        for _ in range(rnd.choice((2, 3))):
            acc: dict = {}
            if rnd.random() > 0.25:
                acc["force"] = rnd.choice(FORCES)
            for f in YES_NO:
                if rnd.random() > 0.25:
                    acc[f] = rnd.random() < 0.5
            accounts.append(acc)
        out.append(accounts)
    return out


def scenario_yaml(i: int, accounts: list[dict]) -> str:
    def show(v):
        return ("yes" if v else "no") if isinstance(v, bool) else v

    body = "".join(
        f"  - id: a{j}\n    name: Account {j}\n" +
        ("    facts:\n" + "".join(f"      incident.{k}: {show(v)}\n" for k, v in acc.items()) if acc else "")
        for j, acc in enumerate(accounts))
    return (f"id: s{i}\ntitle: scenario {i}\nkind: teaching\nsummary: generated\npeople:\n"
            f"  - id: officer\n    role: officer\n    description: the officer\nevents: []\n"
            f"accounts:\n{body}")


# --- the reference: plain Python -----------------------------------------------------------------

def k3(field, op, value, acc):
    v = acc.get(field)
    if v is None:
        return None
    return (v == value) if op == "==" else (v != value)


def reference(acc: dict) -> list[str]:
    """Plain Python, written out rule by rule (Kleene logic: None is unknown)."""
    g = acc.get

    def both(a, b):
        return False if a is False or b is False else (True if a and b else None)

    def either(a, b):
        return True if a is True or b is True else (False if a is False and b is False else None)

    def verdict(t, r):
        if t is False:
            return "not_applicable"
        if t is True and r is not None:
            return "met" if r else "breached"
        return "undetermined"

    force, deadly, threat = g("force"), g("deadly"), g("threat")
    firearm = None if force is None else force == "firearm"
    any_force = None if force is None else force != "no_force"
    no_shot = None if g("warning_shot") is None else not g("warning_shot")
    not_self = None if g("self_only_threat") is None else not g("self_only_threat")
    return [
        verdict(deadly, threat),
        verdict(both(deadly, g("fleeing")), either(threat, g("significant_threat"))),
        verdict(both(firearm, g("moving_vehicle")), threat),
        verdict(firearm, no_shot),
        verdict(both(deadly, g("warning_feasible")), g("warning_given")),
        verdict(both(any_force, g("injured")), g("aid_given")),
        verdict(deadly, not_self),
        verdict(any_force, g("reported")),
    ]


def from_four(t_true: bool, t_false: bool, r_true: bool, r_false: bool) -> str:
    if t_false:
        return "not_applicable"
    if t_true and r_true:
        return "met"
    if t_true and r_false:
        return "breached"
    return "undetermined"


# --- the peers, written from SPEC ----------------------------------------------------------------

def _lit_rego(lit, sure: bool) -> str:
    f, op, v = lit
    v = json.dumps(v)
    return f"input.{f} {'==' if (op == '==') == sure else '!='} {v}"


def rego_text() -> str:
    lines = ["package uof", "import rego.v1", ""]
    for r, ((tk, tl), (rk, rl)) in SPEC.items():
        for part, (kind, lits) in (("t", (tk, tl)), ("q", (rk, rl))):
            # surely true: all (and) / any (or); surely false: any (and) / all (or)
            for sure in (True, False):
                name = f"{r}_{part}_{'true' if sure else 'false'}"
                together = (kind == "and") == sure
                if together:
                    lines.append(f"{name} if {{ {'; '.join(_lit_rego(x, sure) for x in lits)} }}")
                else:
                    lines += [f"{name} if {_lit_rego(x, sure)}" for x in lits]
        lines += [f'{r} := "not_applicable" if {r}_t_false',
                  f'else := "met" if {{ {r}_t_true; {r}_q_true }}',
                  f'else := "breached" if {{ {r}_t_true; {r}_q_false }}',
                  'else := "undetermined"', ""]
    lines.append("verdicts := [" + ", ".join(RULES) + "]")
    return "\n".join(lines) + "\n"


def _lit_cedar(lit, sure: bool) -> str:
    f, op, v = lit
    v = "true" if v is True else "false" if v is False else json.dumps(v)
    return f"(context has {f} && context.{f} {'==' if (op == '==') == sure else '!='} {v})"


def cedar_text() -> str:
    out = []
    for r, (trig, req) in SPEC.items():
        for part, (kind, lits) in (("t", trig), ("q", req)):
            for sure in (True, False):
                joiner = " && " if (kind == "and") == sure else " || "
                cond = joiner.join(_lit_cedar(x, sure) for x in lits)
                out.append(f'@id("{r}_{part}_{"true" if sure else "false"}")\n'
                           f"permit(principal, action, resource) when {{ {cond} }};")
    return "\n".join(out) + "\n"


def _lit_asp(lit, sure: bool) -> str:
    f, op, v = lit
    v = ("yes" if v else "no") if isinstance(v, bool) else v
    return f"val({f},{v})" if (op == "==") == sure else f"val({f},W{f}), W{f} != {v}"


def asp_text() -> str:
    lines = [f"field({f}, (yes;no))." for f in YES_NO] + [f"field(force, ({';'.join(FORCES)}))."]
    lines.append("#external val(F,V) : field(F,V).")
    for r, (trig, req) in SPEC.items():
        for part, (kind, lits) in (("t", trig), ("q", req)):
            for sure in (True, False):
                head = f"{part}_{'true' if sure else 'false'}({r})"
                if (kind == "and") == sure:
                    lines.append(f"{head} :- {', '.join(_lit_asp(x, sure) for x in lits)}.")
                else:
                    lines += [f"{head} :- {_lit_asp(x, sure)}." for x in lits]
    lines += ["verdict(R,not_applicable) :- t_false(R).",
              "verdict(R,met) :- t_true(R), q_true(R), not t_false(R).",
              "verdict(R,breached) :- t_true(R), q_false(R), not t_false(R).",
              "#show verdict/2."]
    return "\n".join(lines) + "\n"


def _lit_rule_engine(lit, sure: bool) -> str:
    f, op, v = lit
    v = "true" if v is True else "false" if v is False else json.dumps(v)
    if (op == "==") == sure:
        return f"{f} == {v}"
    return f"({f} != null and {f} != {v})"


def rule_engine_rules(rule_engine) -> list:
    rules = []
    ctx = rule_engine.Context(default_value=None)
    for _, (trig, req) in SPEC.items():
        four = []
        for kind, lits in (trig, req):
            for sure in (True, False):
                joiner = " and " if (kind == "and") == sure else " or "
                text = joiner.join(_lit_rule_engine(x, sure) for x in lits)
                four.append(rule_engine.Rule(text, context=ctx))
        rules.append(four)
    return rules


# --- engines: (name, prepare(accounts) -> inputs, run(inputs) -> verdict lists) ------------------

def engines(compiled, scenarios_fc, only: set[str] | None):
    """Every engine that can be loaded, as (name, prepare, run, note)."""
    from forcecheck.engine import exact
    from forcecheck.engine.constraints import Constraints
    from forcecheck.engine.exact import clause_outcome
    from forcecheck.engine.verdicts import constraints_of, exact_verdicts
    from forcecheck.evaluation.evaluate import evaluate

    clauses = compiled.policy.clauses
    out = []

    def py_prepare(chunk):
        return [acc for _, accs in chunk for acc in accs]

    out.append(("plain Python", py_prepare, lambda accs: [reference(a) for a in accs], "the reference"))

    def fc_prepare(chunk):
        return [(sc, [sc.world(a) for a in sc.accounts]) for sc, _ in chunk]

    def closures(run):
        """`run` with the exact search on the closures, as before the policy was compiled to source."""
        def on_closures(prepared):
            exact.USE_GENERATED = False
            try:
                return run(prepared)
            finally:
                exact.USE_GENERATED = True
        return on_closures

    def fc_generated(prepared):
        res = []
        for _, worlds in prepared:
            for w in worlds:
                res.append(exact_verdicts(compiled, w, constraints_of(compiled, w)))
        return res

    def fc_verdicts(prepared):
        res = []
        for _, worlds in prepared:
            for w in worlds:
                k = Constraints(compiled, w)
                res.append([clause_outcome(compiled, c, w, k)[1].verdict for c in clauses])
        return res

    def fc_traces(prepared):
        res = []
        for sc, _ in prepared:
            r = evaluate(compiled, sc, analyse=False)
            res += [[c.verdict for c in a.clauses] for a in r.accounts]
        return res

    def fc_check(prepared):
        res = []
        for sc, _ in prepared:
            r = evaluate(compiled, sc)
            res += [[c.verdict for c in a.clauses] for a in r.accounts]
        return res

    out.append(("forcecheck, exact verdicts", fc_prepare, fc_generated,
                "every completion of the unknowns, on the policy's generated source (exact_verdicts)"))
    out.append(("forcecheck, exact verdicts, per clause", fc_prepare, fc_verdicts,
                "clause_outcome with its items, on the generated source"))
    out.append(("forcecheck, exact verdicts, closures (before)", fc_prepare, closures(fc_verdicts),
                "clause_outcome on the closures, as before issue 23"))
    out.append(("forcecheck, verdicts + traces", fc_prepare, fc_traces, "evaluate(analyse=False)"))
    out.append(("forcecheck, verdicts + traces, closures (before)", fc_prepare, closures(fc_traces),
                "evaluate(analyse=False) with the search on the closures"))
    out.append(("forcecheck, all check computes", fc_prepare, fc_check,
                "evaluate(): traces, settling assignments, smallest deciding sets"))

    try:
        import regorus

        rego = rego_text()
        prog = regorus.Program.compile_from_modules("{}", [("uof.rego", rego)], ["data.uof.verdicts"])

        def rg_prepare(chunk):
            return [json.dumps(acc) for _, accs in chunk for acc in accs]

        vm = regorus.Rvm()
        vm.load_program(prog)

        def rg_run(inputs):
            res = []
            for text in inputs:
                vm.set_input_json(text)
                res.append(json.loads(vm.execute()))
            return res

        out.append(("regorus (Rego, RVM)", rg_prepare, rg_run,
                    "compiled once; two-valued, four tests a rule"))
    except ImportError:
        out.append(("regorus (Rego, RVM)", None, None, "not installed"))

    try:
        import cedarpy

        text = cedar_text()
        policies = cedarpy.PolicySet.from_str(text)
        # cedarpy names policies policy0, policy1... in the order written
        names = {f"policy{i}": line[5:-2] for i, line in enumerate(x for x in text.splitlines()
                                                                     if x.startswith("@id("))}
        entities = cedarpy.Entities.from_json_str("[]")

        def cd_prepare(chunk):
            return [{"principal": 'User::"officer"', "action": 'Action::"use_force"',
                     "resource": 'Incident::"i"', "context": acc} for _, accs in chunk for acc in accs]

        def cd_run(requests):
            res = []
            for req in requests:
                answer = cedarpy.is_authorized(req, policies, entities)
                reasons = {names[r] for r in answer.diagnostics.reasons}
                res.append([from_four(f"{r}_t_true" in reasons, f"{r}_t_false" in reasons,
                                      f"{r}_q_true" in reasons, f"{r}_q_false" in reasons) for r in RULES])
            return res

        out.append(("cedarpy (Cedar)", cd_prepare, cd_run,
                    "policies parsed once; the satisfied policies give the four tests"))
    except ImportError:
        out.append(("cedarpy (Cedar)", None, None, "not installed"))

    try:
        import clingo

        ctl = clingo.Control(["--warn=none"])
        ctl.add("base", [], asp_text())
        ctl.ground([("base", [])])
        atoms = {}
        for f in YES_NO:
            for v in ("yes", "no"):
                atoms[(f, v)] = clingo.Function("val", [clingo.Function(f), clingo.Function(v)])
        for v in FORCES:
            atoms[("force", v)] = clingo.Function("val", [clingo.Function("force"), clingo.Function(v)])

        def cl_prepare(chunk):
            out_ = []
            for _, accs in chunk:
                for acc in accs:
                    true = {atoms[(f, ("yes" if v else "no") if isinstance(v, bool) else v)]
                            for f, v in acc.items()}
                    out_.append([(a, a in true) for a in atoms.values()])
            return out_

        def cl_run(inputs):
            res = []
            for assignment in inputs:
                for atom, value in assignment:
                    ctl.assign_external(atom, value)
                found: dict = {}
                with ctl.solve(yield_=True) as handle:
                    for model in handle:
                        for sym in model.symbols(shown=True):
                            found[sym.arguments[0].name] = sym.arguments[1].name
                res.append([found.get(r, "undetermined") for r in RULES])
            return res

        out.append(("clingo (ASP)", cl_prepare, cl_run, "ground once, externals set per account"))
    except ImportError:
        out.append(("clingo (ASP)", None, None, "not installed"))

    try:
        import rule_engine

        rules = rule_engine_rules(rule_engine)

        def re_prepare(chunk):
            return [{k: acc.get(k) for k in ["force", *YES_NO]} for _, accs in chunk for acc in accs]

        def re_run(inputs):
            return [[from_four(*(rule.matches(acc) for rule in four)) for four in rules] for acc in inputs]

        out.append(("rule-engine", re_prepare, re_run, "pure Python; four expressions a rule"))
    except ImportError:
        out.append(("rule-engine", None, None, "not installed"))
    return [e for e in out if only is None or e[0] in only or e[2] is None]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenarios", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk", type=int, default=250)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()

    from forcecheck.policy.load import load_policy
    from forcecheck.scenario.load import load_scenario

    t = time.perf_counter()
    compiled = load_policy(HERE)
    data = corpus(args.scenarios, args.seed)
    scenarios = [(load_scenario(f"s{i}.yaml", compiled, text=scenario_yaml(i, accs)), accs)
                 for i, accs in enumerate(data)]
    accounts = sum(len(a) for a in data)
    print(f"{args.scenarios} scenarios, {accounts} accounts, prepared in {time.perf_counter() - t:.1f} s",
          file=sys.stderr)
    expected = [reference(acc) for accs in data for acc in accs]
    counts: dict = {}
    for row in expected:
        for v in row:
            counts[v] = counts.get(v, 0) + 1

    table = engines(compiled, scenarios, None)
    runnable = [e for e in table if e[1] is not None]
    # Agreement first, on the whole corpus: a wrong answer is not timed.
    agreement = {}
    for name, prepare, run, _ in runnable:
        got = run(prepare(scenarios))
        wrong = sum(1 for a, b in zip(got, expected, strict=True) if list(a) != b)
        agreement[name] = wrong
        print(f"{name}: {wrong} of {accounts} accounts differ from the reference", file=sys.stderr)
        if wrong:
            raise SystemExit(f"{name} disagrees with the reference: not timed")

    chunks = [scenarios[i:i + args.chunk] for i in range(0, len(scenarios), args.chunk)]
    times: dict[str, list[float]] = {e[0]: [] for e in runnable}
    for n, chunk in enumerate(chunks):
        order = runnable[n % len(runnable):] + runnable[:n % len(runnable)]
        for name, prepare, run, _ in order:
            inputs = prepare(chunk)
            gc.collect()
            gc.disable()  # as `timeit` does: a collection of the whole corpus is no engine's cost
            start = time.perf_counter()
            run(inputs)
            times[name].append(time.perf_counter() - start)
            gc.enable()
    base = times["plain Python"]
    rows = []
    for name, prepare, _, note in table:
        if prepare is None:
            rows.append({"engine": name, "note": note})
            continue
        ratios = [a / b for a, b in zip(times[name], base, strict=True)]
        rows.append({"engine": name, "note": note, "us_per_account": sum(times[name]) / accounts * 1e6,
                     "x_plain_python": statistics.median(ratios),
                     "x_range": [min(ratios), max(ratios)], "mismatches": agreement[name]})
    result = {"scenarios": args.scenarios, "accounts": accounts, "seed": args.seed, "chunk": args.chunk,
              "verdicts": counts, "python": platform.python_version(), "machine": platform.machine(),
              "rows": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "engines.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    fastest_peer = min((r["x_plain_python"] for r in rows if "x_plain_python" in r
                        and not r["engine"].startswith(("forcecheck", "plain"))), default=None)
    md = ["| engine | µs per account (8 rules) | × plain Python (median of chunks) | "
          "× fastest other engine | verdicts differing from the reference | how |",
          "|---|---|---|---|---|---|"]
    for r in rows:
        if "x_plain_python" not in r:
            md.append(f"| {r['engine']} | | | | | {r['note']} |")
            continue
        vs = f"{r['x_plain_python'] / fastest_peer:.2f}" if fastest_peer else ""
        md.append(f"| {r['engine']} | {r['us_per_account']:.1f} | {r['x_plain_python']:.1f} | {vs} | "
                  f"{r['mismatches']} | {r['note']} |")
    md.append("")
    md.append(f"{args.scenarios:,} scenarios, {accounts:,} accounts, seed {args.seed}, chunks of "
              f"{args.chunk} scenarios; verdicts in the corpus: " +
              ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())) + ".")
    (args.out / "engines.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()

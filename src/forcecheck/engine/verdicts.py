"""Every clause's exact verdicts in one world, on the policy's generated source, with nothing
built that the answer does not need: what a batch or a benchmark asks when it wants verdicts
and the sets of possible verdicts, not the items behind them.

A clause about the incident as a whole (no bindings) is one call of its generated function;
a definite result or the read-once shortcut answers at once, and anything else (bindings, a
search, constraints reading what the clause read) goes through `exact.clause_outcome`, so the
answers are the same by construction.
"""

from __future__ import annotations

from forcecheck.engine.constraints import Constraints
from forcecheck.engine.exact import Possible, _from_parts, _read_once_form, clause_outcome
from forcecheck.policy.codegen import incident_function
from forcecheck.policy.compiler import CompiledPolicy, World

_ONE = {"met": Possible(("met",)), "breached": Possible(("breached",)),
        "not_applicable": Possible(("not_applicable",))}
_NA, _MET, _BREACHED = _ONE["not_applicable"], _ONE["met"], _ONE["breached"]
_PARTS = {(t, h): _from_parts(t, h) for t in (True, None) for h in (True, False, None)}


def constraints_of(compiled: CompiledPolicy, world: World) -> Constraints | None:
    """The world's ground constraints; None when the policy has none (nothing to check)."""
    policy = compiled.policy
    if not policy.constraints and not policy.exclusive:
        return None
    return Constraints(compiled, world)


def _parts(trigger: object, held: object) -> Possible:
    simple = (trigger is True or trigger is None) and (held is True or held is False or held is None)
    return _PARTS[(trigger, held)] if simple else _from_parts(trigger, held)


def _verdict(trigger: object, held: object) -> str:
    return _parts(trigger, held).verdict


def _plan(compiled: CompiledPolicy) -> tuple:
    """The policy's clauses about the incident as one generated function (kept with the compiled
    policy), and for each clause of the policy its place in that function's answer (-1: none)."""
    plan = compiled.notes.get("verdict-plan")
    if plan is None:
        clauses = compiled.policy.clauses
        read_once = {c.id: _read_once_form(compiled, c) for c in clauses if not c.bindings}
        bind = {"NA": _NA, "MET": _MET, "BREACHED": _BREACHED, "PARTS": _parts, "max": max}
        fn, ids, _ = incident_function(compiled, read_once, bind)
        free, free_ids, _ = incident_function(compiled, read_once, bind, free=True)
        named = {"NA": "not_applicable", "MET": "met", "BREACHED": "breached", "PARTS": _verdict, "max": max}
        names, _, _ = incident_function(compiled, read_once, named, free=True)
        assert free_ids == ids
        place = {cid: i for i, cid in enumerate(ids)}
        slots = [place.get(c.id, -1) for c in clauses]
        plan = compiled.notes["verdict-plan"] = (fn, free, slots, slots == list(range(len(clauses))), names)
    return plan


def possible_verdicts(compiled: CompiledPolicy, world: World,
                      constraints: Constraints | None) -> list[Possible]:
    """The possible verdicts of every clause of the policy in `world`, in the policy's order
    (`clause_outcome(...)[1]` for each)."""
    fn, free, slots, whole, _ = _plan(compiled)
    values, questions = world.values, world.unsettled
    if type(values) is dict and type(questions) is dict:
        found, missing = (free if constraints is None else fn)(world, values, questions, constraints)
        if whole and not missing:
            return found
    else:
        found = [None] * len(slots)
    out = []
    for clause, slot in zip(compiled.policy.clauses, slots, strict=True):
        got = found[slot] if slot >= 0 else None
        out.append(got if got is not None else clause_outcome(compiled, clause, world, constraints)[1])
    return out


def exact_verdicts(compiled: CompiledPolicy, world: World, constraints: Constraints | None) -> list[str]:
    """The exact verdict of every clause in `world` (`possible_verdicts(...)[i].verdict`), with
    no set of possible verdicts built where the verdict alone answers."""
    _, _, slots, whole, names = _plan(compiled)
    values, questions = world.values, world.unsettled
    if constraints is None and whole and type(values) is dict and type(questions) is dict:
        found, missing = names(world, values, questions, None)
        if not missing:
            return found
    return [p.verdict for p in possible_verdicts(compiled, world, constraints)]

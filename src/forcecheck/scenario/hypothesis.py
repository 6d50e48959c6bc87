"""`--assume`: a hypothetical account from the command line, on top of the undisputed facts or
of one account, its facts checked against the policy's vocabulary as a scenario's are; and
`--settle`: open policy questions answered for every account of a run.

Values are read as in a scenario file (`parse_value`), so `--assume x.y=yes` means what
`x.y: yes` would.
"""

from __future__ import annotations

from forcecheck.diagnostics import Collector, did_you_mean
from forcecheck.policy import model as m
from forcecheck.scenario.scenario import Hypothesis, Scenario
from forcecheck.scenario.vocabulary import INVALID, parse_value


def parse_hypothesis(scenario: Scenario, policy: m.Policy, assumptions: list[str],
                     base: str | None) -> Hypothesis:
    """`--assume SUBJECT.FACT=VALUE` or `--assume QUESTION=yes|no`, on top of `base`."""
    out = Collector()
    ids = [a.id for a in scenario.accounts]
    if base is not None and base not in ids:
        out.error(None, "U002", f"{scenario.path}: no account '{base}' to start the hypothetical from",
                  did_you_mean(base, ids) or f"accounts: {', '.join(ids)}")
    facts: dict[tuple[str, str], object] = {}
    unsettled: dict[str, bool] = {}
    people = {p.id: p for p in scenario.model.people}
    events = {e.id for e in scenario.model.events}
    for text in assumptions:
        key, sep, raw = text.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key or not raw:
            out.error(None, "U004", f"--assume '{text}' should be SUBJECT.FACT=VALUE",
                      "e.g. --assume shots.subject_fleeing=yes, or --assume reaches_off_duty_officers=yes")
            continue
        if "." not in key:
            if key not in policy.unsettled:
                out.error(None, "U004", f"--assume: '{key}' is not an open question of the policy",
                          did_you_mean(key, policy.unsettled) or "write facts as SUBJECT.FACT=VALUE")
            elif raw.lower() not in ("yes", "no"):
                out.error(None, "U004", f"--assume: '{key}' is yes or no, not '{raw}'",
                          f"--assume {key}=yes or --assume {key}=no")
            else:
                unsettled[key] = raw.lower() == "yes"
            continue
        subject, name = key.split(".", 1)
        if subject == "incident":
            kind = "incident"
        elif subject in events:
            kind = "event"
        elif subject in people:
            kind = people[subject].role
        else:
            out.error(None, "U004", f"--assume: '{subject}' is not a person, an event or 'incident'",
                      did_you_mean(subject, [*people, *events, "incident"]))
            continue
        spec = policy.facts_about(kind).get(name)
        if spec is None:
            out.error(None, "U004", f"--assume: {subject} has no fact '{name}'",
                      did_you_mean(name, policy.facts_about(kind)))
            continue
        value = parse_value(spec, raw)
        if value is INVALID:
            allowed = "yes or no" if spec.kind == "yes_no" else (
                ", ".join(spec.values) if spec.kind == "one_of" else spec.kind)
            out.error(None, "U004", f"--assume: '{raw}' is not a value of {key} ({allowed})",
                      f"--assume {key}=VALUE, VALUE one of those")
            continue
        facts[(subject, name)] = value
    out.raise_if_errors()
    return Hypothesis(base, tuple((s_, f, v) for (s_, f), v in facts.items()), tuple(unsettled.items()))


def parse_answers(policy: m.Policy, answers: list[str]) -> dict[str, bool]:
    """`--settle QUESTION=yes|no`: open policy questions answered for a whole run, every account
    read with them (not a hypothetical)."""
    out = Collector()
    settled: dict[str, bool] = {}
    for text in answers:
        key, sep, raw = (x.strip() for x in text.partition("="))
        if not sep or not key or not raw:
            out.error(None, "U004", f"--settle '{text}' should be QUESTION=yes or QUESTION=no",
                      "e.g. --settle vehicle_specific_limits=no (`forcecheck check --questions` "
                      "lists the open questions)")
        elif key not in policy.unsettled:
            out.error(None, "U004", f"--settle: '{key}' is not an open question of the policy",
                      did_you_mean(key, policy.unsettled) or
                      f"its open questions: {', '.join(sorted(policy.unsettled)) or 'none'}")
        elif raw.lower() not in ("yes", "no"):
            out.error(None, "U004", f"--settle: '{key}' is yes or no, not '{raw}'",
                      f"--settle {key}=yes or --settle {key}=no")
        else:
            settled[key] = raw.lower() == "yes"
    out.raise_if_errors()
    return settled


def answered(scenario: Scenario, answers: dict[str, bool]) -> Scenario:
    """The scenario with every account read with these answers to open policy questions."""
    import dataclasses

    if not answers:
        return scenario
    accounts = tuple(dataclasses.replace(a, unsettled={**a.unsettled, **answers}) for a in scenario.accounts)
    return dataclasses.replace(scenario, accounts=accounts, checked={})

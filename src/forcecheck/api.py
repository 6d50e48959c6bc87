"""The library's front door: load a policy, load a scenario, check one under the other.

    >>> import forcecheck
    >>> result = forcecheck.check("scenarios/real/minneapolis-2026-01-07.yaml")
    >>> result.to_records()[0]["verdict"]

`check` is the pipeline, spelled out once: resolve the policy, load and validate the scenario
against its vocabulary, check the accounts and clauses asked for, parse a hypothetical, and
evaluate. The command line's `check`, its side-by-side view, `validate`, the batch workers and
the test runner all call it, so a batch record and a single report cannot disagree. Bad input
raises `InputError`, carrying the located diagnostics the command line prints.

Importing this module is cheap (start-up matters to the command line): everything heavy is
imported inside the functions that use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from forcecheck.diagnostics import Diagnostic, InputError, did_you_mean

if TYPE_CHECKING:
    from forcecheck.evaluation.results import ScenarioResult
    from forcecheck.policy.compiler import CompiledPolicy
    from forcecheck.scenario.scenario import Scenario

__all__ = ["InputError", "Result", "Verdict", "check", "document", "load_policy", "load_scenario", "render",
           "validate_clauses"]

Depth = Literal["verdicts", "full"]
"""How much `check` works out: `verdicts` (each verdict and the verdicts still possible: what a
batch record needs) or `full` (also traces, the facts that decide contested clauses and what
would settle each undetermined verdict: what a report shows). At `full`, traces and that
analysis are worked out when first read, so what an output does not show costs nothing."""


def load_policy(policy: str | Path | CompiledPolicy | None = "dhs") -> CompiledPolicy:
    """A shipped policy by name (`dhs`, `doj`, `cfr-287-8`), a policy file or a folder holding
    one, checked, its quotes proven against its source text, and compiled. A policy already
    loaded is returned as it is."""
    from forcecheck.policy.compiler import CompiledPolicy
    from forcecheck.policy.load import load_policy as load

    if isinstance(policy, CompiledPolicy):
        return policy
    return load(policy)


def load_scenario(source: str | Path, policy: str | Path | CompiledPolicy | None = "dhs", *,
                  text: str | None = None) -> Scenario:
    """A scenario from a file (a `Path`, or a `str` without a line break) or from YAML text (a
    `str` with one), validated against the policy's vocabulary. With `text`, `source` is only
    the name diagnostics give the text (as the command line names standard input `-`)."""
    from forcecheck.scenario.load import load_scenario as load

    compiled = load_policy(policy)
    if text is None and isinstance(source, str) and "\n" in source:
        source, text = "<text>", source
    return load(source, compiled, text=text)


def validate_clauses(policy: CompiledPolicy, clauses: Iterable[str] | None) -> None:
    """Raise `InputError` (with a "did you mean") for a clause id the policy does not have."""
    _known("clause", list(clauses or ()), [c.id for c in policy.policy.clauses], "U001",
           "see `forcecheck clauses`")


def check(scenario: Scenario | str | Path, policy: str | Path | CompiledPolicy | None = "dhs", *,
          accounts: Iterable[str] | None = None, clauses: Iterable[str] | None = None,
          assume: Iterable[str] | None = None, base: str | None = None,
          depth: Depth = "full", settle: Iterable[str] | None = None) -> Result:
    """Check a scenario (loaded, a path, or YAML text) under a policy: every clause (or those
    named) under every account (or those named); with `assume` (`FACT=VALUE` strings), also a
    hypothetical starting from the undisputed facts or from the account `base`; with `settle`
    (`QUESTION=yes|no` strings), every account read with those answers to open policy
    questions."""
    from forcecheck.evaluation.evaluate import evaluate
    from forcecheck.scenario.hypothesis import answered, parse_answers, parse_hypothesis

    compiled = load_policy(policy)
    sc = scenario if not isinstance(scenario, str | Path) else load_scenario(scenario, compiled)
    if settle:
        sc = answered(sc, parse_answers(compiled.policy, list(settle)))
    accounts = list(accounts) if accounts is not None else None
    clauses = list(clauses) if clauses is not None else None
    validate_clauses(compiled, clauses)
    _known("account", accounts, [a.id for a in sc.accounts], "U002", None, where=str(sc.path))
    hypothesis = None
    if assume or base:
        if not assume:
            raise InputError([Diagnostic(None, "U004", "--base needs at least one --assume",
                                         "e.g. --base dhs --assume shots.subject_fleeing=yes")])
        hypothesis = parse_hypothesis(sc, compiled.policy, list(assume), base)
    # The analysis (what would settle each open verdict, why accounts differ) runs when first
    # read: a report reads it, `validate` and the test runner mostly do not.
    result = evaluate(compiled, sc, accounts or None, clauses or None, hypothesis, depth=depth, lazy=True)
    return Result(result, compiled, depth)


def _known(what: str, given: list[str] | None, known: list[str], code: str, hint: str | None,
           where: str = "") -> None:
    for name in given or ():
        if name not in known:
            prefix = f"{where}: " if where else ""
            message = f"{prefix}no {what} '{name}'" if where else f"unknown {what} '{name}'"
            hint = did_you_mean(name, known) or hint or f"{what}s: {', '.join(known)}"
            raise InputError([Diagnostic(None, code, message, hint)])


@dataclass(frozen=True, slots=True)
class Verdict:
    """One verdict: a clause, for one thing it applies to (`item`: "incident", an event or a
    person id), under one account."""

    clause: str
    account: str
    item: str
    verdict: str  # met, breached, not_applicable or undetermined
    possible: tuple[str, ...]  # the verdicts some completion of the unknown facts still gives
    contested: bool  # the accounts' possible verdicts for this clause differ


@dataclass(frozen=True)
class Result:
    """What `check` found: the evaluation every output renders, with plain views of it."""

    evaluation: ScenarioResult
    policy: CompiledPolicy
    depth: Depth = "full"

    @property
    def breached(self) -> bool:
        """A binding (must / must not) clause is breached under some account."""
        return self.evaluation.breached

    @property
    def exit_code(self) -> int:
        """What the command line exits with: 1 when a binding clause is breached, else 0."""
        return 1 if self.breached else 0

    @cached_property
    def verdicts(self) -> tuple[Verdict, ...]:
        """Every item verdict, clause by clause in policy order, then account, then item."""
        r = self.evaluation
        return tuple(
            Verdict(cv.clause.id, a.account.id, item.label, item.verdict,
                    tuple(item.possible) or (item.verdict,), r.contested(cv.clause.id))
            for cv in (r.accounts[0].clauses if r.accounts else ())
            for a in r.accounts for item in a.clause(cv.clause.id).items)

    def warnings(self) -> list[Diagnostic]:
        """The warnings the command line prints with a report: an old fact name read as its
        new one (W012), and the unstated fact the open verdicts most hang on, and how to state
        it (W010)."""
        from forcecheck.evaluation.lints import unstated_warnings

        return [*self.evaluation.scenario.warnings, *unstated_warnings(self.evaluation)]

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per clause and account, in policy then account order, with keys
        `clause`, `account`, `verdict`, `possible` (a list) and `contested`."""
        r = self.evaluation
        return [{"clause": c.id, "account": a.account.id, "verdict": a.clause(c.id).verdict,
                 "possible": list(a.clause(c.id).possible or (a.clause(c.id).verdict,)),
                 "contested": r.contested(c.id)}
                for c in r.clauses for a in r.accounts]

    def to_dataframe(self):
        """`to_records()` as a pandas DataFrame (pandas is an optional extra:
        `pip install 'forcecheck[pandas]'`)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_dataframe needs pandas: pip install 'forcecheck[pandas]'") from None
        return pd.DataFrame.from_records(self.to_records(), columns=["clause", "account", "verdict",
                                                                      "possible", "contested"])

    def document(self, questions: bool = False, traces: bool = True):
        """The report document every format renders (`questions=True`: the open questions)."""
        return document([self], questions, traces)

    def render(self, format: str = "text", *, questions: bool = False, **options: Any) -> str:
        """The report as the command line writes it: `format` is text, markdown, html or json;
        `options` go to the renderer (text: `width`, `colour`, `explain`, `ascii_only`;
        markdown: `explain`)."""
        return render([self], format, questions=questions, **options)



def document(results: list[Result], questions: bool = False, traces: bool = True):
    """One report document for one or more checked scenarios (`questions=True`: only their open
    questions). Traces are built unless `traces=False` (the text summary shows none)."""
    from forcecheck.report.build import build, build_questions

    if any(r.depth != "full" for r in results):
        raise ValueError("a report needs check(..., depth='full')")
    evaluations = [r.evaluation for r in results]
    return build_questions(evaluations) if questions else build(evaluations, traces=traces)


def render(results: list[Result], format: str = "text", *, questions: bool = False, **options: Any) -> str:
    """One or more checked scenarios as one report in `format` (text, markdown, html or json)."""
    from forcecheck.report.render import render as render_document

    summary = format == "text" and options.get("explain", "summary") == "summary"
    return render_document(document(results, questions, traces=not summary), format, **options)

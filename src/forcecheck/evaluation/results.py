"""The results of an evaluation: verdicts per clause, item and account, with their traces.

Every output renders these (the report model is built from a `ScenarioResult`, and the test
runner and the lints read them), so they live apart from the code that computes them and
need nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from forcecheck.engine.analysis import Dispute, OpenQuestion, Settlement, Unknown
from forcecheck.engine.exact import Case
from forcecheck.policy import model as m
from forcecheck.scenario.scenario import Account, Scenario


@dataclass(frozen=True, slots=True)
class FactUse:
    """A fact as it entered a verdict: the question, the value, and who stated it."""

    subject: str
    fact: str
    question: str
    value: object
    stated_by: str | None  # account id, "undisputed", or None when no one states it
    source: str | None
    source_title: str | None
    quote: str | None
    note: str | None
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """One condition in a trace, its value, and the conditions or facts it rests on."""

    kind: str
    text: str
    rule: str
    value: object
    children: tuple[Step, ...] = ()
    fact: FactUse | None = None
    quote: m.QuoteRef | None = None
    ref: str | None = None  # what the step is about: "subject.fact", a definition or question name


Traces = tuple[Step | None, Step | None]  # the trigger's and the requirement's


@dataclass(frozen=True, slots=True)
class ItemVerdict:
    """A clause's verdict for one thing it applies to, under one account. Its traces are
    worked out when first asked for: most outputs show few of them (the default text report
    none), and a scenario with hundreds of items spent more on traces than on verdicts."""

    on: tuple[tuple[str, str], ...]  # (variable, id)
    verdict: str  # exact: the one possible verdict, or "undetermined"
    # (trigger, requirement), or a function giving them; None at depth "verdicts", which
    # keeps no traces
    traces: Traces | Callable[[], Traces] | None = field(default=None, compare=False, repr=False)
    unknowns: tuple[Unknown, ...] = ()  # for an undetermined verdict: what it waits on
    # (the smallest answers that would settle it, whether no bound cut that search short), or
    # the scenario's analysis, which works them out when first asked for (`deferred.py`)
    settled: tuple[tuple[Settlement, ...], bool] | Callable[[], object] = field(
        default=((), True), compare=False, repr=False)
    possible: tuple[str, ...] = ()  # every verdict some allowed completion gives
    exact: bool = True  # False when a bound left `possible` over-approximate
    # When the trace alone (unknowns and all) does not show the verdict: the unknown split
    # on first and what each of its values leaves possible ("if lethal: met; if not: met").
    case_on: Unknown | None = None
    cases: tuple[Case, ...] = ()

    @property
    def label(self) -> str:
        return "/".join(i for _, i in self.on) or "incident"

    @property
    def trigger(self) -> Step | None:
        """The trace of what makes the clause apply (None for a clause about the incident)."""
        return self._traced()[0]

    @property
    def requirement(self) -> Step | None:
        """The trace of what the clause requires (or forbids)."""
        return self._traced()[1]

    @property
    def settlements(self) -> tuple[Settlement, ...]:
        """The smallest answers to the unknowns that would settle an undetermined verdict."""
        return self._settled()[0]

    @property
    def search_complete(self) -> bool:
        """False when a bound of the search for `settlements` cut it short."""
        return self._settled()[1]

    def _settled(self) -> tuple[tuple[Settlement, ...], bool]:
        if callable(self.settled):
            self.settled()  # the scenario's whole analysis, which sets this item's answer
        return self.settled  # type: ignore[return-value]

    def _traced(self) -> Traces:
        traces = self.traces
        if callable(traces):
            traces = traces()
            object.__setattr__(self, "traces", traces)  # worked out once
        return traces or (None, None)


@dataclass(frozen=True, slots=True)
class ClauseVerdict:
    clause: m.Clause
    verdict: str
    items: tuple[ItemVerdict, ...]
    possible: tuple[str, ...] = ()
    exact: bool = True


@dataclass(frozen=True)
class AccountResult:
    account: Account
    clauses: tuple[ClauseVerdict, ...]

    def clause(self, clause_id: str) -> ClauseVerdict:
        return next(c for c in self.clauses if c.clause.id == clause_id)


@dataclass(frozen=True)
class Analysis:
    """What an evaluation's analysis found: why contested clauses differ, the open questions,
    and how many of its searches the scenario's work budget cut short."""

    disputes: dict[str, tuple[Dispute, ...]] = field(default_factory=dict)  # clause id -> why
    questions: tuple[OpenQuestion, ...] = ()  # unknown facts, most decisive first
    cut: int = 0


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    policy: m.Policy
    accounts: tuple[AccountResult, ...]
    # The analysis, or a function that runs it when it is first asked for: the verdicts and
    # the unknowns each waits on are known at once, what settles them only when read.
    analysed: Analysis | Callable[[], Analysis] = field(default_factory=Analysis, compare=False,
                                                        repr=False)
    hypothetical: HypotheticalResult | None = None  # never an account: shown apart
    depth: str = "full"  # "verdicts": no traces, disputes or settlements (see `verdicts.py`)
    # depth "verdicts": contested clause id -> the facts ("subject.fact") the accounts state
    # differently that it reads; the full depth has `disputes` instead
    differing: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def analysis(self) -> Analysis:
        return self.analysed() if callable(self.analysed) else self.analysed

    @property
    def disputes(self) -> dict[str, tuple[Dispute, ...]]:
        """Contested clause id -> why the accounts differ."""
        return self.analysis.disputes

    @property
    def questions(self) -> tuple[OpenQuestion, ...]:
        """Unknown facts, most decisive first."""
        return self.analysis.questions

    @property
    def analysis_cut(self) -> int:
        """Searches of the analysis the scenario's work budget cut short."""
        return self.analysis.cut

    @property
    def clauses(self) -> tuple[m.Clause, ...]:
        return tuple(c.clause for c in self.accounts[0].clauses) if self.accounts else ()

    def verdicts(self, clause_id: str) -> dict[str, str]:
        return {a.account.id: a.clause(clause_id).verdict for a in self.accounts}

    def possible(self, clause_id: str) -> dict[str, tuple[str, ...]]:
        return {a.account.id: a.clause(clause_id).possible for a in self.accounts}

    def contested(self, clause_id: str) -> bool:
        """The accounts' possible verdicts differ."""
        return len(set(self.possible(clause_id).values())) > 1

    def implicated(self, clause_id: str) -> bool:
        hypo = [self.hypothetical.result.clause(clause_id).possible] if self.hypothetical else []
        return any(p != ("not_applicable",) for p in [*self.possible(clause_id).values(), *hypo])

    @property
    def breached(self) -> bool:
        """A binding clause (must / must not) breached under some account."""
        return any(c.verdict == "breached" and c.clause.counted
                   for a in self.accounts for c in a.clauses)


@dataclass(frozen=True)
class Change:
    """One assumption of a hypothetical, against the account it starts from."""

    subject: str
    fact: str
    question: str
    before: object
    after: object


@dataclass(frozen=True)
class HypotheticalResult:
    result: AccountResult
    base: str | None
    changes: tuple[Change, ...]

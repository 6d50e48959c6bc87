"""The report model: what a report shows, built once from the results (`build.py`).

Text, Markdown, HTML and JSON all render this one model; none walks the results on its own.
The model is also the JSON contract: `forcecheck.check/3` is `Report.model_dump()`, and its
JSON Schema (docs/check-output.schema.json) is generated from these classes.

Every string that enters the model passes through `visible`, so a control character or a
bidirectional override from a scenario or a policy file reaches no rendering as itself.

Start-up: building these classes is most of what importing this module costs, so annotations
are objects, not strings (no `from __future__ import annotations`: pydantic would compile each
of some 230 annotation strings), and `visible` is one validator per class, not one per field.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forcecheck.diagnostics import visible

FORMAT = "forcecheck.check/3"
QUESTIONS_FORMAT = "forcecheck.questions/2"

Verdict = Literal["met", "breached", "undetermined", "not_applicable"]
Possible = Literal["met", "breached", "not_applicable"]
Value = bool | float | int | str | None


def _clean(v: Any) -> Any:
    if isinstance(v, str):
        # Printable ASCII (most text) has nothing to escape: skip the regular expression.
        return v if v.isascii() and v.isprintable() else visible(v)
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    if isinstance(v, dict):
        return {_clean(k): _clean(x) for k, x in v.items()}
    return v


class Part(BaseModel):
    """A part of the report. Consumers must ignore fields they do not know: a new field
    is added without a new format version."""

    model_config = ConfigDict(frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _visible(cls, v: Any) -> Any:  # every field's value as given, before it is validated
        return {k: _clean(x) for k, x in v.items()} if isinstance(v, dict) else v


# --- the incident -------------------------------------------------------------------------------


class Source(Part):
    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: str | None = None


class Person(Part):
    id: str
    role: str
    label: str = Field(description="How the report names this person: the start of the description.")
    description: str
    agency: str | None = None
    accounts: list[str] = Field(description="The accounts in which this person was there.")


class Event(Part):
    id: str
    position: int = Field(description="1-based place in the scenario's timeline.")
    time: str | None = None
    actor: str
    action: str
    action_text: str = Field(description="The action in the policy vocabulary's words.")
    target: str | None = None
    label: str = Field(description="Who did what to whom, in words.")
    title: str = Field("", description="The event as a sentence for a heading: the first sentence "
                       "of its description, or `label` when it has none.")
    description: str
    accounts: list[str] = Field(description="The accounts in which this event happened.")
    differs: bool = Field(description="Not every account has this event, or they order it differently.")
    clauses: list[str] = Field(description="The clauses whose verdicts are about this event.")


class Coverage(Part):
    partial: Literal["source_read_in_part", "omits"] = Field(
        description="source_read_in_part: its source was read only in part; omits: it leaves "
        "things out rather than denying them.")
    note: str = Field(description="What is missing or left out, as the scenario says.")
    words: str = Field(description="The sentence the reports show: its silence is not a denial.")


class AccountInfo(Part):
    id: str
    name: str
    sources: list[str]
    summary: str | None = None
    coverage: Coverage | None = Field(None, description="Set when the account is marked partial: "
                                      "what it does not state is unknown, not denied.")
    timeline: list[str] = Field(description="This account's events, in its order.")


# --- verdicts -------------------------------------------------------------------------------------


class Cell(Part):
    account: str
    verdict: Verdict
    possible: list[Possible] = Field(description="Every verdict some allowed completion of the "
                                     "unknown facts and open policy questions gives.")
    exact: bool = Field(description="False when a search bound left `possible` a superset.")
    short: str = Field(description="The table cell: 'met', '? met/n/a'.")
    words: str = Field(description="The verdict in words: 'undetermined: met or not applicable'.")


class Row(Part):
    clause: str
    title: str
    strength: Literal["must", "must not", "should"]
    binding: bool
    restates: str | None = Field(None, description="The clause this one restates (breached exactly "
                                 "when it is): shown, but its breach is counted once, under that clause.")
    contested: bool
    changed: bool = Field(False, description="The hypothetical's verdict differs from its base's.")
    cells: list[Cell]


class Attribution(Part):
    """What one account says of a fact, and on what source."""

    account: str
    value: Value
    value_text: str
    stated_by: str | None = Field(description="The account id, 'undisputed', 'assumed', or null "
                                  "when no one states it.")
    source: str | None
    source_title: str | None
    source_url: str | None
    quote: str | None
    note: str | None
    inferred: bool
    text: str = Field(description="Who says so, in words.")


class Numbered(Part):
    """A fact (or open policy question) the report lists once and refers to by `ref`."""

    ref: str = Field(description="How the report refers to it: 'F1'... a disputed fact, 'Q1'... an "
                     "open question, most decisive first.")
    subject: str
    subject_label: str
    fact: str
    key: str = Field(description="SUBJECT.FACT (or the policy question's name), as --assume takes it.")
    question: str


class DisputedFact(Numbered):
    conflict: bool = Field(description="At least two accounts state different values (not merely "
                           "one silent).")
    standing: str = Field(description="'the accounts conflict', or which accounts alone state it.")
    positions: list[Attribution]


class Dispute(Part):
    from_account: str
    to_account: str
    from_possible: list[Possible]
    to_possible: list[Possible]
    smallest: bool
    facts: list[str] = Field(description="Refs of the disputed facts that flip it.")


class Contested(Part):
    clause: str
    title: str
    cells: list[Cell]
    facts: list[str] = Field(description="Refs of the disputed facts that decide it.")
    disputes: list[Dispute]


class Decided(Part):
    account: str
    clause: str
    on: str
    ways: str = Field(description="'if yes, met; if no, breached', or 'with other facts'.")


class Question(Numbered):
    values: list[Value]
    assume: str | None = Field(description="How to try it: the --assume argument.")
    decides: list[Decided]


# --- traces -----------------------------------------------------------------------------------------


class Quote(Part):
    document: str
    document_title: str | None = None
    section: str | None
    provenance: Literal["seed-quote", "transcription", "partial", "paraphrase"]
    citation: str
    text: str
    caveat: str | None


class FactInfo(Part):
    subject: str
    subject_label: str
    fact: str
    question: str
    value: Value
    stated_by: str | None
    source: str | None
    source_title: str | None
    quote: str | None
    note: str | None
    inferred: bool
    said: str = Field(description="Who says so, in words.")


class TraceStep(Part):
    """One condition of a verdict in words (`text`), with the rule it comes from (`rule`)."""

    kind: Literal["fact", "open", "definition", "exception", "all", "any", "not", "quantifier",
                  "member", "test", "value", "forbids"]
    text: str
    rule: str
    value: Value
    value_text: str
    ref: str | None = None
    fact: FactInfo | None = None
    quote: Quote | None = None
    children: list["TraceStep"] = []


class Assignment(Part):
    subject: str
    fact: str
    key: str
    question: str
    value: Value
    value_text: str


class Settlement(Part):
    verdict: Verdict
    when: Annotated[list[Assignment], Field(alias="if")]

    model_config = ConfigDict(frozen=True, populate_by_name=True)


class Case(Part):
    value: Value
    value_text: str
    possible: list[Possible]
    ruled_out_by: list[str]
    given: list[str]


class Waiting(Part):
    subject: str
    fact: str
    question: str
    values: list[Value]


class Item(Part):
    """A clause's verdict for one thing it applies to."""

    on: dict[str, str]
    label: str
    about: str = Field(description="What the item is about, in words.")
    verdict: Verdict
    possible: list[Possible]
    exact: bool
    words: str
    case_on: Waiting | None = None
    cases: list[Case] = []
    trigger: TraceStep | None = Field(description="Where it applies; null when the clause applies "
                                      "to every such thing, or the report was built without traces.")
    requirement: TraceStep | None = Field(description="What it requires; null only in a report built "
                                          "without traces (never in --format json).")
    unknowns: list[Waiting] = []
    settlements: list[Settlement] = []
    search_complete: bool = True


class AccountVerdict(Part):
    account: str
    name: str
    verdict: Verdict
    possible: list[Possible]
    exact: bool
    words: str
    why: str = Field(description="One sentence: what the verdict rests on, or what it waits on.")
    items: list[Item]


class DefinitionReading(Part):
    definition: str
    title: str
    reading: str


class ClauseCard(Part):
    id: str
    title: str
    strength: Literal["must", "must not", "should"]
    binding: bool
    contested: bool
    highlighted: bool = Field(description="Breached, contested or possibly breached somewhere: "
                              "shown by default.")
    quotes: list[Quote]
    reading: str | None
    rule: str = Field(description="The clause as the policy file writes it, for policy authors.")
    definition_readings: list[DefinitionReading]
    facts: list[str] = Field(description="Refs of the disputed facts that decide it.")
    verdicts: list[AccountVerdict]
    hypothetical: AccountVerdict | None = None


class Assumption(Part):
    subject: str
    fact: str
    question: str
    before: Value
    assumed: Value
    was: str


class ClauseVerdictCell(Cell):
    clause: str


class Hypothetical(Part):
    base: str | None
    name: str
    start: str = Field(description="What it starts from: 'the Family account' or the undisputed facts.")
    assumptions: list[Assumption]
    verdicts: list[ClauseVerdictCell]


class Answer(Part):
    """An open policy question answered for the run (`--settle`), not by the policy's text."""

    question: str = Field(description="The open question's name, e.g. vehicle_specific_limits.")
    text: str = Field(description="The question as the policy asks it.")
    value: bool
    value_text: str
    verbatim: bool = Field(description="The answer is the policy's text as found.")


class ScenarioReport(Part):
    answer: list[str] = Field([], description="The answer in sentences, shown first: one per account "
                              "(which binding clauses are breached or could be), then what the accounts "
                              "conflict on and the question most verdicts wait on.")
    id: str
    title: str
    kind: Literal["real", "teaching"]
    file: str
    date: str | None
    time: str | None
    place: str | None
    summary: str
    sources: list[Source]
    people: list[Person]
    events: list[Event]
    accounts: list[AccountInfo]
    hypothetical: Hypothetical | None = None
    answered: list[Answer] = Field([], description="Open policy questions answered for this run "
                                   "(--settle): every account is read with these answers.")
    table: list[Row]
    contested: list[Contested]
    disputed_facts: list[DisputedFact]
    questions: list[Question]
    clauses: list[ClauseCard] = Field(description="Every clause that applies under some account.")
    breached: bool = Field(description="A must / must not clause determinately breached under an account.")
    analysis_cut: int = Field(0, description="Searches for what would decide a verdict, or why the "
                              "accounts differ, that the scenario's work budget cut short (their "
                              "answers may be incomplete; the verdicts are not affected).")


class Tool(Part):
    name: Literal["forcecheck"] = "forcecheck"
    version: str


class PolicyInfo(Part):
    id: str
    title: str
    document: str
    version: str
    sha256: str = Field(description="Hash of the policy file and the source texts its quotes "
                        "are proven against.")


class Report(Part):
    format: Literal["forcecheck.check/3"] = FORMAT
    tool: Tool
    policy: PolicyInfo | None
    scenarios: list[ScenarioReport]
    breached: bool
    disclaimer: str
    status: str = Field("", description="Why `forcecheck check` exits as it does, in a sentence.")


class ScenarioQuestions(Part):
    id: str
    title: str
    questions: list[Question]


class QuestionsReport(Part):
    format: Literal["forcecheck.questions/2"] = QUESTIONS_FORMAT
    tool: Tool
    scenarios: list[ScenarioQuestions]

"""The documents of the batch, side-by-side and corpus outputs, as pydantic models.

Each is a public JSON contract (`forcecheck.record/1`, `forcecheck.compare/1`,
`forcecheck.corpus/1`), versioned by its `format` field, with its JSON Schema generated from
these classes (`python -m forcecheck.report.json` writes docs/*-output.schema.json). The check
report and the open questions are in `model.py`. Every document allows fields it does not know
when it is read back (a later version may add some), and the corpus report reads batch records
through `Record`, so a line that is not a record is refused at its line, never half-read.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from forcecheck.diagnostics import visible

Verdict = Literal["met", "breached", "undetermined", "not_applicable"]
Possible = Literal["met", "breached", "not_applicable"]
Status = Literal["breached", "breach_possible", "undetermined", "met", "not_applicable"]


class Document(BaseModel):
    """A part of a document: strings from files are shown with control characters escaped."""

    model_config = ConfigDict(extra="allow", strict=True)  # "2" is not a count: a record says 2
    omitted_when_none: ClassVar[tuple[str, ...]] = ()  # top-level fields left out when None

    def line(self) -> str:
        """The document as one compact JSON line (a batch writes one per scenario)."""
        return self.line_of(self.model_dump())

    @classmethod
    def line_of(cls, data: dict[str, Any]) -> str:
        """`line()` of a document dumped already (`model_dump()`, fields in order)."""
        kept = {k: v for k, v in data.items() if v is not None or k not in cls.omitted_when_none}
        return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))

    @field_validator("*", mode="before")
    @classmethod
    def _visible(cls, v: Any) -> Any:
        return visible(v) if isinstance(v, str) else v


# --- the batch record (forcecheck.record/1) ----------------------------------------------------


class OpenQuestion(Document):
    fact: str = Field(description="`subject.fact`, or the name of an open question of the policy.")
    question: str
    waiting: int = Field(ge=0, description="How many (account, clause) verdicts wait on it.")


class PolicyRef(Document):
    id: str
    title: str


class Imported(Document):
    """Where an imported scenario came from."""

    database: str
    id: str
    mapping: str | None = None
    fields: dict[str, str | None] = {}
    attribution: dict[str, str] = Field({}, description="The database's title, publisher, url and "
                                        "licence, from the mapping.")
    codes: list[str] = Field([], description="column=code of every code the record has in the "
                             "columns its mapping reads.")


class Record(Document):
    """One checked scenario of a batch: one line of JSON Lines."""

    format: Literal["forcecheck.record/1"] = "forcecheck.record/1"
    path: str
    scenario: str
    title: str
    accounts: list[str]
    breached: bool = Field(description="A must / must not clause is breached under some account.")
    verdicts: dict[str, dict[str, Verdict]] = Field(description="clause -> account -> verdict.")
    possible: dict[str, dict[str, list[Possible]]] = Field(
        description="clause -> account -> the verdicts still possible, where more than one is.")
    contested: dict[str, list[str]] = Field(
        description="contested clause -> the facts the accounts state differently that it reads.")
    open_questions: list[OpenQuestion]
    policy: PolicyRef
    record: Imported | None = Field(None, description="Only for imported scenarios.")
    report: dict[str, Any] | None = Field(None, description="Only with --explain: forcecheck.check/3.")

    omitted_when_none: ClassVar[tuple[str, ...]] = ("record", "report")


class ErrorItem(BaseModel):
    model_config = ConfigDict(strict=True)

    path: str | None
    line: int | None
    column: int | None
    end_column: int | None = None
    severity: Literal["error", "warning"]
    code: str
    message: str
    hint: str | None = None


class ErrorRecord(Document):
    """A scenario that could not be checked: its diagnostics, located."""

    format: Literal["forcecheck.record/1"] = "forcecheck.record/1"
    path: str
    errors: list[ErrorItem]


# --- one scenario under several policies (forcecheck.compare/1) -------------------------------


class CompareCell(Document):
    account: str
    verdict: Verdict
    possible: list[Possible]
    short: str = Field(description="The verdict as the text table shows it.")


class CompareRow(Document):
    clause: str
    title: str
    strength: Literal["must", "must not", "should"]
    concept: str | None
    cells: list[CompareCell]


class PolicyTable(Document):
    policy: str
    rows: list[CompareRow]


class ConceptClause(Document):
    clause: str
    verdict: Verdict
    possible: list[Possible]
    short: str


class ConceptCell(Document):
    """One policy's verdict on a concept. Where the policy has several clauses for it, they are
    combined: breached if any is, could be breached if any could be; `clauses` has each."""

    policy: str
    clause: str = Field(description="The policy's clauses for the concept, joined with ' + '.")
    verdict: Verdict
    possible: list[Possible]
    short: str
    clauses: list[ConceptClause] = Field(description="Each of the policy's clauses for the concept.")
    reading: str | None = Field(None, description="For a verdict the policy's text settles and only an "
                                "open policy question reopens: 'met on the policy's text; breached only "
                                "if vehicle_specific_limits yes'.")


class Wording(Document):
    policy: str
    clause: str
    document: str
    section: str
    provenance: Literal["seed-quote", "transcription", "partial", "paraphrase"]
    quote: str
    reading: str | None = None


class SharedConcept(Document):
    concept: str
    account: str
    account_name: str
    cells: list[ConceptCell]
    differs: bool = Field(description="The policies come out differently on this concept.")
    wording: list[Wording] | None = Field(None, description="Each policy's words, where they differ.")


class AccountRef(Document):
    id: str
    name: str


class ComparedPolicy(Document):
    id: str
    title: str
    sha256: str


class Comparison(Document):
    """One scenario under several policies, side by side."""

    format: Literal["forcecheck.compare/1"] = "forcecheck.compare/1"
    scenario: str
    title: str
    accounts: list[AccountRef]
    policies: list[ComparedPolicy]
    tables: list[PolicyTable]
    concepts: list[SharedConcept]


# --- the corpus report (forcecheck.corpus/1) ---------------------------------------------------


class CorpusQuestion(Document):
    fact: str
    question: str
    records: int
    verdicts: int


class Cell(Document):
    clause: str
    status: Status
    records: list[dict[str, str | None]]


class CorpusReport(Document):
    """What a policy's clauses say across a corpus of checked records."""

    format: Literal["forcecheck.corpus/1"] = "forcecheck.corpus/1"
    records: int
    errors: int = Field(description="Records that could not be checked (error records).")
    bad_lines: list[int] = Field([], description="Lines of the input that were not records.")
    filtered_out: int
    filters: dict[str, str]
    policy: dict[str, str]
    framing: str
    databases: dict[str, int]
    clauses: dict[str, dict[Status, int]]
    questions: list[CorpusQuestion]
    cells: list[Cell]
    attribution: dict[str, dict[str, str]] = Field({}, description="database -> its title, publisher, "
                                                   "url and licence, from the records.")
    structural: dict[str, list[str]] = Field({}, description="clause -> outcomes fixed by the mapping "
                                             "whatever the data (worked out from the mapping alone).")
    resting: dict[str, dict[str, list[dict[str, Any]]]] = Field(
        {}, description="clause -> outcome -> the codes its records were coded with (code, records, "
        "secondary, reading), among those whose readings state what the clause reads.")
    by: str | None = Field(None, description="The field of the breakdown (--by).")
    groups: list[dict[str, Any]] = Field([], description="Per clause shown, one row per group: records, "
                                         "applies, counts per status, unknown_rate.")
    against: dict[str, Any] | None = Field(None, description="The comparison with an older corpus "
                                           "(--against): joined, only_new, only_old, transitions.")


# --- the casebook of real incidents (forcecheck.casebook/1) ------------------------------------


class CasebookAccount(Document):
    id: str
    name: str
    partial: Literal["source_read_in_part", "omits"] | None = Field(
        None, description="Set when the account is marked partial: its silence is not a denial.")
    verdicts: dict[str, str] = Field(description="clause -> the verdict as the table shows it.")
    breached: list[str] = Field(description="Its must clauses breached under this account.")


class CasebookIncident(Document):
    scenario: str
    title: str
    date: str | None
    place: str | None
    agencies: list[str]
    accounts: list[CasebookAccount]
    contested: dict[str, list[str]] = Field(
        description="contested clause -> the facts the accounts state differently that it reads.")
    report: str | None = Field(None, description="Where the incident's full report is, if written.")
    file: str = Field(description="The scenario file, as given.")


class Casebook(Document):
    """Real incidents side by side: each account's verdicts on the headline clauses."""

    format: Literal["forcecheck.casebook/1"] = "forcecheck.casebook/1"
    policy: PolicyRef
    clauses: list[str]
    incidents: list[CasebookIncident]

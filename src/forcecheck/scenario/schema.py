"""The scenario file format as pydantic models, and pydantic's errors as diagnostics at file:line:col.

The models declare the shape only (keys, lists, required fields, id patterns): what a fact,
role or action may be is the policy's vocabulary to say (see `vocabulary`), so nothing is
declared twice. Import mappings reuse `Strict` and `pydantic_diagnostics` for their own files.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from forcecheck.diagnostics import Diagnostic, did_you_mean, known_list
from forcecheck.scenario.yamlsource import YamlDoc

VERDICTS = ("not_applicable", "met", "breached", "undetermined")
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


class Strict(BaseModel):
    """Unknown keys are errors (a misspelt key is reported, never ignored), and a model is frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceModel(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    publisher: str | None = None
    url: str | None = None
    date: str | None = None


class PersonModel(Strict):
    id: str = Field(pattern=ID_PATTERN)
    role: str
    description: str
    agency: str | None = None
    accounts: list[str] | None = None  # the accounts in which this person was there; default all


class EventModel(Strict):
    id: str = Field(pattern=ID_PATTERN)
    actor: str
    action: str
    target: str | None = None
    time: str | None = None
    description: str
    accounts: list[str] | None = None  # the accounts in which this event happened; default all


class StatementModel(Strict):
    value: str | None
    source: str | None = None
    quote: str | None = None
    note: str | None = None
    # The source does not say this in words; it follows from what the account says (the note
    # says how). Shown wherever the statement is.
    inferred: bool = False


FactEntry = str | StatementModel | None


class UndisputedModel(Strict):
    sources: list[str] = []
    facts: dict[str, FactEntry] = {}


class CoverageModel(Strict):
    """An account that does not cover the whole incident: its source was read only in part
    (a copy that breaks off), or it leaves things out rather than denying them (a police report
    that omits the shots). What it does not state stays unknown, never "no"; reports say so."""

    partial: Literal["source_read_in_part", "omits"]
    note: str = Field(min_length=1)  # what is missing or left out, and how we know


class AccountModel(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    sources: list[str] = []
    summary: str | None = None
    coverage: CoverageModel | None = None  # absent: nothing is known to be missing
    facts: dict[str, FactEntry] = {}
    order: list[str] = []  # "EVENT before EVENT" / "EVENT after EVENT", where it differs from the timeline


class RecordModel(Strict):
    """Where an imported scenario came from: a database, its record, and the record's fields
    that a corpus report can filter on (`forcecheck import` writes it)."""

    database: str
    id: str
    mapping: str | None = None
    fields: dict[str, str | None] = {}
    # the database's title, publisher, url and licence, from the mapping
    attribution: dict[str, str] = {}
    codes: list[str] = []  # "column=code" of every code the record has in the mapping's columns


class ExpectModel(BaseModel):
    """Expected results under one policy: per account (`dhs: {clause: verdict}`), plus reserved
    keys."""

    model_config = ConfigDict(extra="allow", frozen=True)
    contested: list[str] | None = None  # exactly the contested clauses
    deciding: dict[str, list[str]] | None = None  # clause -> the facts that decide its dispute
    undetermined: dict[str, list[str]] | None = None  # account -> exactly its undetermined clauses
    # The policy (its id) the expectations are for; by default the shipped DHS policy. A file
    # read under several policies holds a list of these, one per policy (`Expectations`).
    policy: str | None = None

    @property
    def policy_id(self) -> str:
        return self.policy or DEFAULT_POLICY_ID

    def applies_to(self, policy_id: str) -> bool:
        return self.policy_id == policy_id

    def by_account(self) -> dict[str, object]:
        return dict(self.model_extra or {})


RESERVED_EXPECT_KEYS = ("contested", "deciding", "undetermined", "policy")
DEFAULT_POLICY_ID = "dhs-uof"


def expectation_blocks(expect: ExpectModel | list[ExpectModel]) -> list[tuple[ExpectModel, tuple]]:
    """Each policy's expectations with where they stand in the file: `expect:` is one block
    (the one-policy form) or a list of blocks, each naming its policy."""
    if isinstance(expect, list):
        return [(block, ("expect", i)) for i, block in enumerate(expect)]
    return [(expect, ("expect",))]


class ScenarioModel(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    kind: Literal["real", "teaching"]
    date: str | None = None
    time: str | None = None
    place: str | None = None
    summary: str
    sources: list[SourceModel] = []
    people: list[PersonModel] = Field(min_length=1)
    events: list[EventModel] = []
    undisputed: UndisputedModel = UndisputedModel()
    accounts: list[AccountModel] = Field(min_length=1)
    record: RecordModel | None = None
    # One policy's expectations, or a list of them (one per policy the case is read under).
    expect: ExpectModel | list[ExpectModel] = ExpectModel()

    def expectations(self, policy_id: str) -> tuple[ExpectModel, tuple] | None:
        """The expectations for one policy, and their place in the file (None: none for it)."""
        return next(((b, loc) for b, loc in expectation_blocks(self.expect) if b.applies_to(policy_id)),
                    None)


_FIELD_HINTS = {
    "missing": "add it",
    "extra_forbidden": None,
    "string_pattern_mismatch": "ids use lower-case letters, digits, '-' and '_'",
    "too_short": "at least one is needed",
}


def pydantic_diagnostics(exc: ValidationError, doc: YamlDoc, root: type[BaseModel] | None = None,
                         codes: tuple[str, str, str] = ("S002", "S003", "S004"),
                         what: str = "the scenario") -> list[Diagnostic]:
    """pydantic's errors as located diagnostics (unknown key, missing key, bad value), for a
    scenario or, with `root` and `codes`, another file validated by a model."""
    unknown, missing, bad = codes
    out: list[Diagnostic] = []
    seen: set[tuple] = set()
    for err in exc.errors():
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and "[" in x) and x not in
                    ("str", "StatementModel", "function-after"))
        kind = err["type"]
        if (loc, kind) in seen:
            continue
        seen.add((loc, kind))
        where = ".".join(str(x) for x in loc) or "the file"
        if kind == "extra_forbidden":
            parent = _model_at(loc[:-1], root or ScenarioModel)
            known = list(parent.model_fields) if parent else []
            out.append(Diagnostic(doc.span(loc, key=True), unknown, f"unknown key '{loc[-1]}' in "
                                  f"{'.'.join(str(x) for x in loc[:-1]) or what}",
                                  did_you_mean(str(loc[-1]), known) or f"allowed: {known_list(known, 12)}"))
        elif kind == "missing":
            out.append(Diagnostic(doc.span(loc[:-1]), missing, f"'{loc[-1]}' is missing"
                                  + (f" in {'.'.join(str(x) for x in loc[:-1])}" if loc[:-1] else ""),
                                  f"add a '{loc[-1]}:' entry"))
        elif kind == "literal_error":
            out.append(Diagnostic(doc.span(loc), bad, f"{where}: {err['msg'].lower()}",
                                  "write one of the values the message names"))
        else:
            out.append(Diagnostic(doc.span(loc), bad, f"{where}: {err['msg'].lower()}",
                                  _FIELD_HINTS.get(kind)))
    # A union of str | mapping reports twice; keep the clearest per place.
    by_place: dict[tuple, Diagnostic] = {}
    for d in out:
        by_place.setdefault((d.span.line, d.span.column) if d.span else (0, 0), d)
    return sorted(by_place.values(), key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0))


def _model_at(loc: tuple, root: type[BaseModel]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        ann = field.annotation
        inner = getattr(ann, "__args__", None)
        candidates = [*inner] if inner else [ann]
        model = next((c for a in candidates for c in [a, *getattr(a, "__args__", ())]
                      if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return model

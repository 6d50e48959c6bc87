"""The rule language as written: frozen dataclasses, each with the span it came from.

This is what the parser produces and the checker reads. Names are not resolved here: a
`Path` such as `e.actor.on_duty` is just words; the checker decides what each word means and
produces the resolved form in `forcecheck.policy.model`. Nothing outside `forcecheck.policy.parser` sees
Lark's trees.
"""

from __future__ import annotations

from dataclasses import dataclass

from forcecheck.diagnostics import Span


@dataclass(frozen=True, slots=True)
class Name:
    """A word the author wrote, with where it was written."""

    text: str
    span: Span


# --- expressions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expr:
    """Base of every expression; `source` is the text exactly as written."""

    span: Span
    source: str


@dataclass(frozen=True, slots=True)
class Path(Expr):
    """A name, or a name followed by attributes: `e`, `e.actor`, `e.actor.on_duty`."""

    parts: tuple[Name, ...]


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """Use of a definition: `deadly_force(e)`."""

    name: Name
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Quantifier(Expr):
    """`any(p in people: ...)`, `all(...)` or `none(...)` over people, events or a role."""

    kind: str  # "any" | "all" | "none"
    var: Name
    domain: Name
    body: Expr


@dataclass(frozen=True, slots=True)
class Literal(Expr):
    """`yes`, `no`, `unknown`, a number or a string."""

    value: bool | float | str | None


@dataclass(frozen=True, slots=True)
class Not(Expr):
    """`not x`."""

    operand: Expr


@dataclass(frozen=True, slots=True)
class And(Expr):
    """`a and b and ...`."""

    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or(Expr):
    """`a or b or ...`."""

    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Compare(Expr):
    """`a == b`, `a < b` and the other comparisons."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Member(Expr):
    """`e.action in {fire_firearm, strike}`."""

    operand: Expr
    choices: tuple[Name, ...]


@dataclass(frozen=True, slots=True)
class RoleIs(Expr):
    """`e.actor is officer` / `p is not officer`."""

    operand: Expr
    role: Name
    negated: bool


@dataclass(frozen=True, slots=True)
class Order(Expr):
    """`a before b` / `a after b` on timeline events."""

    kind: str  # "before" | "after"
    left: Expr
    right: Expr


# --- declarations --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    """`title "..."` and other `name "text"` lines."""

    name: Name
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class PolicyDecl:
    """`policy ID { title ... document ... version ... }`: what the file encodes."""

    name: Name
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class DocumentDecl:
    """`document ID { title ... text ... }`: a source document and the file holding its text."""

    name: Name
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class UsesDecl:
    """`uses "../vocabulary/incident.rules"`: a shared vocabulary this policy builds on."""

    path: str
    span: Span


@dataclass(frozen=True, slots=True)
class RoleDecl:
    """`role officer "..."`: a kind of person."""

    name: Name
    description: str


@dataclass(frozen=True, slots=True)
class ActionDecl:
    """`action fire_firearm "..."`: a kind of event."""

    name: Name
    description: str


@dataclass(frozen=True, slots=True)
class FactType:
    """`yes_no`, `number`, `text` or `one_of(a, b, ...)`."""

    kind: str
    values: tuple[Name, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class FactDecl:
    """`fact event.imminent_threat: yes_no "question"`."""

    subject: Name
    name: Name
    type: FactType
    question: str


@dataclass(frozen=True, slots=True)
class UnsettledDecl:
    """`unsettled NAME "question" [verbatim yes|no]`: a question the policy text does not
    answer, and the answer that is the text as found, if one is."""

    name: Name
    question: str
    verbatim: bool | None = None


@dataclass(frozen=True, slots=True)
class ExclusiveDecl:
    """`exclusive event.a, event.b "why"`: yes/no facts that cannot both be yes of one subject."""

    facts: tuple[tuple[Name, Name], ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Quote:
    """`quote DOC section "..." provenance "verbatim text"`."""

    document: Name
    section: str | None
    provenance: Name
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Param:
    """A definition's parameter: `e: event`."""

    name: Name
    type: Name


@dataclass(frozen=True, slots=True)
class Exception_:
    """`except CONDITION quote ...` inside a definition."""

    condition: Expr
    quote: Quote


@dataclass(frozen=True, slots=True)
class Definition:
    """`define NAME(params) "title" { means EXPR except ... }`."""

    name: Name
    params: tuple[Param, ...]
    title: str
    body: Expr
    exceptions: tuple[Exception_, ...]
    span: Span
    fields: tuple[Field, ...] = ()


@dataclass(frozen=True, slots=True)
class Binding:
    """`each event e`: one thing a clause applies to."""

    domain: Name
    var: Name


@dataclass(frozen=True, slots=True)
class Applies:
    """`applies to each ... where ...` or `applies to the incident where ...`."""

    bindings: tuple[Binding, ...]
    where: Expr | None
    span: Span


@dataclass(frozen=True, slots=True)
class Requirement:
    """`requires EXPR` (met when true) or `forbids EXPR` (breached when true)."""

    kind: str
    expr: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Strength:
    """`strength must`, `strength must not` or `strength should`."""

    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class ClauseDecl:
    """`clause ID { ... }` as written; the checker insists on one of each required part."""

    name: Name
    fields: tuple[Field, ...]
    strengths: tuple[Strength, ...]
    quotes: tuple[Quote, ...]
    applies: tuple[Applies, ...]
    requirements: tuple[Requirement, ...]
    span: Span
    kind: str = "clause"  # or "constraint"


Declaration = (
    PolicyDecl
    | UsesDecl
    | DocumentDecl
    | RoleDecl
    | ActionDecl
    | FactDecl
    | UnsettledDecl
    | ExclusiveDecl
    | Definition
    | ClauseDecl
)


@dataclass(frozen=True, slots=True)
class PolicyFile:
    """One parsed policy file."""

    path: str
    declarations: tuple[Declaration, ...]

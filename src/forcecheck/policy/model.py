"""A checked policy: every name resolved, every expression typed.

The checker turns `forcecheck.policy.syntax` into these classes; the compiler and the explainer
read only these. Expression nodes keep the span and source text they came from so that a
trace can point back at the rule as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forcecheck.diagnostics import Diagnostic, Span

PROVENANCE_LABELS = ("seed-quote", "transcription", "partial", "paraphrase")

# Types of expressions. Enumerated facts have the type "enum:<subject>.<fact>".
BOOL, NUMBER, TEXT, ACTION, PERSON, EVENT = "yes/no", "number", "text", "action", "person", "event"



UNDISPUTED = "undisputed"  # stated_by of an undisputed fact
ASSUMED = "assumed"  # stated_by of a fact set by --assume

@dataclass(frozen=True, slots=True)
class FactSpec:
    """One fact a scenario may state, with the plain-language question it answers."""

    subject: str  # "incident", "event", "person" or a role name
    name: str
    kind: str  # "yes_no" | "number" | "text" | "one_of"
    values: tuple[str, ...]
    question: str
    span: Span

    @property
    def key(self) -> str:
        return f"{self.subject}.{self.name}"

    @property
    def type(self) -> str:
        return {"yes_no": BOOL, "number": NUMBER, "text": TEXT}.get(self.kind, f"enum:{self.key}")


@dataclass(frozen=True, slots=True)
class UnsettledSpec:
    """A question the policy text leaves open; always unknown unless assumed. `verbatim`: the
    answer that is the policy's text as found (the other adds what is only reported), if one is."""

    name: str
    question: str
    span: Span
    verbatim: bool | None = None


@dataclass(frozen=True, slots=True)
class ExclusiveGroup:
    """Yes/no facts about one kind of subject of which at most one can be yes."""

    subject: str
    facts: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Document:
    """A source document and the shipped file that holds the text quoted from it."""

    id: str
    title: str
    text_file: str
    citation: str
    span: Span


@dataclass(frozen=True, slots=True)
class QuoteRef:
    """A verbatim passage, where it is from, and how far it can be trusted."""

    document: str
    section: str | None
    provenance: str
    text: str
    span: Span


# --- resolved expressions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    span: Span
    source: str


@dataclass(frozen=True, slots=True, eq=False)
class Const(Node):
    value: object
    type: str


@dataclass(frozen=True, slots=True, eq=False)
class Var(Node):
    name: str
    type: str  # PERSON or EVENT


@dataclass(frozen=True, slots=True, eq=False)
class EventAttr(Node):
    subject: Node
    attr: str  # "actor" | "target" | "action"


@dataclass(frozen=True, slots=True, eq=False)
class FactRef(Node):
    subject: Node | None  # None: a fact about the incident
    spec: FactSpec


@dataclass(frozen=True, slots=True, eq=False)
class UnsettledRef(Node):
    spec: UnsettledSpec


@dataclass(frozen=True, slots=True, eq=False)
class DefCall(Node):
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True, eq=False)
class NotNode(Node):
    operand: Node


@dataclass(frozen=True, slots=True, eq=False)
class AndNode(Node):
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True, eq=False)
class OrNode(Node):
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True, eq=False)
class CompareNode(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, eq=False)
class MemberNode(Node):
    operand: Node
    choices: frozenset[str]


@dataclass(frozen=True, slots=True, eq=False)
class RoleNode(Node):
    operand: Node
    role: str
    negated: bool


@dataclass(frozen=True, slots=True, eq=False)
class OrderNode(Node):
    kind: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, eq=False)
class QuantNode(Node):
    kind: str  # any | all | none
    var: str
    domain: str  # PERSON or EVENT
    role: str | None
    body: Node


# --- declarations ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A definition's exception, with the quote that makes it."""

    condition: Node
    quote: QuoteRef


@dataclass(frozen=True, slots=True)
class DefinitionSpec:
    """A named concept clauses share: `means` minus its exceptions."""

    name: str
    params: tuple[tuple[str, str], ...]  # (name, PERSON|EVENT)
    param_roles: tuple[str | None, ...]
    title: str
    body: Node
    exceptions: tuple[Exclusion, ...]
    span: Span
    reading: str | None = None  # how a vague word is read; shown wherever the definition decides


@dataclass(frozen=True, slots=True)
class BindingSpec:
    """One thing a clause applies to: a variable over events or people (maybe of one role)."""

    var: str
    domain: str  # PERSON or EVENT
    role: str | None


@dataclass(frozen=True, slots=True)
class Clause:
    """One rule of the policy."""

    id: str
    title: str
    strength: str
    quotes: tuple[QuoteRef, ...]
    reading: str | None
    bindings: tuple[BindingSpec, ...]
    where: Node | None
    requirement_kind: str  # requires | forbids
    requirement: Node
    span: Span
    concept: str | None = None  # what the clause is about, shared across policies (side by side)
    # The clause of the same policy this one restates (breached exactly when that one is): shown
    # with its verdict and quotes, but its breach is that clause's, never counted a second time.
    restates: str | None = None

    @property
    def binding(self) -> bool:
        return self.strength != "should"

    @property
    def counted(self) -> bool:
        """Is a breach of this clause a breach of its own (binding, and restating no other)?"""
        return self.binding and self.restates is None


@dataclass(frozen=True, slots=True)
class Constraint:
    """What must hold of every account, every completion of its unknown facts, and every
    hypothesis: for each binding where the trigger holds, the requirement holds."""

    id: str
    reason: str
    bindings: tuple[BindingSpec, ...]
    where: Node | None
    requirement_kind: str  # requires | forbids
    requirement: Node
    span: Span


@dataclass
class Policy:
    """A parsed, checked policy; `forcecheck.policy.compiler.compile_policy` makes it runnable."""

    id: str
    title: str
    document: str
    version: str
    path: str
    documents: dict[str, Document]
    roles: dict[str, str]
    actions: dict[str, str]
    facts: dict[str, FactSpec]
    unsettled: dict[str, UnsettledSpec]
    definitions: dict[str, DefinitionSpec]
    clauses: list[Clause]
    exclusive: list[ExclusiveGroup] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    digest: str = ""  # SHA-256 of the policy file and its source texts, set when loaded

    def clause(self, clause_id: str) -> Clause | None:
        return next((c for c in self.clauses if c.id == clause_id), None)

    def facts_about(self, kind: str) -> dict[str, FactSpec]:
        """Facts a scenario may state about an incident, event, or person of role `kind`."""
        if kind in ("incident", "event"):
            return {f.name: f for f in self.facts.values() if f.subject == kind}
        return {f.name: f for f in self.facts.values() if f.subject in ("person", kind)}


def facts_read(node, policy: Policy) -> set[str]:
    """The fact keys (SUBJECT-KIND.NAME) a rule reads, through the definitions it calls."""
    return _reads(node, policy, set())


def _reads(node, policy: Policy, seen_defs: set[str]) -> set[str]:
    """The fact names a rule reads, through the definitions it calls."""
    out: set[str] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if n is None:
            continue
        if isinstance(n, FactRef):
            out.add(n.spec.key)
            todo.append(n.subject)
        elif isinstance(n, DefCall):
            todo.extend(n.args)
            if n.name not in seen_defs:
                seen_defs.add(n.name)
                d = policy.definitions[n.name]
                todo.append(d.body)
                todo.extend(x.condition for x in d.exceptions)
        elif isinstance(n, AndNode | OrNode):
            todo.extend(n.operands)
        elif isinstance(n, NotNode | MemberNode | RoleNode):
            todo.append(n.operand)
        elif isinstance(n, CompareNode | OrderNode):
            todo.extend((n.left, n.right))
        elif isinstance(n, QuantNode):
            todo.append(n.body)
        elif isinstance(n, EventAttr):
            todo.append(n.subject)
    return out


def fact_readers(policy: Policy) -> dict[str, list[str]]:
    """For each fact key, the clauses whose verdicts read it, in policy order."""
    out: dict[str, list[str]] = {}
    for c in policy.clauses:
        for key in sorted(_reads(c.requirement, policy, set()) | _reads(c.where, policy, set())):
            out.setdefault(key, []).append(c.id)
    return out


def rule_text(c: Clause) -> str:
    """'applies to each event e where ...' and 'requires ...', as the policy file has them."""
    binds = ", ".join(f"each {b.role or b.domain} {b.var}" for b in c.bindings) or "the incident"
    where = f" where {' '.join(c.where.source.split())}" if c.where else ""
    return f"applies to {binds}{where}\n{c.requirement_kind} {' '.join(c.requirement.source.split())}"

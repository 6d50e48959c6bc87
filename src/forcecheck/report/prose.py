"""Traces as a reader follows them: each condition in words, each thing said once.

The renderers (text, Markdown, HTML) walk a `TraceStep` tree through `lines`, which keeps
what the report has already shown: a definition explained once is referred to afterwards,
and a fact's attribution is given the first time it appears under an account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from forcecheck.evaluation.explain import prune as _prune
from forcecheck.report import wording as w
from forcecheck.report.model import Item, TraceStep


@dataclass(frozen=True, slots=True)
class Line:
    depth: int
    step: TraceStep
    said: str | None  # who states the fact, the first time it is shown
    again: bool  # shown above already: children left out


@dataclass
class Shown:
    """What this report has shown so far, per account."""

    seen: set[tuple[str, str, str, object]] = field(default_factory=set)

    def first(self, account: str, kind: str, text: str, value: object) -> bool:
        key = (account, kind, text, value)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def lines(step: TraceStep, account: str, shown: Shown, short: bool = True, depth: int = 0) -> Iterator[Line]:
    if short:
        step = prune(step)
    yield from _walk(step, account, shown, depth)


NEGATED = {True: "yes: it is not so", False: "no: it is so"}


def _walk(step: TraceStep, account: str, shown: Shown, depth: int) -> Iterator[Line]:
    if step.kind == "not" and len(step.children) == 1:
        # One line, read as a sentence: 'not a use of deadly force -- no: it is so', not 'it is
        # not so that -- no' above 'a use of deadly force -- yes'.
        inner = step.children[0]
        if "?" in inner.text:  # a question (perhaps with a note after it): its answer is "no"
            text, value_text = f"the answer is no: {inner.text}", step.value_text
        else:
            text, value_text = f"not {inner.text}", NEGATED.get(step.value, step.value_text)  # type: ignore[arg-type]
        step = inner.model_copy(update={"text": text, "value": step.value, "value_text": value_text})
    if step.kind == "fact" and step.fact is not None:
        first = shown.first(account, "fact", step.text, step.value)
        yield Line(depth, step, step.fact.said if first else None, not first)
        return
    if step.kind == "definition" and step.children \
            and not shown.first(account, "definition", step.text, step.value):
        yield Line(depth, step, None, True)
        return
    yield Line(depth, step, None, False)
    for c in step.children:
        yield from _walk(c, account, shown, depth + 1)


def prune(step: TraceStep) -> TraceStep:
    """The short explanation: only the conditions that make each value what it is."""
    return _prune(step, lambda s, kids: s.model_copy(update={"children": kids}))


def stated_facts(step: TraceStep) -> list[TraceStep]:
    """The fact steps of a short trace that some account states, each once, in order."""
    out: list[TraceStep] = []
    seen: set[str | None] = set()
    todo = [prune(step)]
    while todo:
        s = todo.pop(0)
        if s.fact is not None and s.fact.stated_by is not None and s.ref not in seen:
            seen.add(s.ref)
            out.append(s)
        todo[:0] = list(s.children)
    return out


@dataclass(frozen=True, slots=True)
class Node:
    line: Line
    children: tuple[Node, ...]


def nest(flat: tuple[Line, ...] | list[Line]) -> list[Node]:
    """Trace lines, nested by depth, for renderings that nest (HTML lists)."""
    out: list[Node] = []
    i = 0

    def build(i: int) -> tuple[Node, int]:
        head = flat[i]
        kids: list[Node] = []
        j = i + 1
        while j < len(flat) and flat[j].depth > head.depth:
            kid, j = build(j)
            kids.append(kid)
        return Node(head, tuple(kids)), j

    while i < len(flat):
        node, i = build(i)
        out.append(node)
    return out


@dataclass(frozen=True, slots=True)
class Block:
    """One part of an item's explanation: a heading, trace lines, and plain sentences."""

    title: str
    lines: tuple[Line, ...] = ()
    bullets: tuple[str, ...] = ()


Ask = Callable[[str, str, str], str]  # (key, subject, question) -> how the report names it


def explain(item: Item, account: str, shown: Shown, short: bool, ask: Ask) -> list[Block]:
    """Why an item got its verdict, in the order every rendering shows it: where it applies,
    what it requires, the cases a settled verdict splits into, and what would decide an open
    one."""
    out: list[Block] = []
    if item.trigger is not None and item.trigger.value is True and short:
        # It applies: say on which stated facts, not how the trigger is built (--explain full).
        facts = stated_facts(item.trigger)
        out.append(Block("It applies, resting on:" if facts else "It applies (from the timeline alone).",
                         tuple(ln for f in facts for ln in lines(f, account, shown, short))))
    elif item.trigger is not None:
        out.append(Block("It applies when:", tuple(lines(item.trigger, account, shown, short))))
    if item.requirement is not None:
        forbids = item.requirement.kind == "forbids"
        req = item.requirement.children[0] if forbids and item.requirement.children else item.requirement
        out.append(Block("It forbids:" if forbids else "It requires:",
                         tuple(lines(req, account, shown, short))))
    if item.cases and item.case_on:
        u = item.case_on
        bullets = []
        for case in item.cases:
            lead = f"if {w.subject_question(u.subject, u.question)} -- {case.value_text}: "
            if case.ruled_out_by:
                given = f", given {', '.join(case.given)}" if case.given else ""
                bullets.append(f"{lead}ruled out by the policy's constraint "
                               f"{', '.join(case.ruled_out_by)}{given}")
            else:
                bullets.append(lead + w.possible_words(tuple(case.possible)))
        out.append(Block(f"{w.possible_words(tuple(item.possible))} whichever way the unknown facts go:",
                         bullets=tuple(bullets)))
    if not item.exact:
        out.append(Block("(a bound of the search cut in: the verdicts shown may include some that no "
                         "completion gives)"))
    if item.verdict == "undetermined":
        bullets = [f"{w.VERDICT_WORDS[st.verdict]}, if "
                   + " and ".join(f"{ask(a.key, a.subject, a.question)} {a.value_text}" for a in st.when)
                   for st in item.settlements]
        if not item.settlements:
            bullets.append("no answer to up to three of the unknown facts settles it")
        elif not item.search_complete:
            bullets.append("(the search was bounded; other combinations may settle it too)")
        bullets += [f"also waits on: {w.subject_question(u.subject, u.question)}"
                    for u in item.unknowns if not u.values]
        out.append(Block("What would decide it:", bullets=tuple(bullets)))
    return out

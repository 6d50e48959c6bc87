"""Parse rule-language text into `forcecheck.policy.syntax` dataclasses.

The grammar lives in `grammar.lark` (LALR, so a policy parses in linear time and the
error state is exact). This module is the only one that touches Lark: its trees become our
frozen dataclasses here, and its exceptions become `Diagnostic`s that speak the language's
own words ("expected 'requires' or 'forbids'"), never Lark's terminal names.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from forcecheck.diagnostics import Diagnostic, InputError, Span
from forcecheck.files import MAX_POLICY_BYTES
from forcecheck.policy import syntax as s

MAX_DEPTH = 200  # nesting of the syntax tree; real rules stay far below


@cache
def _lark() -> Lark:
    """The LALR parser. Its tables are built once per process (~100 ms), and only when the
    checked policy is not in the cache (see `cache`), which is the rare case. Lark's own table
    cache is not used: it is a pickle, and forcecheck reads no pickle."""
    grammar = files("forcecheck.policy").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def parse_policy_text(text: str, path: str) -> s.PolicyFile:
    """Parse one policy file's text; raises `InputError` with a located diagnostic."""
    if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
        raise InputError(
            [Diagnostic(Span(path, 1, 1), "P000", f"policy file is larger than {MAX_POLICY_BYTES} bytes")]
        )
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as exc:
        raise InputError([_syntax_diagnostic(exc, text, path)]) from None
    _check_depth(tree, path)
    return _ToSyntax(text, path).transform(tree)


def _check_depth(tree, path: str) -> None:
    """Refuse absurd nesting before anything recursive (transform, check, compile) sees it."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            meta = node.meta
            raise InputError([Diagnostic(
                Span(path, getattr(meta, "line", 1), getattr(meta, "column", 1)), "P002",
                f"this expression is nested more than {MAX_DEPTH} levels deep",
                "split it into definitions")])
        stack.extend((c, depth + 1) for c in node.children if hasattr(c, "children"))


# --- Lark tree -> dataclasses --------------------------------------------------------------


class _ToSyntax(Transformer):
    def __init__(self, text: str, path: str):
        super().__init__()
        self._text = text
        self._path = path

    def _span(self, meta) -> Span:
        end = meta.end_column if meta.end_line == meta.line else None
        return Span(self._path, meta.line, meta.column, end)

    def _tok(self, tok: Token) -> s.Name:
        return s.Name(str(tok), Span(self._path, tok.line, tok.column, tok.end_column))

    def _src(self, meta) -> str:
        return " ".join(self._text[meta.start_pos : meta.end_pos].split())

    @staticmethod
    def _string(tok: Token) -> str:
        return re.sub(r"\\(.)", r"\1", str(tok)[1:-1])

    # declarations
    @v_args(meta=True)
    def start(self, meta, items):
        return s.PolicyFile(self._path, tuple(items))

    @v_args(meta=True)
    def field(self, meta, items):
        name, value = items
        return s.Field(self._tok(name), self._string(value), self._span(meta))

    @v_args(meta=True)
    def policy_decl(self, meta, items):
        return s.PolicyDecl(self._tok(items[0]), tuple(items[1:]))

    @v_args(meta=True)
    def document_decl(self, meta, items):
        return s.DocumentDecl(self._tok(items[0]), tuple(items[1:]))

    @v_args(meta=True)
    def uses_decl(self, meta, items):
        return s.UsesDecl(self._string(items[0]), self._span(meta))

    def role_decl(self, items):
        return s.RoleDecl(self._tok(items[0]), self._string(items[1]))

    def action_decl(self, items):
        return s.ActionDecl(self._tok(items[0]), self._string(items[1]))

    def fact_decl(self, items):
        subject, name, ftype, question = items
        return s.FactDecl(self._tok(subject), self._tok(name), ftype, self._string(question))

    @v_args(meta=True)
    def yes_no_type(self, meta, items):
        return s.FactType("yes_no", (), self._span(meta))

    @v_args(meta=True)
    def number_type(self, meta, items):
        return s.FactType("number", (), self._span(meta))

    @v_args(meta=True)
    def text_type(self, meta, items):
        return s.FactType("text", (), self._span(meta))

    @v_args(meta=True)
    def one_of_type(self, meta, items):
        return s.FactType("one_of", tuple(self._tok(t) for t in items), self._span(meta))

    def exclusive_decl(self, items):
        *refs, reason = items
        return s.ExclusiveDecl(tuple(refs), self._string(reason))

    def fact_ref(self, items):
        return (self._tok(items[0]), self._tok(items[1]))

    def unsettled_decl(self, items):
        return s.UnsettledDecl(self._tok(items[0]), self._string(items[1]), items[2])

    def verbatim_yes(self, _items):
        return True

    def verbatim_no(self, _items):
        return False

    @v_args(meta=True)
    def definition(self, meta, items):
        name, *rest = items
        params = []
        while rest and (isinstance(rest[0], s.Param) or rest[0] is None):
            p = rest.pop(0)
            if p is not None:
                params.append(p)
        title, *rest = rest
        fields = []
        while rest and isinstance(rest[0], s.Field):
            fields.append(rest.pop(0))
        body, *exceptions = rest
        return s.Definition(
            self._tok(name), tuple(params), self._string(title), body, tuple(exceptions),
            self._span(meta), tuple(fields),
        )

    def param(self, items):
        return s.Param(self._tok(items[0]), self._tok(items[1]))

    def exception(self, items):
        return s.Exception_(items[0], items[1])

    @v_args(meta=True)
    def clause(self, meta, items):
        return self._clause_decl(meta, items, "clause")

    @v_args(meta=True)
    def constraint(self, meta, items):
        return self._clause_decl(meta, items, "constraint")

    def _clause_decl(self, meta, items, kind: str):
        name, *parts = items

        def of(cls):
            return tuple(p for p in parts if isinstance(p, cls))

        return s.ClauseDecl(
            self._tok(name), of(s.Field), of(s.Strength), of(s.Quote), of(s.Applies),
            of(s.Requirement), self._span(meta), kind,
        )

    @v_args(meta=True)
    def must(self, meta, items):
        return s.Strength("must", self._span(meta))

    @v_args(meta=True)
    def must_not(self, meta, items):
        return s.Strength("must not", self._span(meta))

    @v_args(meta=True)
    def should(self, meta, items):
        return s.Strength("should", self._span(meta))

    @v_args(meta=True)
    def quote(self, meta, items):
        doc, section, provenance, text = items
        return s.Quote(
            self._tok(doc), self._string(section) if section is not None else None,
            self._tok(provenance), self._string(text), self._span(meta),
        )

    @v_args(meta=True)
    def applies_each(self, meta, items):
        *bindings, where = items
        return s.Applies(tuple(bindings), where, self._span(meta))

    @v_args(meta=True)
    def applies_incident(self, meta, items):
        return s.Applies((), items[0], self._span(meta))

    def binding(self, items):
        return s.Binding(self._tok(items[0]), self._tok(items[1]))

    @v_args(meta=True)
    def requires(self, meta, items):
        return s.Requirement("requires", items[0], self._span(meta))

    @v_args(meta=True)
    def forbids(self, meta, items):
        return s.Requirement("forbids", items[0], self._span(meta))

    # expressions
    @v_args(meta=True)
    def or_expr(self, meta, items):
        return s.Or(self._span(meta), self._src(meta), tuple(items))

    @v_args(meta=True)
    def and_expr(self, meta, items):
        return s.And(self._span(meta), self._src(meta), tuple(items))

    @v_args(meta=True)
    def negation(self, meta, items):
        return s.Not(self._span(meta), self._src(meta), items[0])

    @v_args(meta=True)
    def compare(self, meta, items):
        left, op, right = items
        return s.Compare(self._span(meta), self._src(meta), str(op), left, right)

    @v_args(meta=True)
    def member(self, meta, items):
        operand, *choices = items
        return s.Member(
            self._span(meta), self._src(meta), operand, tuple(self._tok(c) for c in choices)
        )

    @v_args(meta=True)
    def role_is(self, meta, items):
        return s.RoleIs(self._span(meta), self._src(meta), items[0], self._tok(items[1]), False)

    @v_args(meta=True)
    def role_is_not(self, meta, items):
        return s.RoleIs(self._span(meta), self._src(meta), items[0], self._tok(items[1]), True)

    @v_args(meta=True)
    def before(self, meta, items):
        return s.Order(self._span(meta), self._src(meta), "before", items[0], items[1])

    @v_args(meta=True)
    def after(self, meta, items):
        return s.Order(self._span(meta), self._src(meta), "after", items[0], items[1])

    @v_args(meta=True)
    def call(self, meta, items):
        name, *args = items
        args = [a for a in args if a is not None]
        return s.Call(self._span(meta), self._src(meta), self._tok(name), tuple(args))

    def _quantifier(self, kind, meta, items):
        var, domain, body = items
        return s.Quantifier(
            self._span(meta), self._src(meta), kind, self._tok(var), self._tok(domain), body
        )

    @v_args(meta=True)
    def any_of(self, meta, items):
        return self._quantifier("any", meta, items)

    @v_args(meta=True)
    def all_of(self, meta, items):
        return self._quantifier("all", meta, items)

    @v_args(meta=True)
    def none_of(self, meta, items):
        return self._quantifier("none", meta, items)

    @v_args(meta=True)
    def yes(self, meta, items):
        return s.Literal(self._span(meta), "yes", True)

    @v_args(meta=True)
    def no(self, meta, items):
        return s.Literal(self._span(meta), "no", False)

    @v_args(meta=True)
    def unknown(self, meta, items):
        return s.Literal(self._span(meta), "unknown", None)

    @v_args(meta=True)
    def number(self, meta, items):
        return s.Literal(self._span(meta), str(items[0]), float(items[0]))

    @v_args(meta=True)
    def string(self, meta, items):
        return s.Literal(self._span(meta), str(items[0]), self._string(items[0]))

    @v_args(meta=True)
    def path(self, meta, items):
        return s.Path(self._span(meta), self._src(meta), tuple(self._tok(t) for t in items))


# --- syntax errors in the language's own words -------------------------------------------

_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": 'a quoted "string"',
    "NUMBER": "a number",
    "COMPARE": "a comparison (==, !=, <, <=, >, >=)",
    "$END": "the end of the file",
}


def _describe(terminal: str) -> str:
    if terminal in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[terminal]
    try:
        pattern = _lark().get_terminal(terminal).pattern
    except KeyError:
        return terminal.lower()
    return f"'{pattern.value}'" if pattern.type == "str" else terminal.lower()


def _expected_words(expected) -> str:
    words = sorted({_describe(t) for t in expected}, key=lambda w: (not w.startswith("'"), w))
    if len(words) > 8:
        words = words[:8] + ["..."]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _context(text: str, pos: int) -> str:
    """Name the declaration the error is inside, so the message reads like the file."""
    before = text[:pos]
    found = None
    for m in re.finditer(r"^\s*(clause|define|policy|document)\s+([A-Za-z_][\w-]*)", before, re.M):
        found = m
    if not found:
        return ""
    kind = {"define": "definition"}.get(found.group(1), found.group(1))
    return f" in {kind} '{found.group(2)}'"


def _syntax_diagnostic(exc: UnexpectedInput, text: str, path: str) -> Diagnostic:
    at_end = isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    if isinstance(exc, UnexpectedEOF) or at_end:
        lines = text.splitlines() or [""]
        line, col = len(lines), len(lines[-1]) + 1
        return Diagnostic(
            Span(path, line, col),
            "P001",
            f"the file ended too soon{_context(text, len(text))}",
            f"expected {_expected_words(exc.expected)}; is a '}}' or a quote missing?",
        )
    line, col = exc.line, exc.column
    pos = getattr(exc, "pos_in_stream", None) or 0
    if isinstance(exc, UnexpectedCharacters):
        ch = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        hint = f"expected {_expected_words(exc.allowed)}" if exc.allowed else None
        if ch == '"':
            hint = "a string must end with '\"' on the same line"
        elif ch == "=":
            hint = "to compare, write '=='"
        return Diagnostic(
            Span(path, line, col, col + 1), "P001",
            f"unexpected character {ch!r}{_context(text, pos)}", hint,
        )
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    shown = "the end of the file" if tok.type == "$END" else f"'{tok}'"
    end = tok.end_column if getattr(tok, "end_line", None) == tok.line else None
    return Diagnostic(
        Span(path, line, col, end), "P001",
        f"unexpected {shown}{_context(text, pos)}",
        f"expected {_expected_words(exc.expected)} here",
    )

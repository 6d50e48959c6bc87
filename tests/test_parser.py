"""The parser: our own dataclasses with spans, and syntax errors in the language's words."""

import pytest

from forcecheck.diagnostics import InputError
from forcecheck.policy import syntax as s
from forcecheck.policy.parser import parse_policy_text

HEADER = 'policy p { title "t" document "d" version "1" }\n'


def parse_expr(expr: str) -> s.Expr:
    text = HEADER + f"clause c {{ applies to each event e requires {expr} }}\n"
    clause = parse_policy_text(text, "x.rules").declarations[-1]
    return clause.requirements[0].expr


def test_precedence_not_and_or():
    e = parse_expr("a or b and not c")
    assert isinstance(e, s.Or)
    left, right = e.operands
    assert isinstance(left, s.Path) and left.source == "a"
    assert isinstance(right, s.And)
    assert isinstance(right.operands[1], s.Not)


def test_nodes_carry_spans_and_source():
    e = parse_expr("e.actor is officer")
    assert isinstance(e, s.RoleIs)
    line = "clause c { applies to each event e requires e.actor is officer }"
    assert (e.span.line, e.span.column) == (2, line.index("e.actor") + 1)
    assert e.source == "e.actor is officer"
    assert [p.text for p in e.operand.parts] == ["e", "actor"]


@pytest.mark.parametrize(("expr", "cls"), [
    ("e.x == y", s.Compare), ("e.action in {a, b}", s.Member), ("x before y", s.Order),
    ("any(p in people: p.ok)", s.Quantifier), ("f(e)", s.Call), ("p is not officer", s.RoleIs),
])
def test_each_form_parses(expr, cls):
    assert isinstance(parse_expr(expr), cls)


def test_comments_are_ignored():
    text = HEADER + "# a comment\nrole officer \"o\" # trailing\n"
    decls = parse_policy_text(text, "x.rules").declarations
    assert isinstance(decls[-1], s.RoleDecl)


def error_of(text: str):
    with pytest.raises(InputError) as info:
        parse_policy_text(text, "x.rules")
    (d,) = info.value.diagnostics
    return d


def test_unexpected_token_names_what_was_expected():
    d = error_of(HEADER + "clause c {\n  strength maybe\n}\n")
    assert (d.span.line, d.span.column) == (3, 12)
    assert "unexpected 'maybe' in clause 'c'" in d.message
    assert "'must'" in d.hint and "'should'" in d.hint


def test_unclosed_block_reports_end_of_file():
    d = error_of(HEADER + "clause c {\n  title \"t\"\n")
    assert d.code == "P001"
    assert "ended too soon" in d.message and "'}'" in d.hint


def test_unterminated_string():
    d = error_of(HEADER + 'role officer "an officer\n')
    assert (d.span.line, d.span.column) == (2, 14)
    assert "same line" in d.hint

"""Static checks: every error at its line and column, with a did-you-mean where one fits."""

from pathlib import Path

import pytest

from forcecheck.diagnostics import InputError
from forcecheck.policy.checker import check_policy
from forcecheck.policy.load import load_policy
from forcecheck.policy.parser import parse_policy_text

BASE = '''policy p { title "t" document "d" version "1" }
document D { title "Source" text "source.md" }
role officer "an officer"
action shoot "fired"
fact event.threat: yes_no "Was there a threat?"
fact event.shots: number "How many shots?"
fact event.motion: one_of(toward, away) "Which way?"
'''
QUOTE = 'quote D transcription "Officers must."'


def check(extra: str):
    return check_policy(parse_policy_text(BASE + extra, "p.rules"))


def errors(extra: str):
    with pytest.raises(InputError) as info:
        check(extra)
    return [d for d in info.value.diagnostics if d.severity == "error"]


def clause(body: str, where: str = "e.threat") -> str:
    return (f'clause c {{ title "t" strength must {QUOTE} '
            f"applies to each event e where {where} requires {body} }}\n")


def test_a_valid_policy_checks_without_errors_or_warnings():
    p = check(clause("e.shots >= 2 and e.motion == toward and e.action in {shoot}"))
    assert [c.id for c in p.clauses] == ["c"]
    assert p.warnings == []


def test_unknown_fact_with_suggestion():
    src = clause("e.thret")
    (d,) = errors(src)
    assert (d.code, d.span.line, d.span.column) == ("N001", 8, src.index("thret") + 1)
    assert d.hint == "did you mean 'threat'?"


def test_unknown_enum_value_with_suggestion():
    (d,) = errors(clause("e.motion == towards"))
    assert d.code == "N001" and d.hint == "did you mean 'toward'?"


def test_type_error_number_as_condition():
    (d,) = errors(clause("e.shots"))
    assert d.code == "T001" and "number, not a yes/no condition" in d.message


def test_type_error_comparing_different_types():
    (d,) = errors(clause("e.shots == e.threat"))
    assert d.code == "T001" and "cannot compare a number with a yes/no" in d.message


def test_definition_arity():
    src = 'define d(e: event) "d" { means e.threat }\n' + clause("d(e, e)")
    (d,) = errors(src)
    assert d.code == "T002" and "takes 1 argument(s), not 2" in d.message


def test_duplicate_ids():
    (d,) = errors(clause("e.threat") + clause("e.threat"))
    assert d.code == "C001" and "duplicate clause 'c'" in d.message and d.span.line == 9


def test_clause_without_quote():
    (d,) = errors('clause c { title "t" strength must applies to each event e requires e.threat }\n')
    assert d.code == "C008"


def test_unknown_provenance_label():
    src = clause("e.threat").replace("transcription", "transcript")
    (d,) = errors(src)
    assert d.code == "C006" and d.hint == "did you mean 'transcription'?"


def test_cycle_among_definitions():
    src = ('define a(e: event) "a" { means b(e) }\n'
           'define b(e: event) "b" { means a(e) }\n' + clause("a(e)"))
    (d,) = errors(src)
    assert d.code == "C009" and "a -> b -> a" in d.message


def test_unused_vocabulary_is_a_warning_not_an_error():
    p = check(clause("e.threat") + 'fact event.spare: text "Anything?"\n')
    (w,) = [w for w in p.warnings if "spare" in w.message]
    assert w.code == "W001" and "event.spare" in w.message and w.span.line == 9


def test_shipped_policy_has_no_warnings():
    assert load_policy().policy.warnings == []


def test_document_source_paths_are_relative_to_the_policy(tmp_path: Path):
    (tmp_path / "source.md").write_text("> Officers must.\n")
    (tmp_path / "policy.rules").write_text(BASE + clause("e.threat"))
    compiled = load_policy(tmp_path)
    assert compiled.policy.documents["D"].text_file == str(tmp_path / "source.md")


def test_a_constraint_is_checked_like_a_clause_and_needs_a_reason():
    ok = check('constraint k { reason "r" applies to each event e where e.threat requires e.shots >= 1 }\n')
    (k,) = ok.constraints
    assert (k.id, k.reason, k.requirement.source) == ("k", "r", "e.shots >= 1")
    found = errors(f'constraint k {{ strength must {QUOTE} applies to each event e requires e.thret }}\n')
    assert [d.code for d in found] == ["C003", "C002", "C002", "N001"]
    assert "constraint 'k' has no reason" in found[0].message
    assert {found[1].message, found[2].message} == {"a constraint has no strength",
                                                    "a constraint has no quote"}
    assert found[3].hint == "did you mean 'threat'?"


def test_a_definition_reading_is_kept_and_other_fields_are_refused():
    p = check('define d(e: event) "t" { reading "how it is read" means e.threat }\n'
              + clause("d(e)"))
    assert p.definitions["d"].reading == "how it is read"
    (d,) = errors('define d(e: event) "t" { readin "x" means e.threat }\n' + clause("d(e)"))
    assert d.code == "C002" and d.hint == "did you mean 'reading'?"

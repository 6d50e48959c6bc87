"""Property-based tests (hypothesis), at a small budget in the suite; `bench/fuzz.py` runs the
same properties for longer (FORCECHECK_FUZZ_EXAMPLES sets the examples per property).

- mutated scenarios and policies get a result or located diagnostics, never an exception;
- equivalent encodings of a scenario give the same verdicts;
- hostile strings in any text field never reach any output raw;
- work is bounded: every example finishes (no deadline is asserted: tests never assert on
  wall time, but an example that hung would stop the run).
"""

from __future__ import annotations

import json
import os
import re

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forcecheck
from forcecheck.diagnostics import InputError
from forcecheck.policy.checker import check_policy
from forcecheck.policy.parser import parse_policy_text
from forcecheck.scenario.load import load_scenario

from conftest import POLICY_DIR, ROOT, SCENARIOS

EXAMPLES = int(os.environ.get("FORCECHECK_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                derandomize=not os.environ.get("FORCECHECK_FUZZ_RANDOM"),  # CI: the same examples each run
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# The DHS policy with its shared vocabulary inlined: one file, valid alone, to mutate.
USES = 'uses "../vocabulary/incident.rules"'
POLICY_TEXT = (POLICY_DIR.parent / "vocabulary" / "incident.rules").read_text(encoding="utf-8") + (
    POLICY_DIR / "policy.rules").read_text(encoding="utf-8").replace(USES, "")
SOURCES = sorted(SCENARIOS.rglob("*.yaml"))
PIECES = ["{", "}", "[", "]", "(", ")", '"', "'", ":", ",", ".", "- ", "\n", "\t", "#", "&a ", "*a",
          "!!python/object/apply:os.system ['true']", " and ", " not ", "==", "yes", "no", "~", "\x00",
          "\x1b[2J", "\u202e", "é", "999999999999999999999", "nan", "-1e999", "  ", "---\n", "? "]

edits = st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["delete", "insert", "copy"]),
                           st.integers(1, 40), st.sampled_from(PIECES), st.floats(0, 1)),
                 min_size=1, max_size=5)


def mutate(text: str, plan) -> str:
    for where, op, length, piece, other in plan:
        i = int(where * len(text))
        if op == "delete":
            text = text[:i] + text[i + length:]
        elif op == "insert":
            text = text[:i] + piece + text[i:]
        else:
            j = int(other * len(text))
            text = text[:i] + text[j:j + length] + text[i:]
    return text


@FUZZ
@given(source=st.sampled_from(SOURCES), plan=edits)
def test_mutated_scenarios_load_or_get_located_diagnostics(tmp_path, cli, source, plan):
    path = tmp_path / "s.yaml"
    path.write_text(mutate(source.read_text(encoding="utf-8"), plan), encoding="utf-8")
    run = cli("check", str(path), "--format", "json")
    assert run.code in (0, 1, 2)
    if run.code == 2:
        assert re.search(r"error\[[A-Z]\d{3}\]", run.err)
    else:
        json.loads(run.out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


@FUZZ
@given(plan=edits)
def test_mutated_policies_load_or_get_located_diagnostics(plan):
    try:
        check_policy(parse_policy_text(mutate(POLICY_TEXT, plan), "policy.rules"))
    except InputError as exc:
        assert exc.diagnostics and all(d.message and d.code for d in exc.diagnostics)


def _reencode(data: dict, order, flow: bool, long_form: bool, spelling: int) -> str:
    """The same scenario written differently: keys in another order, flow or block style,
    facts as {value: ...} or bare, yes/no spelled otherwise."""
    words = [("yes", "no"), ("Yes", "No"), ("true", "false"), ("TRUE", "FALSE")][spelling]

    def facts(block: dict) -> dict:
        out = {}
        for k, v in block.items():
            if isinstance(v, str) and v in ("yes", "no"):
                v = words[0] if v == "yes" else words[1]
            out[k] = {"value": v} if long_form and not isinstance(v, dict) else v
        return out

    copy = dict(data)
    if "undisputed" in copy and copy["undisputed"].get("facts"):
        copy["undisputed"] = {**copy["undisputed"], "facts": facts(copy["undisputed"]["facts"])}
    copy["accounts"] = [{**a, "facts": facts(a.get("facts") or {})} for a in copy["accounts"]]
    keys = list(copy)
    ordered = {k: copy[k] for k in sorted(keys, key=lambda k: order[keys.index(k) % len(order)])}
    return yaml.safe_dump(ordered, sort_keys=False, default_flow_style=flow, allow_unicode=True)


@FUZZ
@given(source=st.sampled_from(SOURCES), order=st.permutations(range(12)), flow=st.booleans(),
       long_form=st.booleans(), spelling=st.integers(0, 3))
def test_equivalent_encodings_give_the_same_verdicts(tmp_path, compiled, source, order, flow,
                                                     long_form, spelling):
    from forcecheck.evaluation.evaluate import evaluate

    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data.pop("expect", None)
    path = tmp_path / "again.yaml"
    path.write_text(_reencode(data, order, flow, long_form, spelling), encoding="utf-8")
    original = evaluate(compiled, load_scenario(source, compiled), analyse=False)
    again = evaluate(compiled, load_scenario(path, compiled), analyse=False)
    for a, b in zip(original.accounts, again.accounts, strict=True):
        assert [(c.clause.id, c.possible) for c in a.clauses] == \
            [(c.clause.id, c.possible) for c in b.clauses]


HOSTILE = st.lists(st.sampled_from(["\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\r", "\x08", "[", "]",
                                    "0", ";", "2J", "met", "<script>", "&", " ", "\x1b]0;", "\x1b[1A"]),
                   min_size=1, max_size=12).map("".join)


@settings(FUZZ, max_examples=max(8, EXAMPLES // 2))  # evaluated once, rendered five ways
@given(title=HOSTILE, note=HOSTILE, name=HOSTILE, description=HOSTILE)
def test_hostile_strings_never_reach_output_raw(tmp_path, title, note, name, description):
    data = {
        "id": "hostile", "title": title, "kind": "teaching", "summary": description,
        "people": [{"id": "o", "role": "officer", "description": description},
                   {"id": "s", "role": "subject", "description": "a man"}],
        "events": [{"id": "shots", "actor": "o", "action": "fire_firearm", "target": "s",
                    "description": description}],
        "undisputed": {"facts": {"o.on_duty": "yes"}},
        "accounts": [{"id": "a", "name": name,
                      "facts": {"shots.force_reasonable": {"value": "no", "note": note}}},
                     {"id": "b", "name": "B"}],
    }
    path = tmp_path / "h.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML: escapes arrive as characters
    raw = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
    # One evaluation, rendered in every format as the command line renders it (tests/test_api.py
    # checks the two agree byte for byte), and the diagnostics or warnings it prints on stderr.
    try:
        result = forcecheck.check(path)
    except InputError as exc:
        assert not raw.search(exc.render())
        return
    from forcecheck.diagnostics import render_all

    assert not raw.search(render_all(result.warnings()))
    for fmt, options in (("text", {"explain": "short"}), ("markdown", {}), ("html", {}), ("json", {}),
                         ("text", {"questions": True})):
        out = result.render(fmt, **options)
        out = out if fmt != "json" else json.dumps(json.loads(out), ensure_ascii=False)
        assert not raw.search(out.replace("\r\n", "\n")), (fmt, options)
        if fmt == "html":
            assert "<script>" not in out.split("<script>\n/* Printing", 1)[0]


# --- the newer inputs: batch records, JSON Lines data, fmt, several policies -------------------

RECORD = ('{"format":"forcecheck.record/1","path":"a.yaml","scenario":"a","title":"A","accounts":["x"],'
          '"breached":false,"verdicts":{"c":{"x":"met"}},"possible":{},"contested":{},'
          '"open_questions":[{"fact":"o.f","question":"Q?","waiting":1}],"policy":{"id":"p","title":"P"}}')


@FUZZ
@given(plan=edits)
def test_mutated_records_are_counted_or_located_never_a_crash(plan):
    """`corpus` on a hand-edited records file: each line is a record or an R001 at its line."""
    from forcecheck.report.corpus import aggregate

    lines = [RECORD, mutate(RECORD, plan), RECORD]
    corpus = aggregate(enumerate(lines, 1), "r.jsonl")
    assert corpus.records + len(corpus.problems) == 3 and corpus.records >= 2
    assert all(d.code == "R001" and d.span.line == 2 for d in corpus.problems)


@FUZZ
@given(plan=edits)
def test_mutated_json_lines_data_gives_a_row_or_a_reason(plan):
    """`import` of JSON Lines data: a line is a row of text or a reason it is not, never a crash."""
    from forcecheck.importing.data import json_record

    row, why = json_record(mutate('{"id": 7, "name": "A B", "armed": "gun", "date": "2016-01-02"}', plan))
    assert (row is None) != (why is None)
    if row is not None:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in row.items())


@FUZZ
@given(source=st.sampled_from(SOURCES), plan=edits)
def test_fmt_formats_or_gives_located_diagnostics(source, plan):
    """`fmt` on a mutated scenario: the canonical text, which loads to the same data, or the
    diagnostics `validate` gives."""
    from forcecheck.authoring.fmt import format_file

    text = mutate(source.read_text(encoding="utf-8"), plan)
    try:
        new = format_file("s.yaml", text)
    except InputError as exc:
        assert exc.diagnostics and all(d.code and d.message for d in exc.diagnostics)
        return
    assert format_file("s.yaml", new) == new  # formatting twice changes nothing more


@settings(FUZZ, max_examples=max(3, EXAMPLES // 8))
@given(source=st.sampled_from(SOURCES), plan=edits)
def test_a_mutated_scenario_under_several_policies_is_compared_or_refused(tmp_path, cli, source, plan):
    path = tmp_path / "s.yaml"
    path.write_text(mutate(source.read_text(encoding="utf-8"), plan), encoding="utf-8")
    run = cli("check", str(path), "-p", "dhs", "-p", "doj", "-p", "cfr-287-8", "--format", "json")
    assert run.code in (0, 1, 2), run.err
    if run.code != 2:
        assert json.loads(run.out)["format"] == "forcecheck.compare/1"


MAPPING_TEXT = (ROOT / "mappings" / "wapo-2015.yaml").read_text(encoding="utf-8")


@settings(FUZZ, max_examples=max(4, EXAMPLES // 4))  # a mapping loads its rules against the policy
@given(plan=edits)
def test_mutated_mappings_load_or_get_located_diagnostics(tmp_path, compiled, plan):
    from forcecheck.importing.rules import load_mapping

    path = tmp_path / "m.yaml"
    path.write_text(mutate(MAPPING_TEXT, plan), encoding="utf-8")
    try:
        load_mapping(path, compiled)
    except InputError as exc:
        assert exc.diagnostics and all(d.code and d.message for d in exc.diagnostics)

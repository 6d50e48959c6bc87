"""A JSON Lines scenario is read with `json.loads`, and must read exactly as the YAML loader reads
it: the same data (every scalar a string), the same diagnostics at the same line and column,
the same refusals. Positions are worked out only when something is reported."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forcecheck.diagnostics import InputError, render_all
from forcecheck.scenario import load as load_module
from forcecheck.scenario import yamlsource
from forcecheck.scenario.load import load_scenario
from forcecheck.scenario.yamlsource import JsonDoc, load_json, load_yaml

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").rglob("*.yaml"))
FUZZ = settings(max_examples=int(os.environ.get("FORCECHECK_FUZZ_EXAMPLES", "200")), deadline=None,
                derandomize=not os.environ.get("FORCECHECK_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow])


def _line(path: Path) -> str:
    """A shipped scenario as the one JSON line `import --output X.jsonl` would write."""
    data = load_yaml(path, path.read_text(encoding="utf-8")).data
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("path", [p for p in SHIPPED if p.name != "README.md"], ids=lambda p: p.stem)
def test_every_shipped_scenario_reads_the_same_as_json(path):
    text = _line(path)
    fast = load_json(Path("x.jsonl:1"), text)
    assert isinstance(fast, JsonDoc)
    assert fast.data == load_yaml(Path("x.jsonl:1"), text).data


@pytest.mark.parametrize("text", [
    '{"a": 1e5, "b": -0, "c": 1.50, "d": true, "e": false, "f": null, "g": "null", "h": NaN}',
    '{"a": "x\\/y", "b": "\\u0007", "c": "tab\\there", "d": "\\u2028", "e": [], "f": {}}',
    '{"a": [{"b": ["1", 2, null]}], "c": "caf\\u00e9 \\u00e9"}',
])
def test_scalars_are_the_words_the_yaml_loader_reads(text):
    fast = load_json(Path("x"), text)
    assert fast is not None
    assert fast.data == load_yaml(Path("x"), text).data


@pytest.mark.parametrize("text", [
    '{"id": "a", "id": "b"}',  # a duplicate key: the YAML loader reports both lines
    '{"a": "\\ud800"}',  # a lone surrogate: the YAML loader refuses it in place
    '{"a": [true, false]}',  # booleans in a list
    '{"a": ' + "[" * 40 + "]" * 40 + "}",  # deeper than the loader allows
    '{"a": [' + ",".join(['"x"'] * (yamlsource.MAX_NODES + 1)) + "]}",  # more values than it allows
    '{"a": 1} trailing', "not json", "[1, 2]",
])
def test_what_json_and_yaml_might_read_differently_is_left_to_the_yaml_loader(text):
    assert load_json(Path("x"), text) is None


def test_a_line_read_as_json_is_placed_only_when_something_is_reported(compiled):
    text = _line(ROOT / "scenarios" / "teaching" / "knife-advancing.yaml")
    scenario = load_scenario("s.jsonl:1", compiled, text=text)
    assert isinstance(scenario.doc, JsonDoc) and scenario.doc.values == {}  # never parsed for positions


def _bad_lines() -> list[str]:
    good = json.loads(_line(ROOT / "scenarios" / "teaching" / "knife-advancing.yaml"))
    misspelt = json.loads(json.dumps(good))
    facts = misspelt["undisputed"]["facts"]
    key = next(iter(facts))
    facts[key.split(".")[0] + ".no_such_fact"] = facts.pop(key)
    role = json.loads(json.dumps(good))
    role["people"][0]["role"] = "offcer"
    missing = json.loads(json.dumps(good))
    del missing["title"]
    return [json.dumps(x, ensure_ascii=False) for x in (misspelt, role, missing)] + [
        '{"id": "a", "id": "b"}', '{"id": "a", "title": "\\ud800"}']


@pytest.mark.parametrize("text", _bad_lines(), ids=["fact", "role", "missing", "duplicate", "surrogate"])
def test_a_bad_line_is_reported_as_the_yaml_loader_would_report_it(compiled, monkeypatch, text):
    def diagnostics() -> str:
        with pytest.raises(InputError) as exc:
            load_scenario("s.jsonl:3", compiled, text=text)
        return render_all(exc.value.diagnostics)

    fast = diagnostics()
    monkeypatch.setattr(load_module, "load_json", lambda path, text: None)
    slow = diagnostics()
    assert fast == slow
    assert "s.jsonl:3:1:" in fast  # line 1 of the record, its column: a place to go to


# Any JSON the fast path takes, the YAML loader reads the same, and what the YAML loader refuses
# or reports the fast path leaves to it: text of every kind (control characters, line and
# paragraph separators, quotes, backslashes, astral characters), numbers in every JSON spelling,
# true/false/null, nesting, in keys and values alike. (One known exception is outside what this
# generates: a key over 1,024 characters, which the YAML loader cannot read in a flow mapping.)
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_SCALAR = st.one_of(_TEXT, st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
                    st.booleans(), st.none())
_JSON = st.recursive(_SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(_TEXT, inner, max_size=4)),
                     max_leaves=20)


@FUZZ
@given(st.dictionaries(_TEXT, _JSON, max_size=5), st.booleans())
def test_any_json_the_fast_path_takes_reads_as_the_yaml_loader_reads_it(doc, ascii_only):
    text = json.dumps(doc, ensure_ascii=ascii_only)
    fast = load_json(Path("x"), text)
    try:
        slow = load_yaml(Path("x"), text)
    except InputError:
        assert fast is None
        return
    if slow.problems:  # duplicate keys: reported by the YAML loader, with both places
        assert fast is None
    elif fast is not None:
        assert fast.data == slow.data

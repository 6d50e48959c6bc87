"""Load YAML safely, keeping the position of every key and value.

Scenario files are written by people, so the usual YAML hazards are closed here, before any
schema sees the data: anchors and aliases are refused (no billion laughs, no action at a
distance), duplicate keys are errors, scalars stay strings (so `no` is the word "no" until
the vocabulary says a fact is yes/no, and `NO`, the country code, survives), files must be
UTF-8, and size and nesting are bounded. Every value's `Span` is recorded by its path in the
document, so later stages (pydantic, the vocabulary) can point at the exact line and column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from forcecheck.diagnostics import Diagnostic, InputError, Span

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
NULLS = {"", "~", "null", "Null", "NULL"}

Loc = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """Plain data (dicts, lists, strings, None) with the span of each value and key."""

    path: str
    data: object
    values: dict[Loc, Span]
    keys: dict[Loc, Span]

    def span(self, loc: Loc, key: bool = False) -> Span:
        """The span of `loc`, or of its nearest enclosing value that has one."""
        loc = tuple(loc)
        table = self.keys if key else self.values
        while loc:
            if loc in table:
                return table[loc]
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return self.values.get((), Span(self.path, 1, 1))


def _span(path: str, mark, end_mark=None) -> Span:
    end = end_mark.column + 1 if end_mark is not None and end_mark.line == mark.line else None
    return Span(path, mark.line + 1, mark.column + 1, end)


def load_yaml(path: Path, text: str) -> YamlDoc:
    p = str(path)
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise InputError([Diagnostic(Span(p, 1, 1), "Y004", f"file is larger than {MAX_BYTES} bytes")])
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InputError([Diagnostic(
                    _span(p, event.start_mark, event.end_mark), "Y002",
                    "YAML anchors and aliases are not allowed in scenario files",
                    "write the value out in full where it is needed")])
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        hint = None
        if ("<stream end>" in problem or "end of stream" in problem) and exc.context_mark is not None:
            # The file ended inside a bracket or quote: point at where it was opened.
            mark = exc.context_mark
            hint = f"{exc.context}; is a bracket or quote left open?"
        span = _span(p, mark) if mark else Span(p, 1, 1)
        if hint:
            pass
        elif "tab" in problem.lower():
            hint = "indent with spaces, not tabs"
        elif "mapping values are not allowed" in problem:
            hint = "a value containing ': ' must be quoted"
        elif "could not find expected ':'" in problem:
            hint = "is a ':' missing after a key, or a quote left open?"
        raise InputError([Diagnostic(span, "Y001", f"invalid YAML: {problem}", hint)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Diagnostic(Span(p, 1, 1), "Y001", f"invalid YAML: {exc}")]) from None
    if len(nodes) != 1:
        what = "is empty" if not nodes else "holds more than one YAML document"
        raise InputError([Diagnostic(Span(p, 1, 1), "Y003", f"the file {what}",
                                     "a scenario file holds exactly one mapping")])
    doc = YamlDoc(p, None, {}, {})
    errors: list[Diagnostic] = []
    doc.data = _convert(nodes[0], (), doc, errors, 0)
    if errors:
        raise InputError(errors)
    return doc


def _convert(node, loc: Loc, doc: YamlDoc, errors: list[Diagnostic], depth: int):
    doc.values[loc] = _span(doc.path, node.start_mark, node.end_mark)
    if depth > MAX_DEPTH:
        errors.append(Diagnostic(doc.values[loc], "Y004", f"nesting deeper than {MAX_DEPTH} levels"))
        return None
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in NULLS:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*loc, i), doc, errors, depth + 1) for i, item in enumerate(node.value)]
    out: dict[str, object] = {}
    first: dict[str, Span] = {}
    for key_node, value_node in node.value:
        key_span = _span(doc.path, key_node.start_mark, key_node.end_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            errors.append(Diagnostic(key_span, "Y005", "a key must be a plain word or string"))
            continue
        key = key_node.value
        if key in first:
            errors.append(Diagnostic(key_span, "Y005", f"duplicate key '{key}' (first at line "
                                     f"{first[key].line})", "each key may appear once in a mapping"))
            continue
        first[key] = key_span
        doc.keys[(*loc, key)] = key_span
        out[key] = _convert(value_node, (*loc, key), doc, errors, depth + 1)
    return out

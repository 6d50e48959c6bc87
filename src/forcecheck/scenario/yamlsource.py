"""Load YAML safely, keeping the position of every key and value.

Scenario files are written by people, so the usual YAML hazards are closed here, before any
schema sees the data: anchors and aliases are refused (no billion laughs, no action at a
distance), duplicate keys are errors, scalars stay strings (so `no` is the word "no" until
the vocabulary says a fact is yes/no, and `NO`, the country code, survives), files must be
UTF-8, and size and nesting are bounded. Every value's `Span` is recorded by its path in the
document, so later stages (pydantic, the vocabulary) can point at the exact line and column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from forcecheck.diagnostics import Diagnostic, InputError, Span

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_NODES = 50_000  # keys, values and collections in one file
NULLS = {"", "~", "null", "Null", "NULL"}

Loc = tuple[str | int, ...]


Place = tuple[int, int, int | None]  # 1-based line and column, end column on the same line


@dataclass
class YamlDoc:
    """Plain data (dicts, lists, strings, None) with the place of each value and key (kept as
    plain tuples: a file has hundreds of them and a Span is made only for one that is shown)."""

    path: str
    data: object
    values: dict[Loc, Place]
    keys: dict[Loc, Place]
    problems: list = field(default_factory=list)  # duplicate keys: reported, the first one kept

    def key_spans(self) -> dict[Loc, Span]:
        """Every key's span, by its path."""
        return {loc: Span(self.path, *at) for loc, at in self.keys.items()}

    def span(self, loc: Loc, key: bool = False) -> Span:
        """The span of `loc`, or of its nearest enclosing value that has one."""
        loc = tuple(loc)
        table = self.keys if key else self.values
        while loc:
            if loc in table:
                return Span(self.path, *table[loc])
            if loc in self.values:
                return Span(self.path, *self.values[loc])
            loc = loc[:-1]
        at = self.values.get(())
        return Span(self.path, *at) if at is not None else Span(self.path, 1, 1)


def _place(mark, end_mark=None) -> Place:
    return (mark.line + 1, mark.column + 1,
            end_mark.column + 1 if end_mark is not None and end_mark.line == mark.line else None)


def _span(path: str, mark, end_mark=None) -> Span:
    return Span(path, *_place(mark, end_mark))


# libyaml's parser when PyYAML has it (fast, and it does not recurse); PyYAML's own otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path, text: str) -> YamlDoc:
    """Parse `text` into a `YamlDoc`, in one pass over the parser's events.

    Nothing recursive or quadratic runs before the limits are checked: the events are read
    one at a time, and depth, node count, anchors and aliases are refused as they arrive."""
    p = str(path)
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise InputError([Diagnostic(Span(p, 1, 1), "Y004", f"file is larger than {MAX_BYTES} bytes",
                                     "split it into several scenarios")])
    try:
        return _DocBuilder(p).build(text)
    except yaml.MarkedYAMLError as exc:
        raise InputError([_yaml_error(p, text, exc)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Diagnostic(Span(p, 1, 1), "Y001", f"invalid YAML: {exc}",
                                     "`forcecheck explain Y001` lists the usual causes")]) from None


class JsonDoc(YamlDoc):
    """A document read with `json.loads`: the same data the YAML loader gives (every scalar a
    string, `null` None), with positions worked out only when something asks for one (an error
    or a warning to place), by reading the text again with the YAML loader."""

    def __init__(self, path: str, data: object, text: str):
        super().__init__(path, data, {}, {})
        self._text: str | None = text

    def _place(self) -> None:
        if self._text is not None:
            text, self._text = self._text, None
            try:
                full = _DocBuilder(self.path).build(text)
                self.values, self.keys = full.values, full.keys
            except (yaml.YAMLError, InputError):
                pass  # JSON the YAML loader cannot place (a key over 1,024 characters): line 1

    def key_spans(self) -> dict[Loc, Span]:
        self._place()
        return self.keys

    def span(self, loc: Loc, key: bool = False) -> Span:
        self._place()
        return super().span(loc, key)


class _NotPlain(Exception):
    """JSON the fast path leaves to the YAML loader, which reports it in place."""


def _pairs(pairs: list[tuple[str, object]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _NotPlain  # a duplicate key: reported by the YAML loader, with both lines
    for k, v in pairs:
        if v is True or v is False:
            out[k] = "true" if v else "false"
    return out


def load_json(path: Path, text: str) -> JsonDoc | None:
    """`text` as a `JsonDoc` when it is one JSON object the YAML loader would read the same way
    and within the same bounds, else None (the YAML loader then reads it, and says what is wrong
    where). A JSON Lines line is JSON: reading it with `json.loads` is 10x faster than building
    it from YAML events with a position for every value, and the positions are only wanted for
    a line with a problem."""
    if (not text.lstrip().startswith("{") or len(text.encode("utf-8")) > MAX_BYTES
            or _SURROGATE_ESCAPE.search(text) or YAML_UNSAFE.search(text)):
        return None
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_int=str, parse_float=str,
                          parse_constant=str)
        _within_bounds(data)
    except (ValueError, RecursionError, _NotPlain):
        return None
    return JsonDoc(str(path), data, text)


def _within_bounds(data: object) -> None:
    """Raise `_NotPlain` for what the YAML loader refuses or reads otherwise: more values or
    deeper nesting than it allows, true/false in a list (words to it)."""
    nodes = 1
    todo: list[tuple[object, int]] = [(data, 0)]
    while todo:
        value, depth = todo.pop()
        children = value.values() if isinstance(value, dict) else value
        nodes += len(children)  # type: ignore[arg-type]
        if nodes > MAX_NODES or children and depth >= MAX_DEPTH:
            raise _NotPlain
        for child in children:  # type: ignore[union-attr]
            if isinstance(child, dict | list):
                todo.append((child, depth + 1))
            elif child is True or child is False:
                raise _NotPlain


# Characters JSON allows raw in a string that the YAML loader refuses, or reads as a line break
# (and folds into a space): a line holding one is left to it, as before.
YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")

# A \uD800-\uDFFF escape: a lone surrogate is text no file can hold, and the YAML loader refuses
# even a pair of them; such a line is left to it, to be reported where it is.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _yaml_error(p: str, text: str, exc: yaml.MarkedYAMLError) -> Diagnostic:
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
    elif mark is not None and _char_at(text, mark.line, mark.column) == "\t" or "tab" in problem.lower():
        hint = "indent with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        hint = "a value containing ': ' must be quoted"
    elif "could not find expected ':'" in problem:
        hint = "is a ':' missing after a key, or a quote left open?"
    return Diagnostic(span, "Y001", f"invalid YAML: {problem}", hint)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    return lines[line][column:column + 1] if line < len(lines) else ""


_ALIAS, _SCALAR = yaml.AliasEvent, yaml.ScalarEvent
_MAP, _SEQ = yaml.MappingStartEvent, yaml.SequenceStartEvent
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_SKIPPED = (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)


class _DocBuilder:
    """Plain data from parser events, with an explicit stack instead of recursion. One loop
    over the events, dispatching on their class: a file has hundreds of them, and a batch
    reads thousands of files."""

    def __init__(self, path: str):
        self.doc = YamlDoc(path, None, {}, {})
        self.errors: list[Diagnostic] = []
        self.nodes = 0
        # Each frame: [container, loc, pending key (mappings), first-seen keys]
        self.stack: list[list] = []
        self.root: object = None
        self.skipping = 0  # inside a key that is not a scalar, or a dropped value: events skipped

    def _refuse(self, event, code: str, message: str, hint: str | None = None) -> InputError:
        return InputError([Diagnostic(_span(self.doc.path, event.start_mark, event.end_mark), code,
                                      message, hint)])

    def build(self, text: str) -> YamlDoc:
        doc, stack, node = self.doc, self.stack, self._node
        values = doc.values
        documents = 0
        loader = _LOADER(text)
        try:
            check, get = loader.check_event, loader.get_event
            while check():
                event = get()
                kind = event.__class__
                if kind is _ALIAS or (kind is _SCALAR or kind is _MAP or kind is _SEQ) and event.anchor:
                    raise self._refuse(event, "Y002", "YAML anchors and aliases are not allowed in "
                                       "scenario files", "write the value out in full where it is needed")
                if kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        raise InputError([Diagnostic(Span(doc.path, 1, 1), "Y003",
                                                     "the file holds more than one YAML document",
                                                     "a scenario file holds exactly one mapping")])
                elif kind in _SKIPPED:
                    continue
                elif self.skipping:
                    self.skipping += 1 if kind is _MAP or kind is _SEQ else -1 if kind in _ENDS else 0
                elif kind in _ENDS:  # the end of a mapping or list: an end column if on its first line
                    frame = stack.pop()
                    line, column, _ = values[frame[1]]
                    end = event.end_mark
                    values[frame[1]] = (line, column, end.column + 1 if end.line + 1 == line else None)
                    if not stack:
                        self.root = frame[0]
                else:
                    node(event, kind)
        finally:
            loader.dispose()
        if documents == 0 or self.root is None and not values:
            raise InputError([Diagnostic(Span(doc.path, 1, 1), "Y003", "the file is empty",
                                         "a scenario file holds exactly one mapping")])
        # Duplicate and complex keys are reported, and the rest of the file is still checked
        # (the first of two duplicates is kept), so one run shows every problem.
        doc.problems = list(self.errors)
        doc.data = self.root
        return doc

    def _node(self, event, kind) -> None:
        """A scalar or the start of a mapping or list: counted, then a key or a value."""
        stack = self.stack
        starts = kind is _MAP or kind is _SEQ
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self._refuse(event, "Y004", f"more than {MAX_NODES} values in one file")
        if stack:
            frame = stack[-1]
            container = frame[0]
            if container.__class__ is dict:
                key = frame[2]
                if key is None:  # a key of the innermost mapping
                    self._key(event, frame)
                    return
                frame[2] = None
                if key is _SKIP:
                    self.skipping = 1 if starts else 0
                    return
                loc = (*frame[1], key)
            else:
                loc = (*frame[1], len(container))
        else:
            container, loc = None, ()
        if len(stack) > MAX_DEPTH:
            raise self._refuse(event, "Y004", f"nesting deeper than {MAX_DEPTH} levels")
        start, end = event.start_mark, event.end_mark
        self.doc.values[loc] = (start.line + 1, start.column + 1,
                                end.column + 1 if end.line == start.line else None)
        if starts:
            value: object = {} if kind is _MAP else []
        else:
            value = None if (not event.style and event.value in NULLS) else event.value
        if container is not None:
            if container.__class__ is dict:
                container[loc[-1]] = value
            else:
                container.append(value)
        elif not starts:
            self.root = value
        if starts:
            stack.append([value, loc, None, {}])

    def _key(self, event, frame: list) -> None:
        """A key of the innermost mapping. One that is not a scalar, or that the mapping has
        already, is reported and its value dropped."""
        at = _place(event.start_mark, event.end_mark)
        if event.__class__ is not _SCALAR:
            self.errors.append(Diagnostic(Span(self.doc.path, *at), "Y005", "a key must be a plain "
                                          "word or string", "write the key as a word, e.g. facts:"))
            self.skipping = 1
            frame[2] = _SKIP
            return
        key = event.value
        if key in frame[3]:
            self.errors.append(Diagnostic(
                Span(self.doc.path, *at), "Y005",
                f"duplicate key '{key}' (first at line {frame[3][key][0]})",
                "each key may appear once in a mapping"))
            frame[2] = _SKIP
            return
        frame[3][key] = at
        self.doc.keys[(*frame[1], key)] = at
        frame[2] = key


_SKIP = object()  # a key already reported (duplicate or not a scalar): drop its value

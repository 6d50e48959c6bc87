"""`forcecheck fmt`: one canonical layout for scenario files, comments kept.

Keys in a fixed order (a scenario reads top-down: what it is, its sources, who, what
happened, what is agreed, each account, what is expected), two-space indentation, lists
indented under their key, no line folded, quoting and flow or block style as written.
Formatting twice gives the same bytes; a formatted file loads exactly as before (the result
is checked before it is returned).

The file is read by forcecheck's own loader first (`load_yaml`), so YAML that does not load
gets the located diagnostics `validate` gives, never a crash of the round-trip parser. That
parser (ruamel.yaml) keeps every scalar as the text written (a date that is no date, an
integer of 5,000 digits), since forcecheck reads scalars as text too. A comment on the lines
above a key is that key's: it moves with the key; the comment lines after a mapping's last
entry stay at its end.
"""

from __future__ import annotations

import contextlib
import io
from itertools import pairwise
from pathlib import Path

from forcecheck.diagnostics import Diagnostic, InputError, Span

ORDER = {
    (): ["id", "title", "kind", "date", "time", "place", "summary", "sources", "people", "events",
         "undisputed", "accounts", "expect"],
    ("sources",): ["id", "title", "publisher", "url", "date"],
    ("people",): ["id", "role", "agency", "description", "accounts"],
    ("events",): ["id", "actor", "action", "target", "time", "description", "accounts"],
    ("undisputed",): ["sources", "facts"],
    ("accounts",): ["id", "name", "sources", "summary", "coverage", "facts", "order"],
    ("statement",): ["value", "source", "quote", "note", "inferred"],
}


def _yaml():
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.representer import RoundTripRepresenter

    class Written(str):
        """A scalar ruamel would read as a number, a boolean, a date or bytes, kept as written."""

        tag = ""

    class Constructor(RoundTripConstructor):
        pass

    class Representer(RoundTripRepresenter):
        pass

    def construct(constructor, node) -> Written:
        if not isinstance(node, ScalarNode):
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            raise ConstructorError(None, None, f"the tag {tag} is for a single value, not a mapping or "
                                   "a list", node.start_mark)
        out = Written(node.value)
        out.tag = node.tag
        return out

    for kind in ("int", "float", "bool", "timestamp", "binary"):
        Constructor.add_constructor(f"tag:yaml.org,2002:{kind}", construct)
    Representer.add_representer(Written, lambda r, data: r.represent_scalar(data.tag, str(data)))
    yaml = YAML(typ="rt")
    yaml.Constructor = Constructor
    yaml.Representer = Representer
    yaml.preserve_quotes = True
    yaml.width = 1 << 20  # never fold or move a long line (a scenario file is at most 1 MB)
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def format_file(path: str | Path, text: str, fix: bool = False) -> str:
    """`text` (the file at `path`) in the canonical layout, or an `InputError` with the located
    diagnostics `validate` gives when it is not YAML forcecheck loads. With `fix`, old fact
    names are written as their new ones (`fixes` says which)."""
    from forcecheck.scenario.yamlsource import load_yaml

    doc = load_yaml(Path(path), text)
    if doc.problems:
        raise InputError(doc.problems)
    new = formatted(text, str(path), fix)
    said = doc.data
    if fix:
        fixes(said)  # what the file says, with the new names
    if new != text and load_yaml(Path(path), new).data != said:  # never change what it says
        raise InputError([Diagnostic(Span(str(path), 1, 1), "S000", "formatting would change what the "
                                     "file says; left as it is", "please report it: this is a bug in fmt")])
    return new


def formatted(text: str, path: str = "<text>", fix: bool = False) -> str:
    """`text` in the canonical layout (with `fix`, old fact names written as their new ones).
    YAML the round-trip parser cannot read is a located Y001 (forcecheck's own loader,
    `format_file`, says more)."""
    from ruamel.yaml.error import YAMLError

    yaml = _yaml()
    try:
        data = yaml.load(text)
    except (YAMLError, RecursionError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        span = Span(path, mark.line + 1, mark.column + 1) if mark is not None else Span(path, 1, 1)
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
        raise InputError([Diagnostic(span, "Y001", f"invalid YAML: {problem}",
                                     "`forcecheck explain Y001` lists the usual causes")]) from None
    if not isinstance(data, dict):
        return text
    if fix:
        fixes(data)
    # The second number is where the layout puts the mapping's keys: a comment moved with a key
    # is indented as the key is.
    _reorder(data, ORDER[()], 0, lambda lines: _above(data, lines, 0))
    for group in ("sources", "people", "events", "accounts"):
        items = _list(data.get(group))
        for i, item in enumerate(items):
            if isinstance(item, dict):
                _reorder(item, ORDER[(group,)], 4,
                         lambda lines, i=i, items=items: _above_item(items, i, lines))
    blocks = []
    if isinstance(data.get("undisputed"), dict):
        _reorder(data["undisputed"], ORDER[("undisputed",)], 2)
        blocks.append((data["undisputed"].get("facts"), 6))
    blocks += [(a.get("facts"), 8) for a in _list(data.get("accounts")) if isinstance(a, dict)]
    for facts, column in blocks:
        for value in (facts.values() if isinstance(facts, dict) else ()):
            if isinstance(value, dict):
                _reorder(value, ORDER[("statement",)], column)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def fixes(data: dict) -> list[tuple[str, str]]:
    """Old fact names (renames that kept the fact's meaning: `scenario.aliases`) rewritten in
    place as their new ones, in the facts blocks and in expectations' `because` and `deciding`
    lists; a key keeps its place and comments. Returns the (old, new) keys rewritten. A fact
    stated by both names is left for `validate` to report."""
    from forcecheck.scenario.aliases import renamed

    kinds = {str(p.get("id")): str(p.get("role")) for p in _list(data.get("people")) if isinstance(p, dict)}
    kinds |= {str(e.get("id")): "event" for e in _list(data.get("events")) if isinstance(e, dict)}

    def new_key(key: object) -> str | None:
        subject, dot, name = str(key).partition(".")
        r = renamed(name) if dot else None
        if r is None or not r.alias or subject not in kinds:
            return None
        kind = kinds[subject]
        if r.subject not in (kind, "person" if kind != "event" else "event"):
            return None
        return f"{subject}.{r.new}"

    done: list[tuple[str, str]] = []
    blocks = [data["undisputed"].get("facts") if isinstance(data.get("undisputed"), dict) else None]
    blocks += [a.get("facts") for a in _list(data.get("accounts")) if isinstance(a, dict)]
    for facts in blocks:
        if not isinstance(facts, dict):
            continue
        for key in list(facts):
            new = new_key(key)
            if new is None or new in facts:
                continue
            _rename(facts, key, new)
            done.append((str(key), new))
    expect = data.get("expect")
    for block in (expect if isinstance(expect, list) else [expect]):
        if not isinstance(block, dict):
            continue
        lists = [v.get("because") for acc in block.values() if isinstance(acc, dict)
                 for v in acc.values() if isinstance(v, dict)]
        lists += [v.get("because") for acc in block.values() if isinstance(acc, dict)
                  for per in acc.values() if isinstance(per, dict)
                  for v in per.values() if isinstance(v, dict)]
        lists += list(block["deciding"].values()) if isinstance(block.get("deciding"), dict) else []
        for names in lists:
            for i, name in enumerate(names if isinstance(names, list) else ()):
                new = new_key(name)
                if new is not None:
                    names[i] = new
                    done.append((str(name), new))
    return done


def _rename(mapping: dict, old: object, new: str) -> None:
    """`mapping[old]` as `mapping[new]`, where it stood, with its comments."""
    keys = list(mapping)
    at = keys.index(old)
    value = mapping.pop(old)
    if hasattr(mapping, "insert"):
        mapping.insert(at, new, value)
        ca = getattr(mapping, "ca", None)
        if ca is not None and old in ca.items:
            ca.items[new] = ca.items.pop(old)
        return
    rest = {k: mapping.pop(k) for k in keys[at + 1:]}
    mapping[new] = value
    mapping.update(rest)


def _list(value: object) -> list:
    """A group as a list, or nothing when the file gives something else (`people: 5`): the
    shape is `validate`'s to report, the layout `fmt`'s."""
    return value if isinstance(value, list) else []


# --- keys moved with their comments -------------------------------------------------------------
# ruamel keeps a comment on the lines above a key as the tail of the entry before it (its
# end-of-line comment token, or that of the last scalar inside it, or a collection's end). Before
# keys move, each key's lines are taken from there; after, they are put back at the tail of
# whichever entry now comes before it.

def _reorder(mapping, order: list[str], column: int, above_first=None) -> None:
    """Known keys in `order`, then the others as written; comments travel with their keys, indented
    as the layout indents the keys (`column`), so that none can fall into a block scalar's text.
    The lines above a key that becomes the first go where `above_first` puts them (above the
    list item the mapping is), or else are kept as the key's own."""
    keys = list(mapping)
    wanted = [k for k in order if k in mapping] + [k for k in mapping if k not in order]
    if keys == wanted:
        return
    above = {k: _indented(_take_tail(mapping, before), column) for before, k in pairwise(keys)}
    end = _take_tail(mapping, keys[-1])
    for k in wanted:
        mapping.move_to_end(k)
    for before, k in pairwise(wanted):
        _add_tail(mapping, before, above.pop(k, ""))
    if above.get(wanted[0]) and above_first is not None:  # now the first key: its lines go above it
        above_first(above[wanted[0]])
    elif above.get(wanted[0]):
        entry = mapping.ca.items.setdefault(wanted[0], [None, None, None, None])
        entry[1] = [*(entry[1] or []), _token(above[wanted[0]].lstrip(" "), column)]
    _add_tail(mapping, wanted[-1], end)
    for k in wanted:  # the lines ruamel keeps as a key's own (above a mapping's first key, say)
        entry = mapping.ca.items.get(k)
        for token in (entry[1] or []) if entry and len(entry) > 1 else []:
            with contextlib.suppress(AttributeError, TypeError):
                token.column = column


def _token(text: str, column: int):
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    return CommentToken(text, CommentMark(column), None)


def _above(collection, lines: str, column: int) -> None:
    """`lines` above a collection's first entry (the file's first key, a list's first item)."""
    comment = collection.ca.comment or [None, None]
    comment[1] = [*(comment[1] or []), _token(_indented(lines, column).lstrip(" "), column)]
    collection.ca.comment = comment


def _above_item(items, i: int, lines: str) -> None:
    """`lines` above the list item `items[i]`: after the item before it, or above the list."""
    if i == 0:
        _above(items, lines, 2)
    else:
        _add_tail(items, i - 1, _indented(lines, 2))


def _indented(lines: str, column: int) -> str:
    return "".join(" " * column + line.lstrip(" ") if line.strip() else line
                   for line in lines.splitlines(True))


def _block(value) -> bool:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return isinstance(value, CommentedMap | CommentedSeq) and len(value) > 0 and not value.fa.flow_style()


def _last(value):
    return next(reversed(value)) if isinstance(value, dict) else len(value) - 1


def _slot(parent, key) -> int:
    return 2 if isinstance(parent, dict) else 0  # where ruamel keeps an entry's following comment


def _take_tail(parent, key) -> str:
    """The comment lines after `parent[key]`'s entry (not its end-of-line comment), removed."""
    from ruamel.yaml.tokens import CommentToken

    value = parent[key]
    out = ""
    if _block(value):
        out = _take_tail(value, _last(value))
        end = getattr(value.ca, "end", None)
        if end:
            out += "".join(t.value for t in end if isinstance(t, CommentToken))
            value.ca.end = []
    entry = parent.ca.items.get(key)
    token = entry[_slot(parent, key)] if entry and len(entry) > _slot(parent, key) else None
    if isinstance(token, CommentToken) and "\n" in token.value:
        own, _, lines = token.value.partition("\n")
        if lines:
            token.value = own + "\n"
            out = lines + out
    return out


def _add_tail(parent, key, text: str) -> None:
    """`text` (comment lines) after `parent[key]`'s entry."""
    if not text:
        return
    from ruamel.yaml.tokens import CommentToken

    value = parent[key]
    if _block(value):
        _add_tail(value, _last(value), text)
        return
    entry = parent.ca.items.setdefault(key, [None, None, None, None])
    slot = _slot(parent, key)
    token = entry[slot]
    if isinstance(token, CommentToken):
        token.value = token.value + text if token.value.endswith("\n") else token.value + "\n" + text
    else:
        entry[slot] = _token("\n" + text, 0)

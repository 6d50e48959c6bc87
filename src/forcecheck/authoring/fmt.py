"""`forcecheck fmt`: one canonical layout for scenario files, comments kept.

Keys in a fixed order (a scenario reads top-down: what it is, its sources, who, what
happened, what is agreed, each account, what is expected), two-space indentation, lists
indented under their key, no line folded, quoting and flow or block style as written.
Formatting twice gives the same bytes; a formatted file loads exactly as before (the result
is checked before it is returned).
"""

from __future__ import annotations

import io

ORDER = {
    (): ["id", "title", "kind", "date", "time", "place", "summary", "sources", "people", "events",
         "undisputed", "accounts", "expect"],
    ("sources",): ["id", "title", "publisher", "url", "date"],
    ("people",): ["id", "role", "agency", "description", "accounts"],
    ("events",): ["id", "actor", "action", "target", "time", "description", "accounts"],
    ("undisputed",): ["sources", "facts"],
    ("accounts",): ["id", "name", "sources", "summary", "facts", "order"],
    ("statement",): ["value", "source", "quote", "note", "inferred"],
}


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _reorder(mapping, order: list[str]) -> None:
    """Known keys in `order`, then the others as written; comments travel with their keys."""
    keys = [k for k in order if k in mapping] + [k for k in mapping if k not in order]
    for k in keys:
        mapping.move_to_end(k)


def formatted(text: str) -> str:
    """`text` in the canonical layout."""
    yaml = _yaml()
    data = yaml.load(text)
    if not isinstance(data, dict):
        return text
    _reorder(data, ORDER[()])
    for group in ("sources", "people", "events", "accounts"):
        for item in data.get(group) or []:
            if isinstance(item, dict):
                _reorder(item, ORDER[(group,)])
    blocks = []
    if isinstance(data.get("undisputed"), dict):
        _reorder(data["undisputed"], ORDER[("undisputed",)])
        blocks.append(data["undisputed"].get("facts"))
    blocks += [a.get("facts") for a in data.get("accounts") or [] if isinstance(a, dict)]
    for facts in blocks:
        for value in (facts or {}).values():
            if isinstance(value, dict):
                _reorder(value, ORDER[("statement",)])
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()

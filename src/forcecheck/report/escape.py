"""Text from files made literal in Markdown: no markup, no HTML, no cell or line of its own.

Every Markdown output (the check report, side by side, the corpus) writes scenario, policy and
record text through `md`, so a title cannot open a link, draw a table or run a script on a
renderer that passes HTML through.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(text: str | None) -> str:
    """Scenario or policy text as literal Markdown: no markup, no HTML, one line."""
    if not text:
        return ""
    text = " ".join(str(text).split())
    if not text:
        return ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return "\\" + text if text[0] in "#+-=>0123456789" else text


def code(text: str) -> str:
    return "`" + str(text).replace("`", "'") + "`"


def cell(text: str | None) -> str:
    """`md` for a table cell, which is never the start of a line: no escape before a leading
    digit or '#' (a date stays a date)."""
    out = md(text)
    return out[1:] if out.startswith("\\") and text and str(text).lstrip()[:1] in "#+-=>0123456789" else out

"""One door to every renderer: `render(document, format, **options)`.

A document is what a report shows, built once from results (the check report, the open
questions, one scenario under several policies, a corpus); a renderer turns one kind of
document into one format. The registry names each renderer by module and function, so a
command imports only the renderer it uses, and a new format is one module and one entry here.
"""

from __future__ import annotations

import os
from importlib import import_module
from inspect import signature
from typing import Any

# (document kind, format) -> "module:function"
RENDERERS: dict[tuple[str, str], str] = {
    ("check", "text"): "forcecheck.report.text:render_text",
    ("check", "markdown"): "forcecheck.report.markdown:render_markdown",
    ("check", "html"): "forcecheck.report.html:render_html",
    ("check", "json"): "forcecheck.report.json:render_json",
    ("questions", "text"): "forcecheck.report.text:render_questions",
    ("questions", "json"): "forcecheck.report.json:render_questions_json",
    ("compare", "text"): "forcecheck.report.compare:render_text",
    ("compare", "markdown"): "forcecheck.report.compare:render_markdown",
    ("compare", "html"): "forcecheck.report.compare:render_html",
    ("compare", "json"): "forcecheck.report.compare:render_json",
    ("corpus", "text"): "forcecheck.report.corpus:render_text",
    ("corpus", "markdown"): "forcecheck.report.corpus:render_markdown",
    ("corpus", "html"): "forcecheck.report.corpus:render_html",
    ("corpus", "json"): "forcecheck.report.corpus:render_json",
    ("casebook", "text"): "forcecheck.report.casebook:render_text",
    ("casebook", "markdown"): "forcecheck.report.casebook:render_markdown",
    ("casebook", "html"): "forcecheck.report.casebook:render_html",
    ("casebook", "json"): "forcecheck.report.casebook:render_json",
    # For CI (report/ci.py): a check's breaches, validate's diagnostics, test's expectations.
    ("check", "sarif"): "forcecheck.report.ci:check_sarif",
    ("check", "junit"): "forcecheck.report.ci:check_junit",
    ("check", "github"): "forcecheck.report.ci:check_github",
    ("findings", "sarif"): "forcecheck.report.ci:render_sarif",
    ("findings", "junit"): "forcecheck.report.ci:render_junit",
    ("findings", "github"): "forcecheck.report.ci:render_github",
}

CI_FORMATS = ("sarif", "junit", "github")

SHARED_OPTIONS = frozenset({"width", "colour", "explain", "ascii_only", "indent"})

# A format a document kind lacks is shown in the nearest one it has.
FALLBACK = {("questions", "markdown"): "text", ("questions", "html"): "text"}


def wants_colour(choice: str, is_tty: bool, env: dict[str, str] | None = None) -> bool:
    """Whether text output gets colour (here, not in the text renderer, so that deciding imports
    no rich). --color always|never wins; on auto, NO_COLOR (non-empty) turns colour off, FORCE_COLOR
    (non-empty) on, TERM=dumb off, and otherwise a terminal gets colour."""
    if choice != "auto":
        return choice == "always"
    env = os.environ if env is None else env
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    return is_tty


def formats(kind: str) -> list[str]:
    """The formats a kind of document can be rendered in."""
    return [f for k, f in RENDERERS if k == kind]


KINDS = {"Report": "check", "QuestionsReport": "questions", "Comparison": "compare", "Corpus": "corpus",
         "Casebook": "casebook", "Findings": "findings"}


def kind_of(document: Any) -> str:
    """Which kind of document this is, from its class."""
    name = type(document).__name__
    if name not in KINDS:
        raise TypeError(f"not a forcecheck document: {name}")
    return KINDS[name]


def render(document: Any, format: str = "text", **options: Any) -> str:
    """The document in `format`; `options` go to the renderer (e.g. `width`, `colour`, `explain`
    for text). An unknown format is bad input, with the formats this document has."""
    kind = kind_of(document)
    format = FALLBACK.get((kind, format), format)
    target = RENDERERS.get((kind, format))
    if target is None:
        from forcecheck.diagnostics import Diagnostic, InputError, did_you_mean

        known = formats(kind)
        raise InputError([Diagnostic(None, "U001", f"no format '{format}' for a {kind} report",
                                     did_you_mean(format, known) or f"formats: {', '.join(known)}")])
    module, name = target.split(":")
    function = getattr(import_module(module), name)
    # The options every text-like renderer may take; one that a renderer has no use for (the
    # width of a JSON document) is dropped, anything else is the caller's mistake.
    accepted = signature(function).parameters
    options = {k: v for k, v in options.items() if k in accepted or k not in SHARED_OPTIONS}
    return function(document, **options)

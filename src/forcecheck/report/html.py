"""The HTML report: one self-contained, printable page (inline CSS, no network).

Rendered from the report model through a Jinja2 template with autoescaping, so nothing a
scenario or policy file says can become markup or script; links are kept only when they are
http(s) addresses.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from forcecheck.report import wording as w
from forcecheck.report.answer import abbreviated, account_title
from forcecheck.report.model import AccountVerdict, ClauseCard, Item, Report, ScenarioReport
from forcecheck.report.prose import Shown, explain, nest


@cache
def _template():
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined,
                      keep_trailing_newline=True)
    return env.from_string(files("forcecheck.report").joinpath("templates/report.html.j2")
                           .read_text(encoding="utf-8"))


def render_html(report: Report) -> str:
    template = _template()
    shown: dict[str, Shown] = {}
    claimed: set[str] = set()  # ids given out: the first line of its words keeps one

    def explain_item(s: ScenarioReport, card: ClauseCard, v: AccountVerdict, item: Item):
        # Each clause card explains itself in full: a reader opens one card, not the page.
        refs = {q.key: f"{q.ref} ({q.key})" for q in s.questions}
        return explain(item, v.account, shown.setdefault(f"{s.id}/{card.id}", Shown()), True,
                       lambda key, subject, question: refs.get(key)
                       or w.subject_question(subject, question) + " --")

    def verdicts_of(card: ClauseCard) -> list[AccountVerdict]:
        return [*card.verdicts, *([card.hypothetical] if card.hypothetical else [])]

    def facts_of(s: ScenarioReport, clause: str) -> list[str]:
        return next((c.facts for c in s.contested if c.clause == clause), [])

    return template.render(
        report=report, safe_url=w.safe_url, explain_item=explain_item, nest=nest,
        verdicts_of=verdicts_of, facts_of=facts_of, budget_note=w.budget_note, value_word=w.value_word,
        answered_line=w.answered_line,
        position=w.position, account_title=account_title, breakable=breakable, abbreviated=abbreviated,
        anchor=anchor, claim=lambda ident: not (ident in claimed or claimed.add(ident)),
        accounts_by_id=lambda s: {a.id: a.name for a in s.accounts},
        card_ids=lambda s: {c.id for c in s.clauses})


def breakable(text: str) -> Markup:
    """Text a narrow column may break after '-' and '/' (and nowhere else): a clause id, a cell."""
    return Markup(str(escape(text)).replace("-", "-<wbr>").replace("/", "/<wbr>"))


def anchor(base: str, step) -> str | None:
    """The id of a fact or definition line a later "(as above)" refers to: the first line of
    the same kind, words and value under the same account in the same card (`prose.Shown`)."""
    if step.kind not in ("fact", "definition"):
        return None
    import hashlib

    digest = hashlib.sha1(f"{step.kind}|{step.text}|{step.value!r}".encode()).hexdigest()[:10]
    return f"{base}-{digest}"

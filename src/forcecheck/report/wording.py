"""The fixed phrases every rendering uses, so each epistemic state reads the same everywhere."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from forcecheck.policy.model import ASSUMED, UNDISPUTED, Clause, QuoteRef

if TYPE_CHECKING:  # only names in annotations: `clauses` and `show` need no evaluation stack
    from forcecheck.evaluation.results import FactUse
    from forcecheck.scenario.scenario import Scenario

VERDICT_WORDS = {
    "met": "met",
    "breached": "breached",
    "undetermined": "undetermined",
    "not_applicable": "not applicable",
}

DISCLAIMER = (
    "forcecheck is an aid to analysis, not a judgement: each verdict says what the policy "
    "text implies if an account's version of events is taken as true. It does not say what "
    "happened, or that anyone is guilty of anything."
)


def verdict_words(verdict: str, clause: Clause) -> str:
    """'breached' for must / must not; a breached `should` is guidance not followed."""
    if verdict == "breached" and not clause.binding:
        return "guidance not followed"
    return VERDICT_WORDS[verdict]


SHORT_WORDS = {"met": "met", "breached": "breached", "not_applicable": "n/a"}


def possible_words(possible: tuple[str, ...], clause: Clause | None = None) -> str:
    """'met'; or 'undetermined: met or not applicable (no breach possible)'."""
    if len(possible) == 1:
        return verdict_words(possible[0], clause) if clause else VERDICT_WORDS[possible[0]]
    words = [verdict_words(v, clause) if clause else VERDICT_WORDS[v] for v in possible]
    text = "undetermined: " + (" or ".join(words) if len(words) < 3 else
                               f"{words[0]}, {words[1]} or {words[2]}")
    if "breached" not in possible:
        text += " (no breach possible)"
    elif "met" not in possible:
        text += " (cannot be met)"
    return text


def possible_cell(possible: tuple[str, ...], clause: Clause) -> str:
    """The summary table's cell: 'met', or '? met/n/a' for what an undetermined verdict can be."""
    if len(possible) == 1:
        return "not followed" if possible[0] == "breached" and not clause.binding else \
            VERDICT_WORDS[possible[0]]
    short = {**SHORT_WORDS, "breached": "breached" if clause.binding else "not followed"}
    return "? " + "/".join(short[v] for v in possible)


def citation(q: QuoteRef) -> str:
    """'DHS-2023 §VI.A.1.a, transcription' or 'SEED (section not given...), seed-quote'."""
    if q.section and re.match(r"^[IVX]+(\.|$)", q.section):
        where = f" §{q.section}"
    else:
        where = f" (section {q.section})" if q.section else ""
    return f"{q.document}{where}, {q.provenance}"


def caveat(q: QuoteRef) -> str | None:
    if q.provenance == "paraphrase":
        return "PARAPHRASE: a press summary of the rule, not policy wording."
    if q.provenance == "partial":
        return "PARTIAL: a verbatim fragment only; the rest of the sentence is not known."
    return None


def account_name(scenario: Scenario, account_id: str) -> str:
    for a in scenario.accounts:
        if a.id == account_id:
            return a.name
    return account_id


# The value is inferred; a quote after it is the source's own words, from which it is read.
INFERRED = "value inferred from the source"


def statement(stated_by: str | None, source: str | None, quote: str | None, note: str | None,
              scenario: Scenario, inferred: bool = False) -> str:
    """One phrasing per epistemic state: 'the DHS account states this', 'all accounts agree',
    'no account states this', 'assumed for this hypothetical'."""
    if stated_by is None:
        return "no account states this"
    on = f" (source: {source})" if source else ""
    if stated_by == UNDISPUTED:
        lead = f"all accounts agree{on}"
    elif stated_by == ASSUMED:
        lead = "assumed for this hypothetical (--assume)"
    else:
        lead = f"the {account_name(scenario, stated_by)} account states this{on}"
    if inferred:
        lead += f" ({INFERRED})"
    if quote:
        lead += f': "{quote}"'
    if note:
        lead += f" [{note}]"
    return lead


def position(p, notes: bool = True) -> str:
    """What an account's own line says of its statement: its source, whether the account's
    source says it in words or the account is read as implying it, the quote, the note."""
    if p.stated_by is None:
        return "no account states this"
    if p.stated_by == UNDISPUTED:
        lead = "all accounts agree"
    elif p.stated_by == ASSUMED:
        return "assumed for this hypothetical (--assume)"
    else:
        lead = "stated without a source"
    if p.source_title:
        lead = f"source: {p.source_title}" if lead.startswith("stated") else \
            f"{lead} (source: {p.source_title})"
    if p.inferred:
        lead += f" ({INFERRED})"
    if p.quote:
        lead += f': "{p.quote}"'
    if notes and p.note:
        lead += f" [{p.note}]"
    return lead


def who_states(fact: FactUse, scenario: Scenario) -> str:
    return statement(fact.stated_by, fact.source_title or fact.source, fact.quote, fact.note, scenario,
                     fact.inferred)


def conflict(what: str) -> str:
    """Only where two accounts state different values; a silent account is no conflict."""
    return f"the accounts conflict on {what}"


def subject_question(subject: str, question: str) -> str:
    return question if subject in ("incident", "policy") else f"{subject}: {question}"


def value_word(value: object) -> str:
    from forcecheck.evaluation.explain import show_value

    return show_value(value)




def safe_url(url: str | None) -> str | None:
    """An address a report may link to: http(s) only, never `javascript:` or `data:`."""
    if url and url.strip().lower().startswith(("https://", "http://")):
        return url.strip()
    return None


def budget_note(cut: int) -> str:
    """What the report says when the analysis's work budget cut searches short."""
    return (f"The analysis's work budget ran out: {cut} search{'es' if cut != 1 else ''} for what would "
            "decide a verdict, or why the accounts differ, stopped early, so some verdicts list fewer "
            "deciding facts than exist. The verdicts themselves are exact.")

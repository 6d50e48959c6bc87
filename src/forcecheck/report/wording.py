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


COVERAGE_WORDS = {
    "source_read_in_part": "Read only in part",
    "omits": "Leaves things out rather than denying them",
}


def coverage_words(kind: str, note: str) -> str:
    """What a report says of an account marked partial: its silence is not a denial."""
    lead = COVERAGE_WORDS.get(kind, "Partial")
    note = note.rstrip(". ")
    return (f"{lead}: {note}. What this account does not state is unknown, not denied; a "
            "verdict left open under it is open for want of its word, not against it.")


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


def text_reading(settlements, clause: Clause, questions: dict, ref=lambda u: None) -> str | None:
    """For an undetermined verdict that the policy's text as found settles, and only an open
    policy question (one with a `verbatim` answer, `questions`: name -> spec) reopens: 'met on
    the policy's text; breached only if Q6 (vehicle_specific_limits) yes, Q5 no, and Q1 yes or Q2 yes'
    (keys where there are no references). None for any other undetermined verdict.
    `settlements`: the verdict's smallest settling assignments ((verdict, ((unknown, value),
    ...)), ...), unknowns with `subject` ("policy" for a question), `fact` and `key`; `ref`
    gives an unknown's reference in the report (Q19), written in place of its key."""
    texts = [(v, u) for v, a in settlements if len(a) == 1 for u, value in a
             if u.subject == "policy" and getattr(questions.get(u.fact), "verbatim", None) is value]
    if len(texts) != 1:
        return None
    verdict, question = texts[0]
    otherwise: dict[str, list[str]] = {}
    for v, a in settlements:
        if v == verdict:
            continue
        text_answer = questions[question.fact].verbatim
        if not any(u.key == question.key and value is not text_answer for u, value in a):
            return None  # another verdict is possible under the text too: a factual unknown
        ordered = sorted(a, key=lambda uv: (uv[0].subject != "policy", uv[0].key))
        def name(u) -> str:
            shown = ref(u)
            if u.subject == "policy":
                return f"{shown} ({u.key})" if shown else f"the policy question {u.key}"
            return shown or u.key

        otherwise.setdefault(v, []).append([f"{name(u)} {value_word(value)}" for u, value in ordered])
    if not otherwise:
        return None
    return "; ".join([f"{verdict_words(verdict, clause)} on the policy's text",
                      *(f"{verdict_words(v, clause)} only if {_either(ways)}"
                        for v, ways in otherwise.items())])


def _either(ways: list[list[str]]) -> str:
    """The ways to a verdict, with the terms every way shares said once: 'Q20 (...) yes, Q5 no,
    and Q1 yes or Q2 yes' rather than 'Q20 (...) yes, Q1 yes, Q5 no or if Q20 (...) yes, Q5
    no, Q2 yes'."""
    common = [t for t in ways[0] if all(t in w for w in ways[1:])] if len(ways) > 1 else []
    rest = [[t for t in w if t not in common] for w in ways]
    if not common or not all(rest):
        return " or if ".join(", ".join(w) for w in ways)
    alternatives = [", ".join(w) if len(w) == 1 else f"({', '.join(w)})" for w in rest]
    return f"{', '.join(common)}, and {' or '.join(alternatives)}"


def answered_line(answers) -> str:
    """'Read with the open policy question vehicle_specific_limits answered no (the policy's
    text as found), for every account (--settle).' for the answers a run was given."""
    parts = [f"{a.question} answered {a.value_text}" + (" (the policy's text as found)" if a.verbatim else "")
             for a in answers]
    noun = "question" if len(answers) == 1 else "questions"
    return f"Read with the open policy {noun} {', '.join(parts)}, for every account (--settle)."


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

"""Fact names the vocabulary no longer has, so that scenario files written before a rename
still load.

A renamed fact whose question still asks what the old one asked (perhaps more precisely) is
an alias: a file that states it loads, the statement is read as the new fact, and a warning
(W012) names the new name; `forcecheck fmt --fix` writes it. A fact whose meaning narrowed
when it was renamed is not read for the new one, since a "yes" to the old question is not a
"yes" to the new: stating it is an error whose hint says what changed and what to state.

The table belongs to the scenario stage, not to a policy: it is the history of the file
format, which every policy reads through the shared vocabulary, and no rule reads an old
name. CHANGELOG.md lists the same renames for people.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Renamed:
    """An old fact name and what became of it."""

    old: str
    new: str
    subject: str  # the kind of subject the fact is about: event, officer, person
    since: str  # the date of the rename
    alias: bool  # True: read as the new fact (with a warning); False: an error, with this note
    note: str  # what changed, in a sentence


RENAMED: dict[str, Renamed] = {r.old: r for r in (
    Renamed("force_proportionate", "force_reasonable", "event", "2026-11-29", True,
            "the question now asks whether the force was reasonable in the totality of the "
            "circumstances, of which proportion to the threat is one part"),
    Renamed("threat_only_to_self_or_property", "actions_directed_only_at_self_or_property", "event",
            "2026-12-07", True,
            "the question now asks whether the person's actions were directed only at themselves "
            "or property, and no longer excludes a danger to those close by"),
    Renamed("knew_of_force", "knew_of_improper_force", "officer", "2026-11-29", False,
            "the new fact asks more: whether the officer knew, or had reason to know, that the "
            "force was improper, which knowing of the force does not say"),
)}


def renamed(name: str) -> Renamed | None:
    """What became of a fact name the vocabulary no longer has (None: it was never renamed)."""
    return RENAMED.get(name)


def warning_text(key: str, r: Renamed) -> tuple[str, str]:
    """The message and hint of the W012 warning for `key` (SUBJECT.OLD), an alias."""
    subject = key.partition(".")[0]
    return (f"'{key}' is the old name of '{subject}.{r.new}' (renamed {r.since}): it is read as "
            f"that fact", f"{r.note}; check the value still answers it, then run `forcecheck fmt "
            f"--fix FILE` to write the new name")


def error_hint(key: str, r: Renamed) -> str:
    """The hint of the error for `key` (SUBJECT.OLD), a rename that narrowed the fact."""
    subject = key.partition(".")[0]
    return (f"'{r.old}' was renamed '{r.new}' on {r.since}, and {r.note}: state "
            f"'{subject}.{r.new}' if a source says so, else leave it out (unknown)")

"""One diagnostic type for every error source, and one renderer.

Rule syntax, rule semantics, YAML, scenario schema and evaluation problems all become a
`Diagnostic`: where (a `Span`), a stable code, a message in the user's words, and a hint.
Stages collect diagnostics and raise `InputError` once, so the CLI can print them all and
exit 2 without a traceback and without writing anything half-way.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Span:
    """A place in a source file: 1-based line and column, with an optional end column."""

    path: str
    line: int
    column: int
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.column}"


def display_path(path: str) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    p = Path(path)
    if p.is_absolute():
        try:
            return str(p.relative_to(Path.cwd()))
        except ValueError:
            return path
    return path


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in user input."""

    span: Span | None
    code: str
    message: str
    hint: str | None = None
    severity: str = "error"  # "error" or "warning"


class InputError(Exception):
    """Raised when input is bad; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("; ".join(d.message for d in self.diagnostics))

    def render(self) -> str:
        """Every diagnostic as the command line prints it on stderr."""
        return render_all(self.diagnostics)


@dataclass
class Collector:
    """Gathers diagnostics during one stage; `raise_if_errors` ends the stage."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, span: Span | None, code: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(span, code, message, hint))

    def warning(self, span: Span | None, code: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(span, code, message, hint, "warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InputError(sorted_diagnostics(self.diagnostics))


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    def key(d: Diagnostic) -> tuple:
        s = d.span
        return (s.path, s.line, s.column) if s else ("", 0, 0)

    return sorted(diagnostics, key=key)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint naming the closest candidate, or None when nothing is close."""
    pool = sorted(set(candidates))
    # A name cut short ("threat_of_death") most likely means the candidate it begins.
    starts = sorted((c for c in pool if len(name) >= 4 and c.startswith(name) and c != name), key=len)
    if starts:
        return f"did you mean '{starts[0]}'?"
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    if not close:
        # Same first word ("fire_gun" -> "fire_firearm"), when only one candidate has it.
        head = re.split(r"[_\-.]", name, maxsplit=1)[0]
        same = [c for c in pool if re.split(r"[_\-.]", c, maxsplit=1)[0] == head]
        close = same if len(same) == 1 and len(head) >= 3 else []
    return f"did you mean '{close[0]}'?" if close else None


def a_or_an(word: str) -> str:
    """'a person', 'an event': a word with its article, as a message names a kind of thing."""
    return ("an " if word[:1] in ("a", "e", "i", "o", "u") else "a ") + word


def known_list(candidates: Iterable[str], limit: int = 16) -> str:
    """Every candidate, or, when there are too many to read in a hint, where to find them."""
    names = sorted(set(candidates))
    if len(names) > limit:
        return f"{len(names)} in all: see `forcecheck vocabulary`"
    return ", ".join(names)


# Everyday words for what a use-of-force vocabulary names otherwise.
_SYNONYMS = {"taser": "electric", "tase": "electric", "tased": "electric", "stun": "electric",
             "gun": "firearm", "pistol": "firearm", "rifle": "firearm", "handgun": "firearm",
             "shoot": "fire", "shot": "fire", "shots": "fire", "pepper": "chemical", "mace": "chemical",
             "spray": "chemical", "chokehold": "chokehold", "choke": "chokehold", "car": "vehicle",
             "truck": "vehicle", "flee": "escape", "fleeing": "escape", "run": "escape", "civilian": "anyone",
             "witness": "anyone", "suspect": "force", "punch": "strike", "hit": "strike", "kick": "strike",
             "injured": "injured", "hurt": "injured", "medical": "medical", "draw": "drew"}
_STOP = {"a", "an", "the", "of", "or", "and", "to", "was", "is", "did", "this", "that", "with", "in",
         "at", "by", "for", "on", "it", "its", "any", "person", "officer", "force", "used"}


def did_you_mean_meaning(name: str, described: dict[str, str]) -> str | None:
    """A hint for an unknown name among names with descriptions (roles, actions, facts with
    their questions): by meaning first ("taser" -> the action whose description says
    "electric weapon" or "taser"; "armed" -> the facts whose questions ask about weapons),
    then by spelling only when the spelling is close enough that the meaning is surely the
    same (a typo, or a name cut short), never a different word that merely looks alike."""
    words = [_SYNONYMS.get(w, w) for w in re.split(r"[^a-z0-9]+", name.lower())
             if len(w) >= 3 and w not in _STOP]
    if name in described:
        return None
    starts = sorted((c for c in described if len(name) >= 4 and c.startswith(name) and c != name), key=len)
    if starts:
        return f"did you mean '{starts[0]}'?"
    close = difflib.get_close_matches(name, list(described), n=1, cutoff=0.85)
    if close:
        return f"did you mean '{close[0]}'?"
    lowered = {c.lower(): c for c in described}
    if name.lower() in lowered:
        return f"did you mean '{lowered[name.lower()]}'?"
    hits = []
    for cand, text in sorted(described.items()):
        haystack = f"{cand} {text}".lower()
        stems = [w[:5] for w in words]
        if stems and all(re.search(rf"\b{re.escape(st)}", haystack) for st in stems):
            hits.append(cand)
    if len(hits) > 1:  # prefer the names that have the words themselves ("fire_gun": fire_firearm)
        score = {h: sum(w in re.split(r"[_\-.]", h) for w in words) for h in hits}
        best = max(score.values())
        hits = [h for h in hits if score[h] == best]
    if 1 <= len(hits) <= 4:
        shown = " or ".join(f"'{h}' ({described[h]})" for h in hits)
        return f"did you mean {shown}?"
    return None


_line_cache: dict[str, list[str]] = {}


def remember_source(path: str, text: str) -> None:
    """The text of the file `path`, read elsewhere (a batch's driver ships it to a worker on
    another machine): its diagnostics show their lines from it, not from a file that may not be
    here."""
    _line_cache.clear()
    _line_cache[path] = text.splitlines()


def _source_line(path: str, line: int, text: str | None) -> str | None:
    if text is None:
        if path not in _line_cache:
            _line_cache.clear()  # one file at a time: a batch of many files must not keep them all
            _line_cache[path] = []
            try:  # only a regular file of a sane size: the one the diagnostic is about
                info = os.stat(path)
                if stat.S_ISREG(info.st_mode) and info.st_size <= 4_000_000:
                    _line_cache[path] = Path(path).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                pass
        lines = _line_cache[path]
    else:
        lines = text.splitlines()
    if 1 <= line <= len(lines):
        return lines[line - 1]
    return None


SHOWN = 120  # characters of a source line shown under a diagnostic


def render(diagnostic: Diagnostic, source_text: str | None = None) -> str:
    """`path:line:col: error[CODE]: message`, then the line, a caret and the hint."""
    d = diagnostic
    where = f"{d.span}: " if d.span else ""
    out = [f"{where}{d.severity}[{d.code}]: {d.message}"]
    if d.span:
        src = _source_line(d.span.path, d.span.line, source_text)
        if src is not None:
            gutter = f"{d.span.line:>4} | "
            src = src.expandtabs(1)
            column = d.span.column
            width = 1
            if d.span.end_column and d.span.end_column > d.span.column:
                width = d.span.end_column - d.span.column
            if len(src) > SHOWN:  # a very long line: a window around the column, marked as cut
                start = max(0, column - 1 - SHOWN // 2)
                tail = "..." if start + SHOWN < len(src) else ""
                src = ("..." if start else "") + src[start:start + SHOWN] + tail
                column = column - start + (3 if start else 0)
                width = min(width, SHOWN)
            out.append(gutter + src)
            out.append(" " * (len(gutter) + column - 1) + "^" * width)
    out.append(f"  = hint: {hint_of(d)}")
    return "\n".join(out)


def hint_of(d: Diagnostic) -> str:
    """Every diagnostic has a hint: its own, or where its code is explained."""
    return d.hint or f"`forcecheck explain {d.code}` says what it means and what to do"


def render_all(diagnostics: Iterable[Diagnostic]) -> str:
    return visible("\n\n".join(render(d) for d in diagnostics))


# C0 controls but newline and tab, DEL, C1 controls, and the bidirectional overrides,
# embeddings, isolates and marks that can reorder what a reader sees.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                     "\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Text from a file as a reader may safely see it: every control character that could
    move the cursor, recolour, or reorder the text shown as a visible escape (`\\x1b`,
    `\\u202e`). Newlines and tabs stay."""
    return _HIDDEN.sub(lambda mt: f"\\x{ord(mt.group()):02x}" if ord(mt.group()) < 0x100
                       else f"\\u{ord(mt.group()):04x}", text)


def as_item(d: Diagnostic) -> dict:
    """One diagnostic as data, where the text form puts it (`validate --format json` and the
    error records of a batch)."""
    return {"path": display_path(d.span.path) if d.span else None,
            "line": d.span.line if d.span else None, "column": d.span.column if d.span else None,
            "end_column": d.span.end_column if d.span else None, "severity": d.severity,
            "code": d.code, "message": visible(d.message), "hint": visible(hint_of(d))}


def as_json(diagnostics: Iterable[Diagnostic], files: int) -> str:
    """Diagnostics for editors and CI (`validate --format json`): `forcecheck.diagnostics/1`,
    one object per diagnostic, errors then warnings, each where the text form puts it."""
    import json

    items = [as_item(d) for d in diagnostics]
    doc = {"format": "forcecheck.diagnostics/1", "files": files, "diagnostics": items,
           "errors": sum(1 for i in items if i["severity"] == "error"),
           "warnings": sum(1 for i in items if i["severity"] == "warning")}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

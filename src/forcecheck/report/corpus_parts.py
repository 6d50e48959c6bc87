"""The parts of the corpus report a journalist asks for beyond the totals: filters with ranges,
members and several values (`--where`), breakdowns by a field (`--by year`) with each group's
unknown rate, the codes each count rests on, and two corpora compared record by record
(`--against`). `corpus` builds on these; they know nothing of rendering a whole report.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

# A record's status for one clause, across its accounts, most serious first.
STATUSES = ("breached", "breach_possible", "undetermined", "met", "not_applicable")
LABELS = {"breached": "breached", "breach_possible": "undetermined, breach possible",
          "undetermined": "undetermined, no breach possible", "met": "met",
          "not_applicable": "not applicable"}
SHORT = {"breached": "breached", "breach_possible": "breach possible", "undetermined": "open",
         "met": "met", "not_applicable": "not applicable"}
COLOURS = {"breached": "#c62828", "breach_possible": "#ef8f00", "undetermined": "#9e9e9e",
           "met": "#2e7d32"}
MEMBER_SEPARATORS = re.compile(r"\s*;\s*")
SHOWN_CODES = 4  # codes listed per count
SHOWN_CHANGES = 5  # code changes listed per transition


@dataclass(frozen=True)
class Filter:
    """One `--where`: FIELD=V (or V1,V2: any of them), FIELD=A..B (a range, either end open;
    numbers compared as numbers), FIELD~M (a member of a field listing several, `gun;knife`)."""

    field: str
    text: str  # as given, for the report
    values: tuple[str, ...] = ()
    low: str | None = None
    high: str | None = None
    member: bool = False
    ranged: bool = False

    def matches(self, value: str | None) -> bool:
        if value is None:
            return False
        if self.ranged:
            return _at_least(value, self.low) and _at_least(self.high, value)
        if self.member:
            return bool(set(MEMBER_SEPARATORS.split(value.strip())) & set(self.values))
        return value in self.values

    def hits(self, value: str) -> bool:
        """Whether a value seen in a record is one the filter names (for 'never occurs')."""
        return self.matches(value)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _at_least(value: str | None, bound: str | None) -> bool:
    """value >= bound, as numbers when both are; a missing bound is no limit."""
    if bound is None or value is None:
        return True
    a, b = _number(value), _number(bound)
    return a >= b if a is not None and b is not None else value >= bound


def parse_filter(text: str) -> Filter | None:
    """A `--where` option, or None when it is not FIELD=VALUE, FIELD=A..B or FIELD~MEMBER."""
    m = re.fullmatch(r"\s*([^=~\s][^=~]*?)\s*(=|~)\s*(.*?)\s*", text, re.S)
    if m is None:
        return None
    name, op, value = m.groups()
    if op == "=" and ".." in value:
        low, _, high = value.partition("..")
        return Filter(name, f"{name}={value}", low=low.strip() or None, high=high.strip() or None,
                      ranged=True)
    values = tuple(v.strip() for v in value.split(",")) if "," in value else (value,)
    return Filter(name, f"{name}{op}{value}", values, member=op == "~")


# --- breakdowns ---------------------------------------------------------------------------------


def unknown_rate(counts: Counter) -> float | None:
    """The share of the records a clause applies to whose verdict is undetermined."""
    applies = sum(counts[s] for s in STATUSES if s != "not_applicable")
    return (counts["breach_possible"] + counts["undetermined"]) / applies if applies else None


def rate(r: float | None) -> str:
    return "-" if r is None else f"{100 * r:.0f}%"


def varying(clauses: dict[str, Counter], only: str | None) -> list[str]:
    """The clauses a breakdown shows: the one asked for, or those whose records differ."""
    if only is not None:
        return [only] if only in clauses else []
    return [c for c, counts in clauses.items() if sum(1 for s in STATUSES if counts[s]) > 1]


def group_order(groups: dict[str, dict]) -> list[str]:
    def key(g: str) -> tuple:
        n = _number(g)
        return (g == "(none)", n is None, n if n is not None else 0, g)

    return sorted(groups, key=key)


def breakdown_rows(groups: dict[str, dict], clause: str) -> list[dict]:
    """One row per group: its records, the clause's counts, and its unknown rate."""
    out = []
    for g in group_order(groups):
        counts = groups[g]["clauses"].get(clause, Counter())
        applies = groups[g]["records"] - counts["not_applicable"]
        out.append({"group": g, "records": groups[g]["records"], "applies": applies,
                    **{s: counts[s] for s in STATUSES}, "unknown_rate": unknown_rate(counts)})
    return out


def chart_svg(rows: list[dict], clause: str) -> str:
    """A column per group, stacked to 100% of the records the clause applies to: met at the
    bottom, then open, breach possible, breached; each part's share in its tooltip."""
    e = html.escape
    col, gap, height, top = 34, 10, 160, 8
    width = max(1, len(rows)) * (col + gap) + gap
    parts = []
    for i, row in enumerate(rows):
        x = gap + i * (col + gap)
        y = float(top + height)
        for st in ("met", "undetermined", "breach_possible", "breached"):
            if not row["applies"] or not row[st]:
                continue
            h = height * row[st] / row["applies"]
            y -= h
            parts.append(f'<rect class="seg-{st}" x="{x}" y="{y:.1f}" width="{col}" height="{h:.1f}" '
                         f'fill="{COLOURS[st]}"><title>{e(row["group"])}: {e(LABELS[st])} '
                         f'{row[st]:,} of {row["applies"]:,} ({100 * row[st] / row["applies"]:.0f}%)'
                         f"</title></rect>")
        parts.append(f'<text x="{x + col / 2}" y="{top + height + 14}" font-size="11" '
                     f'text-anchor="middle">{e(row["group"])}</text>')
    return (f'<svg class="chart" role="img" aria-label="{e(clause)} by group" width="{width}" '
            f'height="{top + height + 20}" viewBox="0 0 {width} {top + height + 20}">{"".join(parts)}</svg>')


# --- what the counts rest on --------------------------------------------------------------------


def resting(codes: dict[str, dict[str, Counter]], relevant: dict[str, dict[str, dict]] | None,
            clause: str) -> list[tuple[str, list[tuple[str, int, bool]]]]:
    """(status, [(code, records, secondary)]) for a clause: the codes its records of each status
    were coded with, among those whose readings state what the clause reads."""
    if relevant is None or clause not in codes:
        return []
    wanted = relevant.get(clause, {})
    out = []
    for st in ("met", "breached", "breach_possible", "undetermined"):
        found = [(c, n, wanted[c]["secondary"]) for c, n in codes[clause].get(st, Counter()).most_common()
                 if c in wanted]
        if found:
            out.append((st, found[:SHOWN_CODES]))
    return out


# --- two corpora --------------------------------------------------------------------------------


def compare(new: dict[str, tuple[dict, list[str]]], old: dict[str, tuple[dict, list[str]]]) -> dict:
    """Two corpora joined on record id: per clause, the records whose status changed, from what
    to what, and the codes that changed in them."""
    joined = sorted(set(new) & set(old))
    clauses: dict[str, dict] = {}
    for key in joined:
        (now, now_codes), (was, was_codes) = new[key], old[key]
        changed_codes = (_changes(was_codes, now_codes) if was_codes and now_codes else
                         ["(codes not recorded in one of the corpora: imported before records carried them)"])
        for clause in sorted(set(now) | set(was)):
            a, b = was.get(clause, "not_applicable"), now.get(clause, "not_applicable")
            entry = clauses.setdefault(clause, {"same": 0, "changed": Counter(), "codes": {}})
            if a == b:
                entry["same"] += 1
                continue
            entry["changed"][(a, b)] += 1
            entry["codes"].setdefault((a, b), Counter())["; ".join(changed_codes) or "(no code changed)"] += 1
    return {"joined": len(joined), "only_new": len(set(new) - set(old)), "only_old": len(set(old) - set(new)),
            "clauses": clauses}


def _changes(was: list[str], now: list[str]) -> list[str]:
    """The columns whose codes differ, each as `column: old -> new`."""
    def by_column(codes: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for c in codes:
            column, _, value = c.partition("=")
            out.setdefault(column, []).append(value)
        return out

    a, b = by_column(was), by_column(now)

    def said(values: list[str]) -> str:
        return ";".join(sorted(values)) or "(none)"

    return [f"{col}: {said(a.get(col, []))} -> {said(b.get(col, []))}"
            for col in sorted(set(a) | set(b)) if sorted(a.get(col, [])) != sorted(b.get(col, []))]


def comparison_rows(comparison: dict) -> list[dict]:
    """Per clause and transition: how many records, and the commonest code changes."""
    rows = []
    for clause, entry in comparison["clauses"].items():
        for (a, b), n in sorted(entry["changed"].items(), key=lambda kv: (-kv[1], kv[0])):
            rows.append({"clause": clause, "from": a, "to": b, "records": n,
                         "codes": entry["codes"][(a, b)].most_common(SHOWN_CHANGES)})
    return rows

"""Run scenario expectations as tests: the engine behind `forcecheck test` and the pytest plugin.

A scenario passes when every verdict, reason, and scenario-wide set it expects is what the
policy gives. A failure is reported per clause as a diff (expected, got) with the short trace
of what it got, so a reviewer sees why without running anything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from forcecheck.api import check
from forcecheck.diagnostics import Diagnostic, InputError
from forcecheck.evaluation.results import ScenarioResult
from forcecheck.policy.compiler import CompiledPolicy
from forcecheck.scenario.load import load_scenario
from forcecheck.scenario.schema import VERDICTS
from forcecheck.testing.expectations import Mismatch, count, mismatches


@dataclass
class Outcome:
    """One scenario file's test result."""

    path: Path
    result: ScenarioResult | None = None
    failures: list[Mismatch] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    expectations: int = 0

    @property
    def passed(self) -> bool:
        return not self.failures and not self.errors


def scenario_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The YAML files named, and those under the directories named, in a stable order (a
    bounded walk that follows no link and skips tools' folders; see `files.walk`)."""
    from forcecheck.files import walk

    yield from walk(paths, (".yaml", ".yml"))


def run_one(compiled: CompiledPolicy, path: Path) -> Outcome:
    try:
        sc = load_scenario(path, compiled)
    except InputError as exc:
        return Outcome(path, errors=exc.diagnostics)
    result = check(sc, compiled).evaluation
    return Outcome(path, result, mismatches(result), [], count(result))


def run(compiled: CompiledPolicy, paths: Iterable[Path]) -> list[Outcome]:
    return [run_one(compiled, p) for p in scenario_files(paths)]


def coverage(outcomes: list[Outcome], compiled: CompiledPolicy) -> dict[str, dict[str, list[str]]]:
    """For each clause, each verdict, the scenarios (and accounts) in which the corpus reaches it."""
    table: dict[str, dict[str, list[str]]] = {
        c.id: {v: [] for v in VERDICTS} for c in compiled.policy.clauses}
    for o in outcomes:
        if o.result is None:
            continue
        for acc in o.result.accounts:
            for cv in acc.clauses:
                table[cv.clause.id][cv.verdict].append(f"{o.result.scenario.id}/{acc.account.id}")
    return table


def render_failure(o: Outcome, m: Mismatch) -> list[str]:
    """A per-clause diff: expected, got, and the short trace of what was got."""
    where = f"{m.clause} ({m.on})" if m.on else m.clause
    lines = [f"  {m.account} / {where}", f"    - expected: {m.expected}", f"    + got:      {m.got}"]
    if m.items and o.result is not None:
        from forcecheck.report.build import build
        from forcecheck.report.text import TextReport

        scenario = build([o.result]).scenarios[0]
        card = next((c for c in scenario.clauses if c.id == m.clause), None)
        verdict = next((v for v in card.verdicts if v.account == m.account), None) if card else None
        if card is not None and verdict is not None:
            report = TextReport(width=76, explain="short")
            labels = {i.label for i in m.items}
            for item in verdict.items:
                if item.label in labels:
                    report.item(card, verdict, item)
            lines += ["    why it got that:"] + ["    " + line for line in report.text().splitlines() if line]
    return lines


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_outcomes(outcomes: list[Outcome]) -> str:
    from forcecheck.diagnostics import display_path, render_all

    lines = []
    for o in outcomes:
        name = display_path(str(o.path))
        if o.errors:
            lines.append(f"ERROR {name}: the scenario does not load")
            lines += ["  " + line for line in render_all(o.errors).splitlines()]
        elif o.failures:
            lines.append(f"FAIL  {name}: {len(o.failures)} of {_n(o.expectations, 'expectation')} not met")
            for m in o.failures:
                lines += render_failure(o, m)
        elif o.expectations == 0:  # not a pass: nothing was checked (exit 1 under --strict)
            lines.append(f"none  {name}: no expectations, nothing checked")
        else:
            lines.append(f"ok    {name}: {_n(o.expectations, 'expectation')} met")
    passed = sum(o.passed and o.expectations > 0 for o in outcomes)
    failed = sum(bool(o.failures) and not o.errors for o in outcomes)
    errors = sum(bool(o.errors) for o in outcomes)
    unchecked = sum(o.passed and o.expectations == 0 for o in outcomes)
    lines.append("")
    lines.append(f"{_n(len(outcomes), 'scenario')}: {passed} passed, {failed} failed, {errors} did not load"
                 + (f", {unchecked} with nothing checked" if unchecked else ""))
    return "\n".join(lines) + "\n"


def render_coverage(table: dict[str, dict[str, list[str]]], compiled: CompiledPolicy) -> str:
    width = max(len(c) for c in table) + 2
    head = ("clause".ljust(width) + "".join(v.replace("not_applicable", "n/a").ljust(14)
                                            for v in VERDICTS)).rstrip()
    lines = ["Clause coverage: how many account verdicts in the corpus reach each verdict", "", head]
    for clause in compiled.policy.clauses:
        row = clause.id.ljust(width)
        for v in VERDICTS:
            n = len(table[clause.id][v])
            row += (str(n) if n else "- (none)").ljust(14)
        lines.append(row.rstrip())
    gaps = [(c, v) for c, by in table.items() for v, where in by.items() if not where]
    lines.append("")
    lines.append("every clause reaches every verdict" if not gaps else
                 f"{len(gaps)} gap(s): " + ", ".join(f"{c} {v}" for c, v in gaps))
    return "\n".join(lines) + "\n"


def updated_text(o: Outcome) -> str | None:
    """The scenario file with its expectations rewritten from the current results, keeping
    its comments and order (ruamel.yaml's round trip), or None when nothing would change.

    Each account gets the current verdict of every clause implicated under any account;
    existing per-thing and `because` forms keep their shape. Scenario-wide sets that are
    present are recomputed."""
    import contextlib
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    if o.result is None:
        return None
    r = o.result
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold long lines; folding would rewrite text no one changed
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(o.path.read_text(encoding="utf-8"))
    changes = _Changes()
    expect = data.get("expect")
    if expect is None:
        expect = data["expect"] = CommentedMap()
    keys = r.scenario.doc.keys

    def key(mapping, loc: tuple) -> object:
        """The key of `mapping` as the file writes it: YAML 1.2 reads `1:` as the number 1,
        forcecheck as the id "1"; match by text, then by where the key stands in the file."""
        name = loc[-1]
        for k in mapping:
            if str(k) == name:
                return k
        span = keys.get(loc)
        if span is not None and hasattr(mapping, "lc"):
            for k in mapping:
                with contextlib.suppress(Exception):
                    if tuple(mapping.lc.key(k)) == (span.line - 1, span.column - 1):
                        return k
        return name

    for acc in r.accounts:
        acc_key = key(expect, ("expect", acc.account.id))
        mine = expect.get(acc_key)
        if mine is None:
            mine = expect[acc_key] = CommentedMap()
        for cv in acc.clauses:
            clause_key = key(mine, ("expect", acc.account.id, cv.clause.id))
            if clause_key not in mine and not r.implicated(cv.clause.id):
                continue
            current = mine.get(clause_key)
            if isinstance(current, dict) and "verdict" not in current:
                labels = {i.label: i.verdict for i in cv.items}
                written = {str(x): x for x in current}
                for label in [*labels, *(x for x in written if x not in labels)]:
                    at = key(current, ("expect", acc.account.id, cv.clause.id, label))
                    changes.verdict(current, at, labels.get(label, "not_applicable"))
            else:
                changes.verdict(mine, clause_key, cv.verdict)
    if "contested" in expect:
        changes.seq(expect, "contested", [c.id for c in r.clauses if r.contested(c.id)])
    for clause_id in list(expect.get("deciding") or ()):
        facts = sorted({f.key for d in r.disputes.get(clause_id, ()) for f in d.facts})
        changes.seq(expect["deciding"], clause_id, facts)
    for acc in r.accounts:
        if acc.account.id in (expect.get("undetermined") or {}):
            ids = [c.clause.id for c in acc.clauses if c.verdict == "undetermined"]
            changes.seq(expect["undetermined"], acc.account.id, ids)
    if not changes.made:
        return None
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


class _Changes:
    """Edits to the round-trip data, counted, so an unchanged file is never rewritten."""

    def __init__(self) -> None:
        self.made = 0

    def verdict(self, mapping, key: str, verdict: str) -> None:
        current = mapping.get(key)
        if isinstance(current, dict) and "verdict" in current:
            if current["verdict"] != verdict:
                current["verdict"] = verdict
                self.made += 1
        elif current != verdict:
            mapping[key] = verdict
            self.made += 1

    def seq(self, mapping, key: str, values: list[str]) -> None:
        from ruamel.yaml.comments import CommentedSeq

        like = mapping.get(key)
        if like is not None and sorted(like) == sorted(values):
            return
        seq = CommentedSeq(values)
        if not values or (isinstance(like, CommentedSeq) and like.fa.flow_style()):
            seq.fa.set_flow_style()
        mapping[key] = seq
        self.made += 1

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
    policy: str = "dhs-uof"  # the id of the policy the file was checked under
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
    """One file under one policy: the expectations it holds for that policy."""
    try:
        sc = load_scenario(path, compiled)
    except InputError as exc:
        return Outcome(path, compiled.policy.id, errors=exc.diagnostics)
    result = check(sc, compiled).evaluation
    return Outcome(path, compiled.policy.id, result, mismatches(result), [], count(result))


def run(compiled: CompiledPolicy | None, paths: Iterable[Path]) -> list[Outcome]:
    """Each file under `compiled`, or (None) under each shipped policy the file holds
    expectations for: the DHS policy for a file that holds none or only the one-policy form
    without `policy:`."""
    if compiled is not None:
        return [run_one(compiled, p) for p in scenario_files(paths)]
    out = []
    shipped = ShippedPolicies()
    for path in scenario_files(paths):
        for policy_id in policies_expected(path):
            policy = shipped.get(policy_id)
            if policy is None:
                from forcecheck.diagnostics import Span

                out.append(Outcome(path, policy_id, errors=[Diagnostic(
                    Span(str(path), 1, 1), "S019", f"expectations for '{policy_id}', which is not a "
                    "shipped policy", "run `forcecheck test FILE --policy PATH` with the policy file "
                    "they are for")]))
                continue
            out.append(run_one(policy, path))
    return out


class ShippedPolicies:
    """The shipped policies by id, each loaded when first asked for."""

    def __init__(self) -> None:
        from forcecheck.policy.load import shipped_policies

        self.paths = dict(shipped_policies())
        self.loaded: dict[str, CompiledPolicy] = {}

    def get(self, policy_id: str) -> CompiledPolicy | None:
        from forcecheck.policy.load import load_policy

        if policy_id in self.loaded:
            return self.loaded[policy_id]
        for name, path in list(self.paths.items()):
            compiled = load_policy(path)
            self.loaded[compiled.policy.id] = compiled
            del self.paths[name]
            if compiled.policy.id == policy_id:
                return compiled
        return None


def policies_expected(path: Path) -> list[str]:
    """The ids of the policies a scenario file holds expectations for, read from its `expect:`
    alone (so a file is checked under DOJ even when it would not load under DHS); the default
    policy's when it holds none, or when the file cannot be read (its load reports why)."""
    from forcecheck.files import read_text
    from forcecheck.scenario.schema import DEFAULT_POLICY_ID
    from forcecheck.scenario.yamlsource import MAX_BYTES, load_yaml

    try:
        data = load_yaml(path, read_text(path, MAX_BYTES, "S000", "scenario file")).data
    except InputError:
        return [DEFAULT_POLICY_ID]
    expect = data.get("expect") if isinstance(data, dict) else None
    blocks = expect if isinstance(expect, list) else [expect]
    ids = [str(b.get("policy") or DEFAULT_POLICY_ID) if isinstance(b, dict) else DEFAULT_POLICY_ID
           for b in blocks]
    return list(dict.fromkeys(ids)) or [DEFAULT_POLICY_ID]


def coverage(outcomes: list[Outcome], compiled: CompiledPolicy) -> dict[str, dict[str, list[str]]]:
    """For each clause, each verdict, the scenarios (and accounts) in which the corpus reaches it
    (the outcomes checked under `compiled`)."""
    table: dict[str, dict[str, list[str]]] = {
        c.id: {v: [] for v in VERDICTS} for c in compiled.policy.clauses}
    for o in outcomes:
        if o.result is None or o.policy != compiled.policy.id:
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
    """A line per file, or per file and policy when a file holds expectations for several
    (`name [doj-uof]`), with a diff per failure; then the tally, counting files."""
    from forcecheck.diagnostics import display_path, render_all

    lines = []
    by_path: dict[Path, list[Outcome]] = {}
    for o in outcomes:
        by_path.setdefault(o.path, []).append(o)
    for path, group in by_path.items():
        for o in group:
            name = display_path(str(path)) + (f" [{o.policy}]" if len(group) > 1 else "")
            if o.errors:
                lines.append(f"ERROR {name}: the scenario does not load")
                lines += ["  " + line for line in render_all(o.errors).splitlines()]
            elif o.failures:
                lines.append(f"FAIL  {name}: {len(o.failures)} of {_n(o.expectations, 'expectation')} "
                             "not met")
                for m in o.failures:
                    lines += render_failure(o, m)
            elif o.expectations == 0:  # not a pass: nothing was checked (exit 1 under --strict)
                lines.append(f"none  {name}: no expectations, nothing checked")
            else:
                lines.append(f"ok    {name}: {_n(o.expectations, 'expectation')} met")
        said = next((o.result.scenario.warnings for o in group if o.result is not None), ())
        lines += [f"  {display_path(d.span.path)}:{d.span.line}:{d.span.column}: warning[{d.code}]: "
                  f"{d.message}" for d in said if d.span is not None]  # old fact names (W012)
    groups = list(by_path.values())
    errors = sum(any(o.errors for o in g) for g in groups)
    failed = sum(any(o.failures for o in g) and not any(o.errors for o in g) for g in groups)
    unchecked = sum(all(o.passed and o.expectations == 0 for o in g) for g in groups)
    passed = len(groups) - errors - failed - unchecked
    lines.append("")
    lines.append(f"{_n(len(groups), 'scenario')}: {passed} passed, {failed} failed, {errors} did not load"
                 + (f", {unchecked} with nothing checked" if unchecked else ""))
    return "\n".join(lines) + "\n"


def render_coverage(table: dict[str, dict[str, list[str]]], compiled: CompiledPolicy) -> str:
    width = max(len(c) for c in table) + 2
    head = ("clause".ljust(width) + "".join(v.replace("not_applicable", "n/a").ljust(14)
                                            for v in VERDICTS)).rstrip()
    lines = [f"Clause coverage under {compiled.policy.id}: how many account verdicts in the corpus "
             "reach each verdict", "", head]
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


def updated_text(outcomes: list[Outcome]) -> str | None:
    """One scenario file with its expectations rewritten from the current results (`outcomes`:
    the file under one or more policies), keeping its comments and order (ruamel.yaml's round
    trip), or None when nothing would change.

    Each outcome's results go into the block for its policy: the one-policy form when that is
    the policy it is for, else the block naming it in a list, which is made (the one-policy
    form becoming its first entry) when the file holds none for that policy. Each account gets
    the current verdict of every clause implicated under any account; existing per-thing and
    `because` forms keep their shape. Scenario-wide sets that are present are recomputed."""
    import io

    from ruamel.yaml import YAML

    done = [o for o in outcomes if o.result is not None]
    if not done:
        return None
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold long lines; folding would rewrite text no one changed
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(done[0].path.read_text(encoding="utf-8"))
    changes = _Changes()
    for o in done:
        expect, base = _block_for(data, o.policy, changes)
        _update_block(o.result, expect, base, changes)
    if not changes.made:
        return None
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _block_for(data, policy_id: str, changes: _Changes) -> tuple[object, tuple]:
    """The round-trip mapping holding the expectations for `policy_id`, made if missing, and
    its place in the file as the loaded scenario records it."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from forcecheck.scenario.schema import DEFAULT_POLICY_ID

    def policy_of(block) -> str:
        return str(block.get("policy") or DEFAULT_POLICY_ID) if isinstance(block, dict) else ""

    def new_block() -> CommentedMap:
        block = CommentedMap()
        if policy_id != DEFAULT_POLICY_ID:
            block["policy"] = policy_id
        return block

    expect = data.get("expect")
    if expect is None:
        expect = data["expect"] = new_block()
        changes.made += 1
        return expect, ("expect",)
    if isinstance(expect, dict):
        if policy_of(expect) == policy_id:
            return expect, ("expect",)
        if "policy" not in expect:
            expect.insert(0, "policy", DEFAULT_POLICY_ID)
        _indent_comments(expect, 2)  # the block moves into a list: its comments move with it
        block = new_block()
        block.setdefault("policy", policy_id)
        seq = CommentedSeq([expect, block])
        data["expect"] = seq
        changes.made += 1
        return block, ("expect", 1)
    for i, block in enumerate(expect):
        if policy_of(block) == policy_id:
            return block, ("expect", i)
    block = new_block()
    block.setdefault("policy", policy_id)
    expect.append(block)
    changes.made += 1
    return block, ("expect", len(expect) - 1)


def _indent_comments(node, by: int) -> None:
    """Move every whole-line comment inside a round-trip mapping or list `by` columns right."""
    from ruamel.yaml.tokens import CommentToken

    seen: set[int] = set()

    def shift(x) -> None:
        if isinstance(x, CommentToken):
            if id(x) in seen:  # one token may hang in two places
                return
            seen.add(id(x))
            if x.value.startswith("#"):  # one line, written at its column
                x.column += by
            else:  # lines after a value, each carrying its own indentation
                x.value = "\n".join(" " * by + line if line.lstrip().startswith("#") else line
                                    for line in x.value.split("\n"))
        elif isinstance(x, list | tuple):
            for y in x:
                shift(y)

    stack = [node]
    while stack:
        n = stack.pop()
        ca = getattr(n, "ca", None)
        if ca is not None:
            shift(ca.comment)
            shift(list(ca.items.values()))
            shift(ca.end)
        if isinstance(n, dict):
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)


def _update_block(r: ScenarioResult, expect, base: tuple, changes: _Changes) -> None:
    """One policy's block made to say what `r` gives."""
    import contextlib

    from ruamel.yaml.comments import CommentedMap

    keys = r.scenario.doc.key_spans()

    def key(mapping, loc: tuple) -> object:
        """The key of `mapping` as the file writes it: YAML 1.2 reads `1:` as the number 1,
        forcecheck as the id "1"; match by text, then by where the key stands in the file."""
        name = loc[-1]
        for k in mapping:
            if str(k) == name:
                return k
        span = keys.get((*base, *loc))
        if span is not None and hasattr(mapping, "lc"):
            for k in mapping:
                with contextlib.suppress(Exception):
                    if tuple(mapping.lc.key(k)) == (span.line - 1, span.column - 1):
                        return k
        return name

    for acc in r.accounts:
        acc_key = key(expect, (acc.account.id,))
        mine = expect.get(acc_key)
        if mine is None:
            mine = expect[acc_key] = CommentedMap()
        for cv in acc.clauses:
            clause_key = key(mine, (acc.account.id, cv.clause.id))
            if clause_key not in mine and not r.implicated(cv.clause.id):
                continue
            current = mine.get(clause_key)
            if isinstance(current, dict) and "verdict" not in current:
                labels = {i.label: i.verdict for i in cv.items}
                written = {str(x): x for x in current}
                for label in [*labels, *(x for x in written if x not in labels)]:
                    at = key(current, (acc.account.id, cv.clause.id, label))
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
        """A list rewritten in place, so the comments on it stay: a comment written after an
        item stays after that item while it is kept, and one after the last item stays last."""
        from ruamel.yaml.comments import CommentedSeq

        like = mapping.get(key)
        if like is not None and sorted(like) == sorted(values):
            return
        if not isinstance(like, CommentedSeq):
            seq = CommentedSeq(values)
            if not values:
                seq.fa.set_flow_style()
            mapping[key] = seq
            self.made += 1
            return
        old = [str(x) for x in like]
        notes = dict(like.ca.items)
        last = notes.pop(len(old) - 1, None) if old else None
        like.ca.items.clear()
        like[:] = values
        for i, note in notes.items():
            if old[i] in values:
                like.ca.items[values.index(old[i])] = note
        if last is not None and values:
            like.ca.items[len(values) - 1] = last
        if not values:
            like.fa.set_flow_style()
        self.made += 1

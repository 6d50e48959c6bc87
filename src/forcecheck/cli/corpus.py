"""`forcecheck import` (an incident database to scenarios) and `forcecheck corpus` (what the
clauses say across a batch's records)."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from forcecheck.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    Format,
    PagerOption,
    PolicyOption,
    compiled_or_exit,
    fail,
    show_text,
    warn,
    write,
)


class Status(StrEnum):
    breached = "breached"
    breach_possible = "breach_possible"
    undetermined = "undetermined"
    met = "met"
    not_applicable = "not_applicable"



def corpus(
    records: Annotated[Path, typer.Argument(metavar="RECORDS", show_default=False, readable=False,
                       help="JSON Lines from `forcecheck check PATH... --format json`; '-' reads "
                       "standard input.")],
    where: Annotated[list[str] | None, typer.Option("--where", metavar="FIELD=VALUE", help="Only records "
                     "whose imported field has this value (repeatable): state=CA, several values "
                     "state=CA,TX, a range year=2015..2020 (either end may be left open), a member of a "
                     "field listing several armed~knife.")] = None,
    by: Annotated[str | None, typer.Option("--by", metavar="FIELD", help="Break the counts down by an "
                  "imported field (year, state, ...): one row per group with its unknown rate, and a "
                  "chart over the groups in HTML.")] = None,
    against: Annotated[Path | None, typer.Option("--against", metavar="OLD", readable=False,
                       help="Compare with an older corpus's records, joined on record id: per clause, "
                       "the records whose outcome changed and the codes that changed.")] = None,
    clause: Annotated[str | None, typer.Option("--clause", "-c", help="With --status: list the records "
                      "in one cell; with --by alone: the clause to break down.")] = None,
    status: Annotated[Status | None, typer.Option("--status", help="With --clause: which cell.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="text, markdown, html (with bars) "
                      "or json (forcecheck.corpus/1).")] = Format.text,
    mapping: Annotated[str | None, typer.Option("--mapping", "-m", help="The import's mapping (a shipped "
                       "name, or a path with a '/' or a .yaml ending): the outcomes it fixes whatever the "
                       "data and the codes each count rests on are shown with the report (a shipped "
                       "mapping named by the records is used without it).")] = None,
    unknown: Annotated[list[str] | None, typer.Option(
        "--unknown", metavar="FIELD=CODE", help="A reading the import switched off (as `import "
        "--unknown`), for what the mapping fixes.")] = None,
    parquet: Annotated[Path | None, typer.Option("--parquet", metavar="FILE", readable=False,
                       help="Also write one row per record and clause (its fields, codes and status) "
                       "as Parquet, for pandas or polars (needs the relational extra).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", readable=False,
                      help="Write the report to this file instead of stdout.")] = None,
    policy: PolicyOption = None,
    pager: PagerOption = True,
) -> None:
    """What a policy's clauses say across a corpus of checked records: per clause, how many
    records it applies to and how many are met, breached or undetermined (with a breach
    possible or not); which of those the mapping fixes whatever the data; the codes each count
    rests on; the facts that would settle the most; breakdowns, comparisons, the records behind
    a cell."""
    from forcecheck.diagnostics import Diagnostic
    from forcecheck.report.corpus_parts import parse_filter

    filters = []
    for w in where or ():
        found = parse_filter(w)
        if found is None:
            raise fail([Diagnostic(None, "U009", f"--where '{w}' is not FIELD=VALUE",
                                    "e.g. --where state=CA, --where year=2015..2020 or --where armed~knife")])
        filters.append(found)
    if status is not None and clause is None or clause is not None and status is None and by is None:
        raise fail([Diagnostic(None, "U009", "--clause and --status go together (or --clause with --by)",
                                "e.g. --clause deadly-force-imminent-threat --status breach_possible")])
    _report(records, filters, (clause, status.value if status else None), by, against, format, mapping,
            unknown or [], parquet, output, policy, pager)


def _report(records: Path, filters: list, cell: tuple, by: str | None, against: Path | None, format: Format,
            mapping: str | None, unknown: list[str], parquet: Path | None, output: Path | None,
            policy: str | None, pager: bool = False) -> None:
    from forcecheck.diagnostics import Diagnostic, InputError
    from forcecheck.report import corpus as report

    clause, status = cell
    drill = (clause, status) if clause and status else None
    try:
        result = _aggregate(report, records, filters, drill, by, against is not None)
        result.only = clause if status is None else None
        if clause is not None and clause not in result.clauses:
            from forcecheck.diagnostics import did_you_mean

            raise InputError([Diagnostic(None, "U001", f"no clause '{clause}' in these records",
                                         did_you_mean(clause, list(result.clauses)) or "")])
        if report.unknown_filters(result):
            raise InputError(report.unknown_filters(result))
        _same_policy(result, policy)
        if against is not None:
            from forcecheck.report.corpus_parts import compare

            old = _aggregate(report, against, [], None, None, True)
            _same_policy(old, next(iter(result.policies), None), "--against")
            result.against = compare(result.kept, old.kept)
        readings = _explained(result, mapping, unknown, policy)
        if parquet is not None:
            from forcecheck.importing.tables import write_parquet

            write_parquet(records, parquet)
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    from forcecheck.report.render import render

    warn(result.problems)  # the lines that are not records: the report counts the others
    for note in report.never_seen(result):
        sys.stderr.write(f"note: {note}\n")
    text = render(result, format.value, **({"readings": readings} if format is Format.html else {}))
    show_text(text, pager and format is Format.text, output)
    if result.problems:
        raise typer.Exit(EXIT_INPUT)


def _aggregate(report, records: Path, filters, drill, by, keep):
    from forcecheck.diagnostics import Diagnostic, InputError

    if str(records) == "-":
        return report.aggregate(report.record_lines(sys.stdin), "<stdin>", filters, drill, by, keep)
    if not records.is_file():
        raise InputError([Diagnostic(None, "U005", f"'{records}' is not a file of records",
                                     "give the JSON Lines that `forcecheck check ... --format json` wrote")])
    with records.open(encoding="utf-8", errors="replace") as f:
        return report.aggregate(report.record_lines(f), str(records), filters, drill, by, keep)


def _same_policy(result, policy: str | None, what: str = "--policy") -> None:
    """Records checked under another policy than the one named are an error, not its report."""
    from forcecheck.diagnostics import Diagnostic, InputError

    if policy is None or not result.policies:
        return
    wanted = compiled_or_exit(policy).policy.id if what == "--policy" else policy  # --against: an id
    other = sorted(p for p in result.policies if p != wanted)
    if other:
        raise InputError([Diagnostic(None, "U009", f"{what}: {sum(result.policies[p] for p in other):,} "
                                     f"record(s) were checked under {', '.join(other)}, not {wanted}",
                                     "check the scenarios again with this --policy, or leave it out to "
                                     "report the policy they were checked under")])


def _explained(result, mapping: str | None, unknown: list[str], policy: str | None) -> list:
    """The mapping's readings, and from it the outcomes it fixes and the codes behind the counts.
    Without --mapping, the shipped mapping every record names is used, if there is one."""
    from forcecheck.diagnostics import Diagnostic, InputError
    from forcecheck.importing.mapping import readings as mapping_readings
    from forcecheck.importing.mapping import shipped_mapping
    from forcecheck.importing.rules import load_mapping
    from forcecheck.importing.structure import clause_codes, notes, structure

    given = mapping
    if mapping is None:
        named = set(result.mappings)
        if len(named) != 1 or shipped_mapping(next(iter(named))) is None:
            return []
        mapping = next(iter(named))
    compiled = compiled_or_exit(policy)
    if result.policies and compiled.policy.id not in result.policies:
        if given is None:
            return []  # the records' policy is not the default: say nothing rather than guess
        raise InputError([Diagnostic(None, "U009", f"--mapping: the records were checked under "
                                     f"{', '.join(sorted(result.policies))}, not {compiled.policy.id}",
                                     "give the --policy they were checked under")])
    loaded = switched_off(load_mapping(mapping, compiled), unknown)
    found = structure(loaded, compiled)
    result.structure = notes(found)
    result.relevant = clause_codes(loaded, compiled, found)
    return mapping_readings(loaded)


def import_(
    data: Annotated[Path, typer.Argument(metavar="DATA", show_default=False, readable=False,
                    help="The database: a CSV file with a header row, or JSON Lines.")],
    mapping: Annotated[str, typer.Option("--mapping", "-m", show_default=False,
                       help="The name of a shipped mapping (wapo-2015: The Washington Post's first "
                       "layout), or the path of a mapping file (with a '/' or a .yaml ending, e.g. "
                       "./my-mapping.yaml).")],
    output: Annotated[Path, typer.Option("--output", "-o", readable=False, show_default=False,
                      help="A folder for one scenario file per record, or a .jsonl file for one "
                      "scenario per line.")],
    unknown: Annotated[list[str] | None, typer.Option("--unknown", metavar="FIELD=CODE", help="Switch "
                       "one reading of the mapping off (repeatable): that code states nothing, as if "
                       "the mapping said `unknown: true`, without editing the mapping.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=64, help="Processes that build and "
                    "check records (the output keeps the data's order).")] = 1,
    strict: Annotated[bool, typer.Option("--strict", help="Refuse data with columns the mapping neither "
                      "reads nor lists under 'ignored' (by default they are dropped and named in a "
                      "note).")] = False,
    policy: PolicyOption = None,
) -> None:
    """Turn each record of an incident database into a scenario, through a declarative mapping.

    Every statement is attributed to the database, the record and the coded value. A bad row
    gets its diagnostic and the others go on (exit 2 at the end; the first 100 diagnostics are
    shown, the rest counted); values the mapping does not cover are counted and listed, and
    leave the facts unknown. Importing again gives the same bytes."""
    from concurrent.futures import ThreadPoolExecutor

    from forcecheck.diagnostics import InputError, render_all, visible
    from forcecheck.importing.output import Shown, write_import
    from forcecheck.importing.parallel import imported
    from forcecheck.importing.records import Unmapped
    from forcecheck.importing.rules import load_mapping
    from forcecheck.importing.structure import structure

    compiled = compiled_or_exit(policy)
    unmapped = Unmapped()
    shown = Shown()

    def not_imported(result) -> None:
        diagnostics = shown.add(result)
        if diagnostics:
            sys.stderr.write(render_all(diagnostics) + "\n")

    try:
        loaded = switched_off(load_mapping(mapping, compiled), unknown or [])
        with ThreadPoolExecutor(1) as aside:
            # With workers building the records, this process works out what the mapping fixes
            # meanwhile (it mostly waits on them); in one process, first.
            found = aside.submit(structure, loaded, compiled, explain=False) if jobs > 1 else None
            built = found or structure(loaded, compiled, explain=False)
            records = imported(loaded, data, compiled, unmapped, output.suffix == ".jsonl", jobs,
                               policy, strict)
            imported = write_import(loaded, records, output, not_imported)
            if found is not None:
                built = found.result()
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    short = built.short_lines()
    if short:
        sys.stderr.write(visible(f"{loaded.model.mapping}: outcomes fixed by the mapping alone, whatever "
                                 "the data (the corpus report with --mapping says why):") + "\n")
        sys.stderr.write("".join(f"  {visible(line)}\n" for line in short))
    rest = shown.rest()
    if rest:
        sys.stderr.write(rest + "\n")
    for line in unmapped.lines():
        sys.stderr.write(visible(f"{data}: note: ") + line + "\n")
    sys.stderr.write(visible(f"{imported} records imported to {output}, {shown.records} not imported") + "\n")
    raise typer.Exit(EXIT_INPUT if shown.records else EXIT_OK)


def readings_off(given: list[str]) -> list[tuple[str, str]]:
    """`--unknown FIELD=CODE` options as (column, code); an empty code is the empty value."""
    from forcecheck.diagnostics import Diagnostic

    out = []
    for text in given:
        column, eq, code = text.partition("=")
        if not eq or not column.strip():
            raise fail([Diagnostic(None, "U009", f"--unknown '{text}' is not FIELD=CODE",
                                   "e.g. --unknown threat_level=attack")])
        out.append((column.strip(), code.strip()))
    return out


def switched_off(loaded, given: list[str]):
    """The mapping with `--unknown` readings switched off, or a U009 naming what it has."""
    from forcecheck.diagnostics import Diagnostic
    from forcecheck.importing.structure import switch_off

    if not given:
        return loaded
    try:
        loaded.model = switch_off(loaded.model, readings_off(given))
    except ValueError as exc:
        raise fail([Diagnostic(None, "U009", f"--unknown: {exc}", "give FIELD=CODE as the mapping "
                               "writes them")]) from None
    return loaded


def casebook(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", show_default=False, readable=False,
                     help="Real-incident scenario files or folders (e.g. scenarios/real).")],
    format: Annotated[Format, typer.Option(
        "--format", "-f", help="text, markdown (as scenarios/real/README.md), html (one page; with "
        "--output, each incident's full report is written beside it and linked) or json "
        "(forcecheck.casebook/1).")] = Format.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", readable=False,
                      help="Write the casebook to this file instead of stdout.")] = None,
    policy: PolicyOption = None,
) -> None:
    """Real incidents side by side: one row per incident and account, with its verdicts on the
    deadly-force, fleeing, moving-vehicle and medical-aid clauses and what the accounts disagree
    on. Exit 0 unless the input is bad: a casebook is a document, not a check."""
    from forcecheck import api
    from forcecheck.cli.common import scenario_paths
    from forcecheck.diagnostics import InputError
    from forcecheck.files import write_text
    from forcecheck.report import casebook as book
    from forcecheck.report.render import render

    compiled = compiled_or_exit(policy)
    try:
        results = [(f, api.check(f, compiled, depth="verdicts").evaluation) for f in scenario_paths(paths)]
        reports = {}
        if format is Format.html and output is not None:
            for _, r in results:
                name = f"{r.scenario.model.id}.html"
                write_text(output.parent / name, api.check(r.scenario, compiled).render("html"))
                reports[r.scenario.model.id] = name
        text = render(book.build(results, reports), format.value)
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    write(text, output)

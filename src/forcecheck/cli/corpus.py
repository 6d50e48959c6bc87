"""`forcecheck import` (an incident database to scenarios) and `forcecheck corpus` (what the
clauses say across a batch's records)."""

from __future__ import annotations

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
                     "whose imported field has this value (repeatable), e.g. state=CA or year=2019.")] = None,
    clause: Annotated[str | None, typer.Option("--clause", "-c", help="With --status: list the records "
                      "in one cell.")] = None,
    status: Annotated[Status | None, typer.Option("--status", help="With --clause: which cell.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="text, markdown, html (with bars) "
                      "or json (forcecheck.corpus/1).")] = Format.text,
    mapping: Annotated[str | None, typer.Option("--mapping", "-m", help="The import's mapping (a shipped "
                       "name, or a path with a '/' or a .yaml ending): its readings of each code are "
                       "shown with the report.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", readable=False,
                      help="Write the report to this file instead of stdout.")] = None,
    policy: PolicyOption = None,
    pager: PagerOption = True,
) -> None:
    """What a policy's clauses say across a corpus of checked records: per clause, how many
    records it applies to and how many are met, breached or undetermined (with a breach
    possible or not); the facts that would settle the most; the records behind a cell."""
    from forcecheck.diagnostics import Diagnostic, InputError
    from forcecheck.report import corpus as report

    filters = []
    for w in where or ():
        name, eq, value = w.partition("=")
        if not eq or not name:
            raise fail([Diagnostic(None, "U009", f"--where '{w}' is not FIELD=VALUE",
                                    "e.g. --where state=CA")])
        filters.append((name.strip(), value.strip()))
    if (clause is None) != (status is None):
        raise fail([Diagnostic(None, "U009", "--clause and --status go together",
                                "e.g. --clause deadly-force-imminent-threat --status breach_possible")])
    drill = (clause, status.value) if clause else None
    try:
        if str(records) == "-":
            result = report.aggregate(report.record_lines(sys.stdin), "<stdin>", filters, drill)
        else:
            if not records.is_file():
                raise InputError([Diagnostic(None, "U005", f"'{records}' is not a file of records",
                                             "give the JSON Lines that `forcecheck check ... --format json` "
                                             "wrote")])
            with records.open(encoding="utf-8", errors="replace") as f:
                result = report.aggregate(report.record_lines(f), str(records), filters, drill)
        if clause is not None and clause not in result.clauses:
            from forcecheck.diagnostics import did_you_mean

            raise InputError([Diagnostic(None, "U001", f"no clause '{clause}' in these records",
                                         did_you_mean(clause, list(result.clauses)) or "")])
        if report.unknown_filters(result):
            raise InputError(report.unknown_filters(result))
        readings = []
        if mapping is not None:
            from forcecheck.importing.mapping import readings as mapping_readings
            from forcecheck.importing.rules import load_mapping

            readings = mapping_readings(load_mapping(mapping, compiled_or_exit(policy)))
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    from forcecheck.report.render import render

    warn(result.problems)  # the lines that are not records: the report counts the others
    text = render(result, format.value, **({"readings": readings} if format is Format.html else {}))
    show_text(text, pager and format is Format.text, output)
    if result.problems:
        raise typer.Exit(EXIT_INPUT)



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
    policy: PolicyOption = None,
) -> None:
    """Turn each record of an incident database into a scenario, through a declarative mapping.

    Every statement is attributed to the database, the record and the coded value. A bad row
    gets its diagnostic and the others go on (exit 2 at the end; the first 100 diagnostics are
    shown, the rest counted); values the mapping does not cover are counted and listed, and
    leave the facts unknown. Importing again gives the same bytes."""
    from forcecheck.diagnostics import InputError, render_all, visible
    from forcecheck.importing.output import Shown, write_import
    from forcecheck.importing.records import Unmapped, import_records
    from forcecheck.importing.rules import load_mapping

    compiled = compiled_or_exit(policy)
    unmapped = Unmapped()
    shown = Shown()

    def not_imported(result) -> None:
        diagnostics = shown.add(result)
        if diagnostics:
            sys.stderr.write(render_all(diagnostics) + "\n")

    try:
        loaded = load_mapping(mapping, compiled)
        records = import_records(loaded, data, compiled, unmapped, as_lines=output.suffix == ".jsonl")
        imported = write_import(loaded, records, output, not_imported)
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    rest = shown.rest()
    if rest:
        sys.stderr.write(rest + "\n")
    for line in unmapped.lines():
        sys.stderr.write(visible(f"{data}: note: ") + line + "\n")
    sys.stderr.write(visible(f"{imported} records imported to {output}, {shown.records} not imported") + "\n")
    raise typer.Exit(EXIT_INPUT if shown.records else EXIT_OK)


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

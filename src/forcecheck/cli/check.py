"""`forcecheck check`: one scenario as a report, several as a batch, or one under several
policies side by side. Parse the options, call the library (`forcecheck.api`), render, exit."""

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from forcecheck.cli.common import (
    EXIT_BREACHED,
    EXIT_INPUT,
    EXIT_OK,
    Colour,
    Explain,
    Format,
    assumable,
    clause_ids,
    collect_garbage,
    fail,
    page,
    read_stdin,
    scenario_paths,
    size_options,
    terminal_width,
    unicode_stdout,
    wants_colour,
    warn,
    write,
)

Scenarios = Annotated[list[Path], typer.Argument(
    metavar="SCENARIO", help="Scenario YAML files or folders; '-' reads one from standard input.",
    show_default=False, readable=False)]
Policies = Annotated[list[str] | None, typer.Option(  # str: `./dhs` and `dhs` must stay apart
    "--policy", "-p", metavar="POLICY",
    help="Policy: a shipped name (dhs, doj, cfr-287-8; see `forcecheck policies`), or a file or "
    "directory written as a path (./dhs, policies/x, x.rules) (default: dhs). Repeat it to see the "
    "scenario under each, side by side.")]
Accounts = Annotated[list[str] | None, typer.Option("--account", "-a",
                                                    help="Only this account (repeatable).")]
Clauses = Annotated[list[str] | None, typer.Option("--clause", "-c", autocompletion=clause_ids,
                                                   help="Only this clause (repeatable).")]
FormatOption = Annotated[Format, typer.Option(
    "--format", "-f", help="text (the terminal), markdown (an article draft or an issue), html "
    "(one self-contained page), json; for CI: sarif (code scanning), junit (a case per clause and "
    "account) or github (annotations in a GitHub Actions run).")]
ExplainOption = Annotated[Explain, typer.Option(
    "--explain", help="summary: the answer on one screen; short: with each clause's wording and why, "
    "in prose; full: every condition and the rule as written.")]
Output = Annotated[Path | None, typer.Option("--output", "-o", readable=False,
                                             help="Write the report to this file instead of stdout.")]
ColourOption = Annotated[Colour, typer.Option(
    "--color", help="Colour verdicts in text output (auto: on a terminal, unless NO_COLOR or TERM=dumb; "
    "FORCE_COLOR forces it).")]
Pager = Annotated[bool, typer.Option("--pager/--no-pager",
                                     help="Page long text output on a terminal (less -R, or $PAGER).")]
Questions = Annotated[bool, typer.Option("--questions", help="Show only the open questions: the unknown "
                                         "facts, most decisive first, and the verdicts each settles.")]
Assume = Annotated[list[str] | None, typer.Option(
    "--assume", metavar="FACT=VALUE", autocompletion=assumable,
    help="Evaluate a hypothetical with this fact set (repeatable), e.g. shots.subject_fleeing=yes or "
    "reaches_off_duty_officers=yes.")]
Settle = Annotated[list[str] | None, typer.Option(
    "--settle", metavar="QUESTION=yes|no", autocompletion=assumable,
    help="Answer an open policy question for this run (repeatable): every account is read with it, "
    "and the report says so, e.g. vehicle_specific_limits=no (the policy's text as found).")]
Base = Annotated[str | None, typer.Option("--base", metavar="ACCOUNT", help="Start the hypothetical from "
                                          "this account (default: the undisputed facts only).")]
Jobs = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=0, help="Check many scenarios as a batch in this many processes (0: one per "
    "core): a line or a JSON Lines record per scenario, in input order. Several files are a batch even "
    "without it.")]


class Engine(StrEnum):
    local = "local"
    dask = "dask"


EngineOption = Annotated[Engine, typer.Option(
    "--engine", help="Where a batch runs: local (processes on this machine, --jobs) or dask (a dask "
    "cluster: a local one of --jobs processes, or the one at --scheduler; pip install "
    "'forcecheck[dask]'). The same records in the same order either way.")]
Scheduler = Annotated[str | None, typer.Option(
    "--scheduler", metavar="ADDRESS", help="--engine dask: the address of a running dask scheduler "
    "(tcp://host:8786) instead of a local cluster.")]

Indent = Annotated[int | None, typer.Option(
    "--indent", metavar="N", min=0, help="--format json: indent by N spaces (default: 2 on a terminal "
    "or into --output, one compact line into a pipe).")]


def check(scenarios: Scenarios, policy: Policies = None, account: Accounts = None, clause: Clauses = None,
          format: FormatOption = Format.text, explain: ExplainOption = Explain.summary, output: Output = None,
          color: ColourOption = Colour.auto, pager: Pager = True, questions: Questions = False,
          assume: Assume = None, base: Base = None, jobs: Jobs = None, settle: Settle = None,
          indent: Indent = None, engine: EngineOption = Engine.local, scheduler: Scheduler = None) -> None:
    """Evaluate every clause under every account of each SCENARIO, with traces."""
    from forcecheck import api
    from forcecheck.diagnostics import Diagnostic, InputError

    if policy and len(policy) > 1:
        _side_by_side(scenarios, policy, format, output, assume or base or questions or account or clause
                      or settle or jobs is not None or engine is Engine.dask or scheduler)
    try:
        compiled = api.load_policy(policy[0] if policy else None)
        api.validate_clauses(compiled, clause)
        paths = scenario_paths(scenarios)
        many = len(paths) > 1 or any(p.endswith(".jsonl") for p in paths)
        distributed = engine is Engine.dask
        if scheduler is not None and not distributed:
            raise InputError([Diagnostic(None, "U014", "--scheduler is the address of a dask cluster's "
                                         "scheduler: it goes with --engine dask", "add --engine dask")])
        if jobs is not None or distributed or (many and format in (Format.text, Format.json)):
            if assume or base or questions or settle:
                raise InputError([Diagnostic(None, "U008", "--assume, --base, --settle and --questions "
                                             "take one scenario, not a batch",
                                             "check the scenario on its own")])
            _batch(paths, policy[0] if policy else None, compiled, account, clause, format, explain, output,
                   jobs, (scheduler,) if distributed else None)
        results = [api.check(api.load_scenario(p, compiled, text=read_stdin() if p == "-" else None),
                             compiled, accounts=account, clauses=clause, assume=assume, base=base,
                             settle=settle)
                   for p in paths]
        if not (account or clause):
            warn([w for r in results for w in r.warnings()])
        tty = output is None and sys.stdout.isatty()
        options = {"colour": wants_colour(color.value, tty), "explain": explain.value,
                   "ascii_only": output is None and not unicode_stdout(), **size_options(
                       terminal_width() if tty else None)}
        if format is Format.json:  # compact into a pipe, for programs; indented for people
            options["indent"] = indent if indent is not None else 2 if tty or output is not None else None
        text = api.render(results, format.value, questions=questions, **options)
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    if tty and format is Format.html:
        typer.echo("check: an HTML page to a terminal; write it to a file with --output report.html",
                   err=True)
    page(text, output, pager and tty and (format is Format.text or questions))
    raise typer.Exit(EXIT_BREACHED if any(r.breached for r in results) else EXIT_OK)


def _batch(paths: list[str], policy: str | None, compiled, account, clause, format: Format,
           explain: Explain, output: Path | None, jobs: int | None, dask: tuple[str | None] | None) -> None:
    """Many scenarios: a line of text or a JSON Lines record each, streamed in input order,
    diagnostics of bad files on stderr; a progress bar on a terminal. Exit 2 if a file could
    not be checked, else 1 if a binding clause is breached in any, else 0. `dask`: run on a
    dask cluster: (the scheduler's address, or None for a local cluster)."""
    from forcecheck.batch import Options, run
    from forcecheck.diagnostics import Diagnostic, InputError
    from forcecheck.policy.load import resolve_policy_path

    collect_garbage()  # many scenarios: the collector runs again (`common.collect_garbage`)
    if format not in (Format.text, Format.json):
        raise InputError([Diagnostic(None, "U008", f"a batch is written as text or json, not {format.value}",
                                     "use --format json (JSON Lines) or check one scenario at a time")])
    if output is not None:
        raise InputError([Diagnostic(None, "U008", "a batch streams to standard output, not --output",
                                     "redirect it: forcecheck check DIR --format json > results.jsonl")])
    # The workers load exactly the policy this process loaded: by its resolved path.
    options = Options(str(resolve_policy_path(policy).resolve()) if policy is not None else None,
                      tuple(account) if account else None, tuple(clause) if clause else None,
                      None if explain is Explain.summary else explain.value)
    counts = {"ok": 0, "breached": 0, "error": 0}
    lines = any(p.endswith(".jsonl") for p in paths)
    items = _batch_items(paths)
    workers = jobs or (os.cpu_count() or 1)
    if dask is None:
        outcomes = run(items, options, jobs=workers if jobs is not None else 1, compiled=compiled)
    else:
        if dask[0] is not None and jobs is not None:
            raise InputError([Diagnostic(None, "U014", "--jobs sets the processes of a local cluster; the "
                                         "cluster at --scheduler has its own workers",
                                         "leave --jobs out, or --scheduler to run a local cluster")])
        from forcecheck.cluster import run as run_on_cluster

        outcomes = run_on_cluster(items, options, compiled, scheduler=dask[0], workers=workers)
    with _progress(None if lines else len(paths)) as advance:
        for outcome in outcomes:
            counts[outcome.status] += 1
            if outcome.diagnostics:
                sys.stderr.write(outcome.diagnostics + "\n")
            write((outcome.line if format is Format.json else outcome.summary) + "\n", None)
            advance(1)
    if format is Format.text:
        write(f"{sum(counts.values())} scenarios: {counts['breached']} with a binding clause breached, "
               f"{counts['ok']} without, {counts['error']} not checked (see the errors above)\n", None)
    code = EXIT_INPUT if counts["error"] else EXIT_BREACHED if counts["breached"] else EXIT_OK
    raise typer.Exit(code)



def _side_by_side(scenarios: list[Path], policies: list[str], format: Format, output: Path | None,
                  other_options: object) -> None:
    """One scenario under several policies: each policy's clauses, then the concepts they share,
    quoting each policy's wording where their verdicts differ. Exit 1 if a binding clause of
    any of them is breached."""
    from forcecheck import api
    from forcecheck.diagnostics import Diagnostic, InputError
    from forcecheck.report import compare
    from forcecheck.report.render import render

    try:
        paths = scenario_paths(scenarios)
        if len(paths) != 1 or other_options:
            raise InputError([Diagnostic(None, "U010", "several --policy options take one scenario, with "
                                         "no --assume, --settle, --questions, --account, --clause or --jobs",
                                         "check the scenario under each policy, side by side")])
        text = read_stdin() if str(paths[0]) == "-" else None
        results = []
        for p in policies:
            compiled = api.load_policy(p)
            results.append(api.check(api.load_scenario(paths[0], compiled, text=text), compiled).evaluation)
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    write(render(compare.build(results), format.value), output)
    raise typer.Exit(EXIT_BREACHED if any(r.breached for r in results) else EXIT_OK)



def _batch_items(paths: list[str]):
    """(name, text or None) for each scenario: a file, standard input, or each line of a JSON
    Lines file of scenarios (as `forcecheck import --output FILE.jsonl` writes), named FILE:LINE,
    each line bounded (`batch.jsonl_items`)."""
    from forcecheck.batch import jsonl_items

    for name in paths:
        if name == "-":
            yield "-", read_stdin()
        elif name.endswith(".jsonl"):
            yield from jsonl_items(Path(name))
        else:
            yield name, None



def _progress(total: int | None):
    """A progress bar on stderr when it is a terminal (rich); nothing otherwise. Yields a
    function that moves it on by n."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext(lambda n: None)

    @contextlib.contextmanager
    def bar():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        # Output on the same terminal goes above the bar; output to a pipe is left alone.
        with Progress("checking", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=Console(stderr=True), transient=True,
                      redirect_stdout=sys.stdout.isatty()) as progress:
            task = progress.add_task("checking", total=total)

            yield lambda n: progress.advance(task, n)

    return bar()

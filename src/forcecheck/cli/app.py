"""The command line: parse arguments, call the library, render, choose the exit code.

Exit codes: 0 nothing breached; 1 a `must` / `must not` clause breached under some account;
2 bad input or usage; 3 an internal error (a bug in forcecheck). Results go to stdout,
diagnostics to stderr. Heavy modules are imported inside the commands that need them.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

EXIT_OK, EXIT_BREACHED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    name="forcecheck",
    help="Check use-of-force incident accounts against the text of a use-of-force policy.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


class Explain(StrEnum):
    summary = "summary"
    short = "short"
    full = "full"


class Colour(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


def _version(value: bool) -> None:
    if value:
        from forcecheck import __version__

        typer.echo(f"forcecheck {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """Check use-of-force incident accounts against the text of a use-of-force policy."""


def _clause_ids(incomplete: str) -> list[str]:
    """Shell completion for --clause: the shipped policy's clause ids."""
    try:
        from forcecheck.policy.load import load_policy

        return [c.id for c in load_policy(None).policy.clauses if c.id.startswith(incomplete)]
    except Exception:  # completion must never fail loudly
        return []


def _assumable(incomplete: str) -> list[str]:
    """Shell completion for --assume: the policy's open questions, and SUBJECT.FACT once a
    subject is typed."""
    try:
        from forcecheck.policy.load import load_policy

        policy = load_policy(None).policy
        if "." in incomplete:
            subject = incomplete.split(".", 1)[0]
            names = sorted({f.name for f in policy.facts.values()})
            return [f"{subject}.{n}=" for n in names if f"{subject}.{n}".startswith(incomplete)]
        return [f"{q}=" for q in sorted(policy.unsettled) if q.startswith(incomplete)]
    except Exception:
        return []


PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", "-p", readable=False, metavar="POLICY",
                 help="A shipped policy by name (dhs, doj, cfr-287-8: see `forcecheck policies`), "
                 "or a policy file or directory (default: dhs)."),
]


def _fail(diagnostics) -> typer.Exit:
    from forcecheck.diagnostics import render_all

    typer.echo(render_all(diagnostics), err=True)
    return typer.Exit(EXIT_INPUT)


def _write(text: str, output: Path | None) -> None:
    """Write to stdout, or to a file as `files.write_text` does (atomically for a file)."""
    if output is None:
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:  # a terminal that cannot show '§': show an escape instead
            sys.stdout.flush()
            encoding = sys.stdout.encoding or "ascii"
            sys.stdout.buffer.write(text.encode(encoding, errors="backslashreplace"))
        return
    from forcecheck.diagnostics import InputError
    from forcecheck.files import write_text

    try:
        write_text(output, text)
    except InputError as exc:
        raise _fail(exc.diagnostics) from None


@app.command()
def check(
    scenarios: Annotated[list[Path], typer.Argument(metavar="SCENARIO", help="Scenario YAML files or "
                                                    "folders; '-' reads one from standard input.",
                                                    show_default=False, readable=False)],
    policy: Annotated[list[Path] | None, typer.Option(
        "--policy", "-p", readable=False, metavar="POLICY",
        help="Policy: a shipped name (dhs, doj, cfr-287-8; see `forcecheck policies`), a file or a "
        "directory (default: dhs). Repeat it to see the scenario under each, side by side.")] = None,
    account: Annotated[list[str] | None, typer.Option("--account", "-a",
                       help="Only this account (repeatable).")] = None,
    clause: Annotated[list[str] | None, typer.Option("--clause", "-c", autocompletion=_clause_ids,
                      help="Only this clause (repeatable).")] = None,
    format: Annotated[Format, typer.Option(
        "--format", "-f", help="text (the terminal), markdown (an article draft or an issue), html "
        "(one self-contained page) or json.")] = Format.text,
    explain: Annotated[Explain, typer.Option("--explain", help="summary: the answer on one screen; "
                       "short: with each clause's wording and why, in prose; full: every condition "
                       "and the rule as written.")] = Explain.summary,
    output: Annotated[Path | None, typer.Option("--output", "-o", readable=False,
                      help="Write the report to this file instead of stdout.")] = None,
    color: Annotated[Colour, typer.Option("--color", help="Colour verdicts in text output (auto: on a "
                     "terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR forces it).")] = Colour.auto,
    pager: Annotated[bool, typer.Option("--pager/--no-pager", help="Page long text output on a "
                     "terminal (less -R, or $PAGER).")] = True,
    questions: Annotated[bool, typer.Option("--questions", help="Show only the open questions: "
                         "the unknown facts, most decisive first, and the verdicts each settles.")] = False,
    assume: Annotated[list[str] | None, typer.Option("--assume", metavar="FACT=VALUE",
                      autocompletion=_assumable,
                      help="Evaluate a hypothetical with this fact set (repeatable), e.g. "
                      "shots.subject_fleeing=yes or reaches_off_duty_officers=yes.")] = None,
    base: Annotated[str | None, typer.Option("--base", metavar="ACCOUNT", help="Start the "
                    "hypothetical from this account (default: the undisputed facts only).")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=0, help="Check many scenarios as a "
                    "batch in this many processes (0: one per core): a line or a JSON Lines record "
                    "per scenario, in input order. Several files are a batch even without it.")] = None,
) -> None:
    """Evaluate every clause under every account of each SCENARIO, with traces."""
    from forcecheck.diagnostics import Diagnostic, InputError, did_you_mean
    from forcecheck.evaluation.evaluate import evaluate
    from forcecheck.policy.load import load_policy
    from forcecheck.scenario.hypothesis import parse_hypothesis
    from forcecheck.scenario.load import load_scenario

    if policy and len(policy) > 1:
        _side_by_side(scenarios, policy, format, output, assume or base or questions or account or clause
                      or jobs is not None)
    policy = policy[0] if policy else None
    try:
        compiled = load_policy(policy)
        known = [c.id for c in compiled.policy.clauses]
        for c in clause or ():
            if c not in known:
                raise InputError([Diagnostic(None, "U001", f"unknown clause '{c}'",
                                             did_you_mean(c, known) or "see `forcecheck clauses`")])
        paths = _scenario_paths(scenarios)
        many = len(paths) > 1 or any(p.endswith(".jsonl") for p in paths)
        if jobs is not None or (many and format in (Format.text, Format.json)):
            if assume or base or questions:
                raise InputError([Diagnostic(None, "U008", "--assume, --base and --questions take one "
                                             "scenario, not a batch", "check the scenario on its own")])
            _batch(paths, policy, compiled, account, clause, format, explain, output, jobs or 1)
        results = []

        for path in paths:
            sc = load_scenario(path, compiled, text=_stdin() if str(path) == "-" else None)
            ids = [a.id for a in sc.accounts]
            for a in account or ():
                if a not in ids:
                    raise InputError([Diagnostic(None, "U002", f"{path}: no account '{a}'",
                                                 did_you_mean(a, ids) or f"accounts: {', '.join(ids)}")])
            hypothesis = None
            if assume or base:
                if not assume:
                    raise InputError([Diagnostic(None, "U004", "--base needs at least one --assume",
                                                 "e.g. --base dhs --assume shots.subject_fleeing=yes")])
                hypothesis = parse_hypothesis(sc, compiled.policy, assume, base)
            results.append(evaluate(compiled, sc, account or None, clause or None, hypothesis))
    except InputError as exc:
        raise _fail(exc.diagnostics) from None
    from forcecheck.diagnostics import render_all
    from forcecheck.evaluation.lints import unstated_warnings

    warnings = [w for r in results for w in unstated_warnings(r)] if not (account or clause) else []
    if warnings:
        typer.echo(render_all(warnings), err=True)

    tty = output is None and sys.stdout.isatty()
    colour = wants_colour(color.value, tty)
    width = _terminal_width() if tty else None
    if questions:
        from forcecheck.report.build import build_questions

        qreport = build_questions(results)
        if format is Format.json:
            from forcecheck.report.json import render_questions_json

            text = render_questions_json(qreport)
        else:
            from forcecheck.report.text import render_questions

            text = render_questions(qreport, **_size(width), colour=colour)
        _show(text, output, pager and tty)
        raise typer.Exit(EXIT_BREACHED if any(r.breached for r in results) else EXIT_OK)
    from forcecheck.report.build import build

    # The default text report shows no trace: do not build them.
    report = build(results, traces=not (format is Format.text and explain is Explain.summary))
    if format is Format.json:
        from forcecheck.report.json import render_json

        text = render_json(report)
    elif format is Format.markdown:
        from forcecheck.report.markdown import render_markdown

        text = render_markdown(report, explain.value)
    elif format is Format.html:
        from forcecheck.report.html import render_html

        text = render_html(report)
    else:
        from forcecheck.report.text import render_text

        text = render_text(report, **_size(width), colour=colour, explain=explain.value,
                           ascii_only=output is None and not _unicode_stdout())
    _show(text, output, pager and tty and format is Format.text)
    raise typer.Exit(EXIT_BREACHED if any(r.breached for r in results) else EXIT_OK)


def _batch(paths: list[str], policy: Path | None, compiled, account, clause, format: Format,
           explain: Explain, output: Path | None, jobs: int) -> None:
    """Many scenarios: a line of text or a JSON Lines record each, streamed in input order,
    diagnostics of bad files on stderr; a progress bar on a terminal. Exit 2 if a file could
    not be checked, else 1 if a binding clause is breached in any, else 0."""
    from forcecheck.batch import Options, run
    from forcecheck.diagnostics import Diagnostic, InputError

    if format not in (Format.text, Format.json):
        raise InputError([Diagnostic(None, "U008", f"a batch is written as text or json, not {format.value}",
                                     "use --format json (JSON Lines) or check one scenario at a time")])
    if output is not None:
        raise InputError([Diagnostic(None, "U008", "a batch streams to standard output, not --output",
                                     "redirect it: forcecheck check DIR --format json > results.jsonl")])
    options = Options(str(policy) if policy is not None else None,
                      tuple(account) if account else None, tuple(clause) if clause else None,
                      None if explain is Explain.summary else explain.value)
    counts = {"ok": 0, "breached": 0, "error": 0}
    lines = any(p.endswith(".jsonl") for p in paths)
    with _progress(None if lines else len(paths)) as advance:
        items = _batch_items(paths)
        for outcome in run(items, options, jobs=jobs or (os.cpu_count() or 1), compiled=compiled):
            counts[outcome.status] += 1
            if outcome.diagnostics:
                sys.stderr.write(outcome.diagnostics + "\n")
            _write((outcome.line if format is Format.json else outcome.summary) + "\n", None)
            advance(1)
    if format is Format.text:
        _write(f"{sum(counts.values())} scenarios: {counts['breached']} with a binding clause breached, "
               f"{counts['ok']} without, {counts['error']} not checked (see the errors above)\n", None)
    code = EXIT_INPUT if counts["error"] else EXIT_BREACHED if counts["breached"] else EXIT_OK
    raise typer.Exit(code)


def _side_by_side(scenarios: list[Path], policies: list[Path], format: Format, output: Path | None,
                  other_options: object) -> None:
    """One scenario under several policies: each policy's clauses, then the concepts they share,
    quoting each policy's wording where their verdicts differ. Exit 1 if a binding clause of
    any of them is breached."""
    from forcecheck.diagnostics import Diagnostic, InputError
    from forcecheck.evaluation.evaluate import evaluate
    from forcecheck.policy.load import load_policy
    from forcecheck.report import compare
    from forcecheck.scenario.load import load_scenario

    try:
        paths = _scenario_paths(scenarios)
        if len(paths) != 1 or other_options:
            raise InputError([Diagnostic(None, "U010", "several --policy options take one scenario, with "
                                         "no --assume, --questions, --account, --clause or --jobs",
                                         "check the scenario under each policy, side by side")])
        text = _stdin() if str(paths[0]) == "-" else None
        results = []
        for p in policies:
            compiled = load_policy(p)
            results.append(evaluate(compiled, load_scenario(paths[0], compiled, text=text)))
    except InputError as exc:
        raise _fail(exc.diagnostics) from None
    doc = compare.build(results)
    render = {Format.json: compare.render_json, Format.markdown: compare.render_markdown,
              Format.html: compare.render_html}.get(format, compare.render_text)
    _write(render(doc), output)
    raise typer.Exit(EXIT_BREACHED if any(r.breached for r in results) else EXIT_OK)


def _batch_items(paths: list[str]):
    """(name, text or None) for each scenario: a file, standard input, or each line of a JSON
    Lines file of scenarios (as `forcecheck import --output FILE.jsonl` writes), named FILE:LINE."""
    from forcecheck.diagnostics import Diagnostic, InputError

    for name in paths:
        p = Path(name)
        if name == "-":
            yield "-", _stdin()
        elif name.endswith(".jsonl"):
            if not p.is_file():
                raise InputError([Diagnostic(None, "U005", f"'{p}' is not a file",
                                             "give a JSON Lines file of scenarios")])
            with p.open(encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    if line.strip():
                        yield f"{p}:{n}", line
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


def _scenario_paths(given: list[Path]) -> list[str]:
    """Files as given, folders walked (as `test` and `validate` do), '-' for standard input.
    Names, not Path objects: a batch of 20,000 files holds this list for the whole run."""
    from forcecheck.files import walk

    out: list[str] = []
    for p in given:
        out += ["-"] if str(p) == "-" else [str(f) for f in walk([p], (".yaml", ".yml"))]
    return out


def _stdin() -> str:
    """A scenario from standard input, bounded like a file."""
    from forcecheck.diagnostics import Diagnostic, InputError
    from forcecheck.scenario.yamlsource import MAX_BYTES

    data = sys.stdin.buffer.read(MAX_BYTES + 1) if hasattr(sys.stdin, "buffer") else \
        sys.stdin.read(MAX_BYTES + 1).encode("utf-8")
    if len(data) > MAX_BYTES:
        raise InputError([Diagnostic(None, "S000", f"standard input is larger than {MAX_BYTES} bytes")])
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError([Diagnostic(None, "S000", f"standard input is not valid UTF-8 (byte "
                                     f"0x{data[exc.start]:02x})", "send UTF-8")]) from None


def wants_colour(choice: str, tty: bool) -> bool:
    from forcecheck.report.text import wants_colour as decide

    return decide(choice, tty)


def _unicode_stdout() -> bool:
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace("-", "")
    return encoding.startswith("utf")


def _terminal_width() -> int:
    import shutil

    return max(40, shutil.get_terminal_size((100, 24)).columns)


def _size(width: int | None) -> dict:
    return {} if width is None else {"width": width}


def _show(text: str, output: Path | None, page: bool) -> None:
    """Write the report; on a terminal, through a pager as git does when it is longer than
    the screen (less -R; $PAGER; off with --no-pager or when piped)."""
    if output is None and page:
        import shutil
        import subprocess

        if text.count("\n") > shutil.get_terminal_size((100, 24)).lines:
            command = os.environ.get("PAGER") or "less"
            env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
            try:
                import shlex

                proc = subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, env=env)
            except (OSError, ValueError):
                proc = None
            if proc is not None and proc.stdin is not None:
                try:
                    proc.stdin.write(text.encode("utf-8", errors="replace"))
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
                proc.wait()
                return
    _write(text, output)


@app.command()
def test(
    paths: Annotated[list[Path] | None, typer.Argument(metavar="PATH", show_default=False, readable=False,
                     help="Scenario files or directories (default: ./scenarios).")] = None,
    policy: PolicyOption = None,
    coverage: Annotated[bool, typer.Option("--coverage", help="Also report, for each clause, "
                        "which verdicts the scenarios reach.")] = False,
    update: Annotated[bool, typer.Option("--update", help="Rewrite expectations from the current "
                      "results, keeping comments and order (asks first).")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="With --update: do not ask.")] = False,
) -> None:
    """Run the expectations in scenario files: a line per scenario, a diff per failure."""
    from forcecheck.diagnostics import Diagnostic, InputError
    from forcecheck.policy.load import load_policy
    from forcecheck.testing.runner import coverage as clause_coverage
    from forcecheck.testing.runner import render_coverage, render_outcomes, run

    chosen = paths or [Path("scenarios")]
    missing = [p for p in chosen if not p.exists()]
    if missing:
        raise _fail([Diagnostic(None, "U005", f"'{p}' does not exist", "give scenario files or folders")
                     for p in missing])
    try:
        compiled = load_policy(policy)
    except InputError as exc:
        raise _fail(exc.diagnostics) from None
    outcomes = run(compiled, chosen)
    if update:
        outcomes = _update(compiled, outcomes, yes)
    text = render_outcomes(outcomes)
    if coverage:
        text += "\n" + render_coverage(clause_coverage(outcomes, compiled), compiled)
    sys.stdout.write(text)
    if any(o.errors for o in outcomes):
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_BREACHED if any(o.failures for o in outcomes) else EXIT_OK)


def _update(compiled, outcomes, yes: bool):
    """Show what --update would write, ask, write atomically, and test again."""
    import difflib

    from forcecheck.diagnostics import display_path
    from forcecheck.testing.runner import run, updated_text

    pending = [(o, t) for o in outcomes if (t := updated_text(o)) is not None]
    if not pending:
        typer.echo("update: every expectation already matches", err=True)
        return outcomes
    for o, new in pending:
        name = display_path(str(o.path))
        old = o.path.read_text(encoding="utf-8")
        diff = difflib.unified_diff(old.splitlines(True), new.splitlines(True), name, name)
        typer.echo("".join(diff), err=True)
    if not yes:
        try:
            ok = typer.confirm(f"Rewrite the expectations of {len(pending)} scenario file(s)?", err=True)
        except typer.Abort:
            ok = False
        if not ok:
            typer.echo("update: nothing written", err=True)
            return outcomes
    written = 0
    for o, new in pending:
        problems = _loads(compiled, o.path, new)
        if problems:  # never replace a file that loads with one that does not
            from forcecheck.diagnostics import render_all

            typer.echo(f"update: not writing {display_path(str(o.path))}: the rewritten file would not "
                       f"load\n{render_all(problems)}", err=True)
            continue
        _write(new, o.path)
        written += 1
    typer.echo(f"update: rewrote {written} file(s)", err=True)
    return run(compiled, [o.path for o in outcomes])


def _loads(compiled, path: Path, text: str) -> list:
    """The diagnostics `text` would get as the scenario file at `path` (none: it loads)."""
    import tempfile

    from forcecheck.diagnostics import InputError
    from forcecheck.scenario.load import load_scenario

    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / path.name
        probe.write_text(text, encoding="utf-8")
        try:
            load_scenario(probe, compiled)
        except InputError as exc:
            import dataclasses

            # Said of the file the user named, not of the probe.
            return [dataclasses.replace(d, span=dataclasses.replace(d.span, path=str(path)))
                    if d.span is not None and d.span.path == str(probe) else d for d in exc.diagnostics]
    return []


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", show_default=False, readable=False,
                                                help="Scenario files, policy files, or directories.")],
    policy: PolicyOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text (people) or json (editors and "
                      "CI: one object per diagnostic, on stdout).")] = "text",
) -> None:
    """Check scenarios and policies without evaluating them; diagnostics only."""
    from forcecheck.diagnostics import InputError, render_all
    from forcecheck.evaluation.evaluate import evaluate
    from forcecheck.evaluation.lints import unstated_warnings
    from forcecheck.policy.load import load_policy
    from forcecheck.scenario.lints import unread_statements
    from forcecheck.scenario.load import load_scenario

    problems = []
    try:
        compiled = load_policy(policy)
    except InputError as exc:
        raise _fail(exc.diagnostics) from None
    warnings = list(compiled.policy.warnings)
    from forcecheck.files import walk

    try:
        files = list(walk(paths, (".yaml", ".yml", ".rules")))
    except InputError as exc:
        raise _fail(exc.diagnostics) from None
    for f in files:
        try:
            if f.suffix == ".rules":
                warnings += load_policy(f).policy.warnings
            else:
                sc = load_scenario(f, compiled)
                warnings += unread_statements(sc, compiled.policy)
                warnings += unstated_warnings(evaluate(compiled, sc))
        except InputError as exc:
            problems += exc.diagnostics
    if format == "json":
        from forcecheck.diagnostics import as_json

        sys.stdout.write(as_json([*problems, *warnings], len(files)))
        raise typer.Exit(EXIT_INPUT if problems else EXIT_OK)
    if format != "text":
        from forcecheck.diagnostics import Diagnostic

        raise _fail([Diagnostic(None, "U001", f"no format '{format}' for validate", "text or json")])
    if warnings:
        typer.echo(render_all(warnings), err=True)
    if problems:
        raise _fail(problems)
    typer.echo(f"ok: {len(files)} file(s) valid", err=True)


class Status(StrEnum):
    breached = "breached"
    breach_possible = "breach_possible"
    undetermined = "undetermined"
    met = "met"
    not_applicable = "not_applicable"


@app.command()
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
    mapping: Annotated[Path | None, typer.Option("--mapping", "-m", readable=False, help="The import's "
                       "mapping: its readings of each code are shown with the report.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", readable=False,
                      help="Write the report to this file instead of stdout.")] = None,
    policy: PolicyOption = None,
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
            raise _fail([Diagnostic(None, "U009", f"--where '{w}' is not FIELD=VALUE",
                                    "e.g. --where state=CA")])
        filters.append((name.strip(), value.strip()))
    if (clause is None) != (status is None):
        raise _fail([Diagnostic(None, "U009", "--clause and --status go together",
                                "e.g. --clause deadly-force-imminent-threat --status breach_possible")])
    try:
        if str(records) == "-":
            lines = enumerate(sys.stdin, 1)
            result = report.aggregate(lines, "<stdin>", filters, (clause, status.value) if clause else None)
        else:
            if not records.is_file():
                raise InputError([Diagnostic(None, "U005", f"'{records}' is not a file of records",
                                             "give the JSON Lines that `forcecheck check ... --format json` "
                                             "wrote")])
            with records.open(encoding="utf-8", errors="replace") as f:
                result = report.aggregate(enumerate(f, 1), str(records), filters,
                                          (clause, status.value) if clause else None)
        if clause is not None and clause not in result.clauses:
            from forcecheck.diagnostics import did_you_mean

            raise InputError([Diagnostic(None, "U001", f"no clause '{clause}' in these records",
                                         did_you_mean(clause, list(result.clauses)) or "")])
        readings = []
        if mapping is not None:
            from forcecheck.importing.mapping import load_mapping

            m = load_mapping(mapping, _compiled_policy(policy)).model
            readings = [(col, value or "(empty)", " ".join(rule.reading.split()))
                        for col, spec in m.columns.items() for value, rule in spec.values.items()]
    except InputError as exc:
        raise _fail(exc.diagnostics) from None
    if format is Format.html:
        text = report.render_html(result, readings)
    elif format is Format.markdown:
        text = report.render_markdown(result)
    elif format is Format.json:
        text = report.render_json(result)
    else:
        text = report.render_text(result)
    _write(text, output)


def _policy(path: Path | None):
    """The checked policy, or its diagnostics and exit 2."""
    return _compiled_policy(path).policy


def _compiled_policy(path: Path | None):
    """The compiled policy, or its diagnostics and exit 2."""
    from forcecheck.diagnostics import InputError
    from forcecheck.policy.load import load_policy

    try:
        return load_policy(path)
    except InputError as exc:
        raise _fail(exc.diagnostics) from None


@app.command()
def clauses(policy: PolicyOption = None) -> None:
    """List the policy's clauses with their citations and provenance."""
    from forcecheck.report.policy import render_clauses

    sys.stdout.write(render_clauses(_policy(policy)))


@app.command()
def show(name: Annotated[str, typer.Argument(metavar="NAME", help="A clause, definition, fact, action, "
                                             "role or open question of the policy.")],
         policy: PolicyOption = None) -> None:
    """Show one clause (quotes, citations, provenance, reading, rule), or one definition,
    fact, action, role or open question of the policy."""
    from forcecheck.diagnostics import Diagnostic, InputError, did_you_mean
    from forcecheck.policy.load import load_policy
    from forcecheck.report.policy import render_clause, render_name

    try:
        compiled = load_policy(policy)
        p = compiled.policy
        c = p.clause(name)
        text = render_clause(c) if c is not None else render_name(p, name)
        if text is None:
            known = [*(x.id for x in p.clauses), *p.definitions, *(f.name for f in p.facts.values()),
                     *p.actions, *p.roles, *p.unsettled]
            raise InputError([Diagnostic(None, "U001", f"'{name}' is not a clause, definition, fact, "
                                         "action, role or open question of the policy",
                                         did_you_mean(name, known) or "see `forcecheck clauses` and "
                                         "`forcecheck vocabulary`")])
    except InputError as exc:
        raise _fail(exc.diagnostics) from None
    sys.stdout.write(text)


@app.command()
def vocabulary(policy: PolicyOption = None) -> None:
    """What a scenario can state: roles, actions, and the facts about the incident, events and
    people, each with its question and the clauses that read it; and the policy's open questions."""
    from forcecheck.report.policy import render_vocabulary

    sys.stdout.write(render_vocabulary(_policy(policy)))


@app.command()
def new(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="The file to write.")] = Path("scenario.yaml"),
    template: Annotated[str | None, typer.Option("--template", help="Start from a shipped teaching "
                        "case (e.g. knife-advancing); `--template list` lists them.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="The incident in one line.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="teaching or real.")] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="What happened, in a few lines.")] = None,
    person: Annotated[list[str] | None, typer.Option("--person", metavar="ID:ROLE:DESCRIPTION",
                      help="A person (repeatable).")] = None,
    event: Annotated[list[str] | None, typer.Option("--event", metavar="ID:ACTOR:ACTION:TARGET:DESCRIPTION",
                     help="An event, in order (repeatable; TARGET may be empty).")] = None,
    account: Annotated[list[str] | None, typer.Option("--account", metavar="ID:NAME",
                       help="An account (repeatable).")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", metavar="ID:TITLE",
                      help="A source (repeatable).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a new scenario file that loads as written: from prompts, from flags, or from a
    shipped teaching case (--template)."""
    import re

    from forcecheck.authoring.new import Draft, render, schema_path, template_folder, templates
    from forcecheck.diagnostics import Diagnostic, InputError, did_you_mean, render_all
    from forcecheck.policy.load import load_policy

    if template == "list":
        sys.stdout.write("".join(f"{t}\n" for t in templates()))
        return
    if path.exists() and not force:
        raise _fail([Diagnostic(None, "U003", f"'{path}' exists; nothing written",
                                "give another path, or --force to overwrite it")])
    try:
        compiled = load_policy(None)
    except InputError as exc:
        raise _fail(exc.diagnostics) from None
    if template is not None:
        if template not in templates():
            raise _fail([Diagnostic(None, "U001", f"no teaching case '{template}'",
                                    did_you_mean(template, templates())
                                    or "`forcecheck new --template list` lists them")])
        text = (template_folder() / f"{template}.yaml").read_text(encoding="utf-8")
        text = re.sub(r"\$schema=\S+", f"$schema={schema_path(path)}", text, count=1)
    else:
        # With any flag given, it is a script: what is not given takes its default, unasked.
        scripted = any(x is not None for x in (title, kind, summary, person, event, account, source))

        def ask(value, prompt, default=None):
            if value is not None or (scripted and default is not None):
                return value if value is not None else default
            return typer.prompt(prompt, default=default, err=True)

        def split(items, n, prompt):
            out = []
            for item in items or []:
                parts = item.split(":", n - 1)
                out.append(tuple(parts + [""] * (n - len(parts))))
            if items is None and not scripted:
                while True:
                    line = typer.prompt(prompt, default="", show_default=False, err=True).strip()
                    if not line:
                        break
                    parts = line.split(":", n - 1)
                    out.append(tuple(parts + [""] * (n - len(parts))))
            return out

        the_title = ask(title, "Title (the incident in one line)")
        draft = Draft(
            id=re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "scenario",
            title=the_title, kind=ask(kind, "Kind (teaching or real)", "teaching"),
            summary=ask(summary, "Summary", the_title),
            sources=[(i, t, "") for i, t, *_ in split(source, 2, "Source as ID:TITLE (empty: done)")],
            people=split(person, 3, "Person as ID:ROLE:DESCRIPTION (empty: done)"),
            events=split(event, 5, "Event as ID:ACTOR:ACTION:TARGET:DESCRIPTION (empty: done)"),
            accounts=split(account, 2, "Account as ID:NAME (empty: done)") or [("report", "Report")])
        text = render(draft, schema_path(path))
    problems = _loads(compiled, path, text)
    if problems:
        typer.echo(f"new: nothing written; the file would not load:\n{render_all(problems)}", err=True)
        raise typer.Exit(EXIT_INPUT)
    _write(text, path)
    typer.echo(f"new: wrote {path}; next: forcecheck vocabulary, then forcecheck check {path}", err=True)


@app.command()
def fmt(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", show_default=False, readable=False,
                                                help="Scenario files or folders.")],
    check_only: Annotated[bool, typer.Option("--check", help="Change nothing: show a diff of what "
                          "would change and exit 1 if anything would (for CI).")] = False,
) -> None:
    """Write scenario files in the canonical layout (key order, indentation; comments, quoting
    and flow style kept), like `opa fmt`."""
    import difflib

    from forcecheck.authoring.fmt import formatted
    from forcecheck.diagnostics import Diagnostic, InputError, display_path
    from forcecheck.files import read_text, walk, write_text
    from forcecheck.scenario.yamlsource import MAX_BYTES, load_yaml

    changed = 0
    try:
        for path in walk(paths, (".yaml", ".yml")):
            old = read_text(path, MAX_BYTES, "S000", "scenario file")
            new = formatted(old)
            if new == old:
                continue
            if load_yaml(path, new).data != load_yaml(path, old).data:  # never change what it says
                raise InputError([Diagnostic(None, "S000", f"{display_path(str(path))}: formatting "
                                             "would change what the file says; left as it is")])
            changed += 1
            name = display_path(str(path))
            if check_only:
                sys.stdout.write("".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                              name, name)))
            else:
                write_text(path, new)
                typer.echo(f"formatted {name}", err=True)
    except InputError as exc:
        raise _fail(exc.diagnostics) from None
    if check_only and changed:
        typer.echo(f"fmt: {changed} file(s) would be reformatted", err=True)
        raise typer.Exit(1)


@app.command()
def explain(code: Annotated[str | None, typer.Argument(metavar="CODE", help="A diagnostic code, e.g. "
                                                     "S015; none lists them all.")] = None) -> None:
    """What a diagnostic code means and what to do about it (like `ruff rule`)."""
    from forcecheck.codes import CODES
    from forcecheck.codes import explain as explain_code

    if code is None:
        sys.stdout.write("".join(f"{c}  {title}\n" for c, (title, _) in CODES.items()))
        return
    text = explain_code(code)
    if text is None:
        from forcecheck.diagnostics import Diagnostic, did_you_mean

        raise _fail([Diagnostic(None, "U001", f"no diagnostic code '{code}'",
                                did_you_mean(code.upper(), CODES) or "`forcecheck explain` lists them")])
    import textwrap

    sys.stdout.write("\n".join(textwrap.fill(p, 80) if p else p for p in text.split("\n")))


@app.command()
def schema(policy: PolicyOption = None) -> None:
    """Print the JSON Schema of scenario files for the policy: roles, actions and facts with
    their questions, for an editor (yaml-language-server) to complete and check them."""
    import json

    from forcecheck.scenario.editor_schema import scenario_schema

    sys.stdout.write(json.dumps(scenario_schema(_policy(policy)), indent=2, ensure_ascii=False) + "\n")


@app.command()
def policies() -> None:
    """The shipped policies: name (for --policy), document, version, what kind of text each quote
    comes from, and the shared vocabulary they use."""
    from forcecheck.diagnostics import InputError
    from forcecheck.policy.load import load_policy, shipped_policies

    out = []
    for name, path in shipped_policies():
        try:
            p = load_policy(path).policy
        except InputError as exc:
            raise _fail(exc.diagnostics) from None
        labels: dict[str, int] = {}
        for c in p.clauses:
            for q in c.quotes:
                labels[q.provenance] = labels.get(q.provenance, 0) + 1
        shown = ", ".join(f"{n} {label}" for label, n in sorted(labels.items()))
        out += [f"{name}: {p.title}", f"  id {p.id}; {len(p.clauses)} clauses; quotes: {shown}",
                f"  document: {p.document}", f"  version: {p.version}"]
        out += [f"  source {d.id}: {d.title}" for d in p.documents.values()]
        out.append("")
    out.append("Check a scenario under several: forcecheck check SCENARIO --policy dhs --policy doj "
               "--policy cfr-287-8")
    import textwrap

    sys.stdout.write("\n".join(textwrap.fill(line, 100, subsequent_indent="    ") if line else line
                                for line in out) + "\n")


@app.command("import")
def import_(
    data: Annotated[Path, typer.Argument(metavar="DATA", show_default=False, readable=False,
                    help="The database: a CSV file with a header row, or JSON Lines.")],
    mapping: Annotated[Path, typer.Option("--mapping", "-m", readable=False, show_default=False,
                       help="The mapping file that says what each column's codes mean, or the "
                       "name of a shipped one (wapo-2015: The Washington Post's first layout).")],
    output: Annotated[Path, typer.Option("--output", "-o", readable=False, show_default=False,
                      help="A folder for one scenario file per record, or a .jsonl file for one "
                      "scenario per line.")],
    policy: PolicyOption = None,
) -> None:
    """Turn each record of an incident database into a scenario, through a declarative mapping.

    Every statement is attributed to the database, the record and the coded value. A bad row
    gets its diagnostic and the others go on (exit 2 at the end); values the mapping does not
    cover are counted and listed, and leave the facts unknown. Importing again gives the same
    bytes."""
    from forcecheck.diagnostics import Diagnostic, InputError, render_all
    from forcecheck.files import write_text
    from forcecheck.importing.mapping import Unmapped, file_name, import_records, load_mapping

    compiled = _compiled_policy(policy)
    try:
        loaded = load_mapping(mapping, compiled)
        unmapped = Unmapped()
        imported = failed = 0
        lines: list[str] = []
        as_lines = output.suffix == ".jsonl"
        if not as_lines:
            if output.exists() and not output.is_dir():
                raise InputError([Diagnostic(None, "U003", f"--output '{output}' is not a folder",
                                             "give a folder for the scenario files, or a .jsonl file")])
            try:
                output.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError([Diagnostic(None, "U003", f"cannot make the folder '{output}': "
                                             f"{exc.strerror}", "give a folder you can write to")]) from None
        for result in import_records(loaded, data, compiled, unmapped):
            if result.text is None:
                failed += 1
                sys.stderr.write(render_all(result.diagnostics) + "\n")
                continue
            imported += 1
            if as_lines:
                import json

                import yaml

                lines.append(json.dumps(yaml.safe_load(result.text), ensure_ascii=False,
                                        separators=(",", ":")))
            else:
                write_text(output / file_name(loaded, result.record_id or ""), result.text)
        if as_lines:
            write_text(output, "".join(line + "\n" for line in lines))
    except InputError as exc:
        raise _fail(exc.diagnostics) from None
    for line in unmapped.lines():
        sys.stderr.write(f"{data}: note: {line}\n")
    sys.stderr.write(f"{imported} records imported to {output}, {failed} not imported\n")
    raise typer.Exit(EXIT_INPUT if failed else EXIT_OK)


def main() -> None:
    """Entry point: no Python traceback ever reaches the user."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug in forcecheck, not bad input
        if os.environ.get("FORCECHECK_DEBUG"):
            raise
        sys.stderr.write(f"forcecheck: internal error: {type(exc).__name__}: {exc}\n"
                         "This is a bug in forcecheck; please report it with the command you ran "
                         "(set FORCECHECK_DEBUG=1 to see the traceback).\n")
        sys.exit(EXIT_INTERNAL)

"""`forcecheck test` (the expectations in scenario files) and `forcecheck validate`
(diagnostics only)."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from forcecheck.cli.common import (
    EXIT_BREACHED,
    EXIT_INPUT,
    EXIT_OK,
    PolicyOption,
    fail,
    load_problems,
    read_stdin,
    write,
)
from forcecheck.report.render import CI_FORMATS


def test(
    paths: Annotated[list[Path] | None, typer.Argument(metavar="PATH", show_default=False, readable=False,
                     help="Scenario files or directories (default: ./scenarios).")] = None,
    policy: PolicyOption = None,
    coverage: Annotated[bool, typer.Option("--coverage", help="Also report, for each clause, "
                        "which verdicts the scenarios reach.")] = False,
    update: Annotated[bool, typer.Option("--update", help="Rewrite expectations from the current "
                      "results, keeping comments and order (asks first).")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="With --update: do not ask.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="A file with no expectations (nothing "
                      "checked) fails the run: exit 1.")] = False,
    format: Annotated[str, typer.Option("--format", "-f", metavar="text|sarif|junit|github",
                      help="text (people); sarif, junit (a case per scenario file) or github "
                      "(annotations) for CI, on stdout.")] = "text",
) -> None:
    """Run the expectations in scenario files: a line per scenario, a diff per failure."""
    from forcecheck.diagnostics import Diagnostic, InputError
    from forcecheck.policy.load import load_policy
    from forcecheck.testing.runner import coverage as clause_coverage
    from forcecheck.testing.runner import render_coverage, render_outcomes, run

    chosen = paths or [Path("scenarios")]
    missing = [p for p in chosen if not p.exists()]
    if missing:
        raise fail([Diagnostic(None, "U005", f"'{p}' does not exist", "give scenario files or folders")
                     for p in missing])
    try:
        # Without --policy, each file under each policy it holds expectations for.
        compiled = load_policy(policy) if policy is not None else None
        outcomes = run(compiled, chosen)  # the walk's own limits (U007, U012) end it here
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    if update:
        outcomes = _update(compiled, outcomes, yes)
    if format in CI_FORMATS:
        from forcecheck.report.ci import from_outcomes
        from forcecheck.report.render import render

        text = render(from_outcomes(outcomes), format)
        coverage = False
    elif format != "text":
        raise fail([Diagnostic(None, "U001", f"no format '{format}' for test",
                               "text, " + ", ".join(CI_FORMATS))])
    else:
        text = render_outcomes(outcomes)
    if coverage:
        from forcecheck.testing.runner import ShippedPolicies

        shipped = ShippedPolicies()
        for policy_id in dict.fromkeys(o.policy for o in outcomes if o.result is not None):
            under = compiled if compiled is not None else shipped.get(policy_id)
            if under is not None:
                text += "\n" + render_coverage(clause_coverage(outcomes, under), under)
    sys.stdout.write(text)
    if any(o.errors for o in outcomes):
        raise typer.Exit(EXIT_INPUT)
    unchecked = strict and any(o.passed and o.expectations == 0 for o in outcomes)
    raise typer.Exit(EXIT_BREACHED if any(o.failures for o in outcomes) or unchecked else EXIT_OK)



def _update(compiled, outcomes, yes: bool):
    """Show what --update would write, ask, write atomically, and test again. A file is written
    only if it still holds the text the diff was made from, checked just before it is replaced:
    an edit saved while the question waited is never overwritten (U011); nor is a read-only file
    (U003). Those are said on stderr, and their expectations stay as they were."""
    import difflib

    from forcecheck.diagnostics import InputError, display_path, render_all
    from forcecheck.files import read_text, write_text
    from forcecheck.scenario.yamlsource import MAX_BYTES
    from forcecheck.testing.runner import run, updated_text

    pending = []
    by_path: dict = {}
    for o in outcomes:
        if o.result is not None:
            by_path.setdefault(o.path, []).append(o)
    for path, group in by_path.items():
        try:
            old = read_text(path, MAX_BYTES, "S000", "scenario file")  # before the rewrite is made
        except InputError as exc:
            typer.echo(render_all(exc.diagnostics), err=True)
            continue
        new = updated_text(group)
        if new is not None:
            pending.append((group, old, new))
    if not pending:
        typer.echo("update: every expectation already matches", err=True)
        return outcomes
    for group, old, new in pending:
        name = display_path(str(group[0].path))
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
    for group, old, new in pending:
        path = group[0].path
        # never replace a file that loads with one that does not, under any policy it is run under
        problems = [d for o in group for d in load_problems(o.result.policy, path, new)]
        if problems:
            typer.echo(f"update: not writing {display_path(str(path))}: the rewritten file would not "
                       f"load\n{render_all(problems)}", err=True)
            continue
        try:
            write_text(path, new, unchanged=old)
        except InputError as exc:
            typer.echo(f"update: not writing {display_path(str(path))}:\n{render_all(exc.diagnostics)}",
                       err=True)
            continue
        written += 1
    typer.echo(f"update: rewrote {written} file(s)"
               + (f"; {len(pending) - written} not written (see above)" if written < len(pending) else ""),
               err=True)
    return run(compiled, list(dict.fromkeys(o.path for o in outcomes)))



def validate(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", show_default=False, readable=False,
                                                help="Scenario files, policy files, or directories; "
                                                "'-' reads a scenario from standard input.")],
    policy: PolicyOption = None,
    format: Annotated[str, typer.Option("--format", "-f", metavar="text|json|sarif|junit|github",
                      help="text (people); json (editors: one object per diagnostic); sarif (code "
                      "scanning), junit (a test report: a case per file) or github (annotations in a "
                      "GitHub Actions run), on stdout.")] = "text",
) -> None:
    """Check scenarios and policies without evaluating them; diagnostics only."""
    from forcecheck import api
    from forcecheck.diagnostics import InputError, render_all
    from forcecheck.policy.load import load_policy
    from forcecheck.scenario.lints import foreign_sources, partial_omissions, unread_statements
    from forcecheck.scenario.load import load_scenario

    problems = []
    try:
        compiled = load_policy(policy)
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    warnings = list(compiled.policy.warnings)
    from forcecheck.files import walk

    try:
        files = [p for given in paths for p in ([given] if str(given) == "-" else
                                                walk([given], (".yaml", ".yml", ".rules")))]
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    for f in files:
        try:
            if f.suffix == ".rules":
                warnings += load_policy(f).policy.warnings
            else:
                sc = load_scenario(f, compiled, text=read_stdin() if str(f) == "-" else None)
                warnings += unread_statements(sc, compiled.policy) + foreign_sources(sc)
                warnings += partial_omissions(sc)
                warnings += api.check(sc, compiled).warnings()
        except InputError as exc:
            problems += exc.diagnostics
    if format == "json":
        from forcecheck.diagnostics import as_json

        sys.stdout.write(as_json([*problems, *warnings], len(files)))
        raise typer.Exit(EXIT_INPUT if problems else EXIT_OK)
    if format in CI_FORMATS:
        from forcecheck.report.ci import from_diagnostics
        from forcecheck.report.render import render

        write(render(from_diagnostics([*problems, *warnings], [str(f) for f in files]), format), None)
        raise typer.Exit(EXIT_INPUT if problems else EXIT_OK)
    if format != "text":
        from forcecheck.diagnostics import Diagnostic, did_you_mean

        known = ["text", "json", *CI_FORMATS]
        raise fail([Diagnostic(None, "U001", f"no format '{format}' for validate",
                               did_you_mean(format, known) or ", ".join(known))])
    if warnings:
        typer.echo(render_all(warnings), err=True)
    if problems:
        raise fail(problems)
    typer.echo(f"ok: {len(files)} file(s) valid", err=True)

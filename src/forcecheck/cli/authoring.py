"""The commands that read the policy or write scenario files: clauses, show, vocabulary,
policies, schema, explain, new and fmt."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from forcecheck.cli.common import (
    EXIT_INPUT,
    PagerOption,
    PolicyOption,
    compiled_or_exit,
    fail,
    load_problems,
    policy_or_exit,
    show_text,
    write,
)


def clauses(policy: PolicyOption = None, pager: PagerOption = True) -> None:
    """List the policy's clauses with their citations and provenance."""
    from forcecheck.report.policy import render_clauses

    show_text(render_clauses(policy_or_exit(policy)), pager)



def show(name: Annotated[str, typer.Argument(metavar="NAME", help="A clause, definition, fact, action, "
                                             "role or open question of the policy.")],
         policy: PolicyOption = None, pager: PagerOption = True,
         compiled_source: Annotated[bool, typer.Option(
             "--compiled", help="Print the Python source the clause is compiled to (what the "
             "exact-verdict search runs).")] = False) -> None:
    """Show one clause (quotes, citations, provenance, reading, rule), or one definition,
    fact, action, role or open question of the policy."""
    from forcecheck.diagnostics import Diagnostic, InputError, did_you_mean
    from forcecheck.policy.load import load_policy
    from forcecheck.report.policy import render_clause, render_name

    try:
        compiled = load_policy(policy)
        p = compiled.policy
        c = p.clause(name)
        if compiled_source:
            text = _compiled_source(compiled, name) if c is not None else None
        else:
            text = render_clause(c) if c is not None else render_name(p, name)
        if text is None and compiled_source and c is None:
            raise InputError([Diagnostic(None, "U001", f"'{name}' is not a clause of the policy: only "
                                         "clauses are compiled to source",
                                         did_you_mean(name, [x.id for x in p.clauses])
                                         or "see `forcecheck clauses`")])
        if text is None:
            known = [*(x.id for x in p.clauses), *p.definitions, *(f.name for f in p.facts.values()),
                     *p.actions, *p.roles, *p.unsettled]
            raise InputError([Diagnostic(None, "U001", f"'{name}' is not a clause, definition, fact, "
                                         "action, role or open question of the policy",
                                         did_you_mean(name, known) or "see `forcecheck clauses` and "
                                         "`forcecheck vocabulary`")])
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    show_text(text, pager)



def _compiled_source(compiled, name: str) -> str:
    from forcecheck.policy.codegen import clause_source, generated

    text = clause_source(compiled, name)
    if text is None:
        why = generated(compiled).skipped.get(name, "")
        return f"# clause {name!r} keeps its closures: {why}\n"
    return text


def vocabulary(policy: PolicyOption = None, pager: PagerOption = True) -> None:
    """What a scenario can state: roles, actions, and the facts about the incident, events and
    people, each with its question and the clauses that read it; and the policy's open questions."""
    from forcecheck.report.policy import render_vocabulary

    show_text(render_vocabulary(policy_or_exit(policy)), pager)



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
    from forcecheck.authoring.new import drafted, from_template, render, schema_path, templates
    from forcecheck.diagnostics import Diagnostic, InputError, render_all

    if template == "list":
        sys.stdout.write("".join(f"{t}\n" for t in templates()))
        return
    if path.exists() and not force:
        raise fail([Diagnostic(None, "U003", f"'{path}' exists; nothing written",
                               "give another path, or --force to overwrite it")])
    compiled = compiled_or_exit(None)
    try:
        if template is not None:
            text = from_template(template, path)
        else:
            draft = drafted(path, lambda *a, **k: typer.prompt(*a, **k, err=True), title, kind, summary,
                            person, event, account, source)
            text = render(draft, schema_path(path))
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    problems = load_problems(compiled, path, text)
    if problems:
        typer.echo(f"new: nothing written; the file would not load:\n{render_all(problems)}", err=True)
        raise typer.Exit(EXIT_INPUT)
    write(text, path)
    typer.echo(f"new: wrote {path}; next: forcecheck vocabulary, then forcecheck check {path}", err=True)



def fmt(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", show_default=False, readable=False,
                                                help="Scenario files or folders; '-' formats "
                                                "standard input to standard output.")],
    check_only: Annotated[bool, typer.Option("--check", help="Change nothing: show a diff of what "
                          "would change and exit 1 if anything would (for CI).")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Also write old fact names (renamed since the "
                   "file was written; see CHANGELOG.md) as their new ones.")] = False,
) -> None:
    """Write scenario files in the canonical layout (key order, indentation; comments, quoting
    and flow style kept), like `opa fmt`; with --fix, old fact names as their new ones. A file
    that does not load gets the diagnostics `validate` gives and the others go on (exit 2 at
    the end)."""
    import difflib

    from forcecheck.authoring.fmt import format_file
    from forcecheck.diagnostics import InputError, display_path, render_all
    from forcecheck.files import read_text, walk, write_text
    from forcecheck.scenario.yamlsource import MAX_BYTES

    if [str(p) for p in paths] == ["-"]:
        _fmt_stdin(check_only)
        return
    changed = 0
    problems = []
    files = walk(paths, (".yaml", ".yml"))
    while True:
        try:
            path = next(files, None)
            if path is None:
                break
            old = read_text(path, MAX_BYTES, "S000", "scenario file")
            new = format_file(path, old, fix) if fix else format_file(path, old)
            if new == old:
                continue
            name = display_path(str(path))
            if fix:
                from forcecheck.authoring.fmt import fixes
                from forcecheck.scenario.yamlsource import load_yaml

                for was, now in fixes(load_yaml(path, old).data):
                    typer.echo(f"{name}: {was} -> {now}", err=True)
            if check_only:
                sys.stdout.write("".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                              name, name)))
            else:
                write_text(path, new, unchanged=old)
                typer.echo(f"formatted {name}", err=True)
            changed += 1
        except InputError as exc:  # this file (or the walk's end): said, and the others go on
            problems += exc.diagnostics
    if problems:
        typer.echo(render_all(problems), err=True)
    if check_only and changed:
        typer.echo(f"fmt: {changed} file(s) would be reformatted", err=True)
    if problems:
        raise typer.Exit(EXIT_INPUT)
    if check_only and changed:
        raise typer.Exit(1)



def _fmt_stdin(check_only: bool) -> None:
    """`fmt -`: standard input formatted to standard output, as an editor's format-on-save
    wants (`ruff format -`); with --check, the diff and exit 1 if it would change. Bad YAML gets
    the diagnostics `validate -` gives, and exit 2, with nothing on stdout."""
    import difflib

    from forcecheck.authoring.fmt import format_file
    from forcecheck.cli.common import read_stdin
    from forcecheck.diagnostics import InputError

    try:
        old = read_stdin()
        new = format_file("<stdin>", old)
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    if not check_only:
        write(new, None)
        return
    if new != old:
        write("".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "<stdin>", "<stdin>")),
              None)
        raise typer.Exit(1)


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

        raise fail([Diagnostic(None, "U001", f"no diagnostic code '{code}'",
                                did_you_mean(code.upper(), CODES) or "`forcecheck explain` lists them")])
    import textwrap

    sys.stdout.write("\n".join(textwrap.fill(p, 80) if p else p for p in text.split("\n")))



def schema(policy: PolicyOption = None) -> None:
    """Print the JSON Schema of scenario files for the policy: roles, actions and facts with
    their questions, for an editor (yaml-language-server) to complete and check them."""
    import json

    from forcecheck.scenario.editor_schema import scenario_schema

    sys.stdout.write(json.dumps(scenario_schema(policy_or_exit(policy)), indent=2, ensure_ascii=False) + "\n")



def policies() -> None:
    """The shipped policies: name (for --policy), document, version, what kind of text each quote
    comes from, and the shared vocabulary they use."""
    from forcecheck.diagnostics import InputError
    from forcecheck.policy.load import load_policy, shipped_policies
    from forcecheck.report.policy import render_policies

    try:
        shipped = [(name, load_policy(path).policy) for name, path in shipped_policies()]
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    write(render_policies(shipped), None)

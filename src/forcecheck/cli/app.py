"""The command line: parse arguments, call the library, render, choose the exit code.

This module is the registry: the typer application and which function answers each command.
The commands live by group beside it (`check`, `testing`, `corpus`, `authoring`; what they
share in `common`), each a thin client of `forcecheck.api` and the stages below it.

Exit codes: 0 nothing breached; 1 a `must` / `must not` clause breached under some account;
2 bad input or usage; 3 an internal error (a bug in forcecheck). Results go to stdout,
diagnostics to stderr. Heavy modules are imported inside the commands that need them.

Typer reads the signature of every command on every run (any command, and --help), so the
command modules keep their annotations as objects: no `from __future__ import annotations`,
which would have typer evaluate some 380 annotation strings each time (9 ms of every start).
"""

import os
import sys
from typing import Annotated

import typer

from forcecheck.cli import authoring, check, config, corpus, testing
from forcecheck.cli.common import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, ONE_INPUT, collect_garbage

app = typer.Typer(
    name="forcecheck",
    help="Check use-of-force incident accounts against the text of a use-of-force policy.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
    pretty_exceptions_enable=False,
    epilog="Exit status: 0 fine; 1 a must clause breached (check) or an expectation not met (test); "
    "2 bad input or usage; 3 a bug in forcecheck. `forcecheck COMMAND --help` for each command's "
    "options and examples.",
)



def _version(value: bool) -> None:
    if value:
        from forcecheck import __version__

        typer.echo(f"forcecheck {__version__}")
        raise typer.Exit(EXIT_OK)



@app.callback()
def _root(ctx: typer.Context,
          version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """Check use-of-force incident accounts against the text of a use-of-force policy."""
    if ctx.invoked_subcommand not in ONE_INPUT:
        collect_garbage()
    # [tool.forcecheck] gives the commands' defaults; a flag on the command line still wins.
    from forcecheck.cli.common import fail
    from forcecheck.diagnostics import InputError

    try:
        settings = config.load()
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    if settings.values:
        ctx.default_map = {**settings.default_map(), **(ctx.default_map or {})}



# Each command: its group in `forcecheck --help`, a one-line summary there, and examples and exit
# codes at the end of its own --help. ("\b" keeps click from joining the lines.)
CHECKING, WRITING, DATABASES, REFERENCE = ("Checking", "Writing scenarios", "Databases", "Reference")
EXITS = {
    "check": "0 no must clause breached under any account; 1 one is; 2 bad input or usage; 3 a bug",
    "test": "0 every expectation met; 1 one is not (or, with --strict, a file checks nothing); 2 a file "
            "does not load",
    "validate": "0 no errors (warnings allowed); 2 errors",
    "fmt": "0 done (or nothing to change); 1 with --check, a file would change; 2 a file does not load",
    "corpus": "0 the report; 2 bad input (lines that are not records, unknown fields)",
}
COMMANDS = [
    (check.check, "check", CHECKING, "Check scenarios against a policy: the answer per account, then why.",
     ["forcecheck check scenarios/real/minneapolis-2026-01-07.yaml",
      "forcecheck check scenarios/ --jobs 0 --format json > records.jsonl",
      "forcecheck check incident.yaml --format sarif > forcecheck.sarif"]),
    (testing.test, "test", CHECKING, "Run the expectations written in scenario files.",
     ["forcecheck test scenarios/", "forcecheck test scenarios/ --format junit > junit.xml"]),
    (testing.validate, "validate", CHECKING, "Check scenario and policy files without evaluating them.",
     ["forcecheck validate scenarios/", "forcecheck validate - < incident.yaml",
      "forcecheck validate scenarios/ --format github"]),
    (authoring.new, "new", WRITING, "Write a new scenario file (prompts, flags or a template).",
     ["forcecheck new incident.yaml --template knife-advancing"]),
    (authoring.fmt, "fmt", WRITING, "Write scenario files in the canonical layout.",
     ["forcecheck fmt scenarios/", "forcecheck fmt --check scenarios/", "forcecheck fmt - < incident.yaml"]),
    (authoring.vocabulary, "vocabulary", WRITING, "What a scenario can state: roles, actions, facts.",
     ["forcecheck vocabulary --policy doj"]),
    (authoring.schema, "schema", WRITING, "The JSON Schema of scenario files, for an editor.",
     ["forcecheck schema > scenario.schema.json"]),
    (corpus.import_, "import", DATABASES, "Turn an incident database into scenario files.",
     ["forcecheck import data.csv --mapping wapo-2015 --output corpus/"]),
    (corpus.corpus, "corpus", DATABASES, "What the clauses say across a batch's records.",
     ["forcecheck corpus records.jsonl --where state=MN"]),
    (corpus.casebook, "casebook", DATABASES, "Real incidents side by side, a row per account.",
     ["forcecheck casebook scenarios/real --format markdown"]),
    (authoring.clauses, "clauses", REFERENCE, "List the policy's clauses with citations and provenance.",
     ["forcecheck clauses --policy doj"]),
    (authoring.show, "show", REFERENCE, "Show one clause, definition, fact, action, role or question.",
     ["forcecheck show deadly-force-imminent-threat"]),
    (authoring.policies, "policies", REFERENCE, "The shipped policies and where their quotes come from.",
     ["forcecheck policies"]),
    (authoring.explain, "explain", REFERENCE, "What a diagnostic code means and what to do about it.",
     ["forcecheck explain S015"]),
    (config.config, "config", REFERENCE, "The settings in force, and the configuration file they come from.",
     ["forcecheck config"]),
]
for function, name, panel, summary, examples in COMMANDS:
    lines = ["Examples:", *(f"  {e}" for e in examples)]
    if name in EXITS:
        lines += ["", f"Exit status: {EXITS[name]}."]
    lines += ["", "Docs: README.md, docs/ (docs/ci.md for CI)."]
    app.command(name, rich_help_panel=panel, short_help=summary,
                epilog="\b\n" + "\n".join(lines))(function)


def _people_types() -> None:
    """--help shows what to type (FILE, N, text|markdown), never a Python type (<list[Path]>,
    <bool>): the value column of an option comes from its metavar, or from its type in words;
    a flag has none; an argument's name already says it."""
    from typer import core

    words = {"int": "N", "float": "NUMBER", "Path": "FILE", "path": "FILE", "str": "TEXT",
             "list[str]": "TEXT", "list[Path]": "FILE", "int range": "N"}

    def option_type(self, ctx):
        if self.metavar is not None:
            return self.metavar
        if self.is_flag or self.is_bool_flag:
            return None
        shown = (self.display_type(ctx) or "").strip("<>")
        if "|" in shown:
            return shown.removeprefix("list[").removesuffix("]")
        return words.get(shown, shown.upper() or None)

    core.TyperOption.display_type_rich = option_type  # type: ignore[method-assign]
    core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]


_people_types()


def main() -> None:
    """Entry point: no Python traceback ever reaches the user."""
    try:  # typer bundles click from 0.25 on; before, click is its own package
        from typer._click.exceptions import NoArgsIsHelpError, UsageError
    except ImportError:
        from click.exceptions import NoArgsIsHelpError, UsageError

    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as exc:  # `forcecheck` alone: the help, as before
        typer.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        sys.exit(EXIT_INPUT)
    except UsageError as exc:  # a usage error in the tool's own format, not a framed box
        message = exc.format_message().replace("Value error, ", "")
        where = exc.ctx.command_path.replace("python -m ", "") if exc.ctx else "forcecheck"
        sys.stderr.write(f"error[U001]: {message}\n  = hint: see `{where} --help`\n")
        sys.exit(EXIT_INPUT)
    except typer.Abort:
        sys.stderr.write("forcecheck: aborted\n")
        sys.exit(1)
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
    sys.exit(code if isinstance(code, int) else EXIT_OK)


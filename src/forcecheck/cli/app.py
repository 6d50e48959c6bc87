"""The command line: parse arguments, call the library, render, choose the exit code.

This module is the registry: the typer application and which function answers each command.
The commands live by group beside it (`check`, `testing`, `corpus`, `authoring`; what they
share in `common`), each a thin client of `forcecheck.api` and the stages below it.

Exit codes: 0 nothing breached; 1 a `must` / `must not` clause breached under some account;
2 bad input or usage; 3 an internal error (a bug in forcecheck). Results go to stdout,
diagnostics to stderr. Heavy modules are imported inside the commands that need them.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from forcecheck.cli import authoring, check, corpus, testing
from forcecheck.cli.common import EXIT_INTERNAL, EXIT_OK

app = typer.Typer(
    name="forcecheck",
    help="Check use-of-force incident accounts against the text of a use-of-force policy.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
    pretty_exceptions_enable=False,
)



def _version(value: bool) -> None:
    if value:
        from forcecheck import __version__

        typer.echo(f"forcecheck {__version__}")
        raise typer.Exit(EXIT_OK)



@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """Check use-of-force incident accounts against the text of a use-of-force policy."""



app.command()(check.check)
app.command()(testing.test)
app.command()(testing.validate)
app.command()(corpus.corpus)
for command in (authoring.clauses, authoring.show, authoring.vocabulary, authoring.new, authoring.fmt,
                authoring.explain, authoring.schema, authoring.policies):
    app.command()(command)
app.command("import")(corpus.import_)
app.command()(corpus.casebook)


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


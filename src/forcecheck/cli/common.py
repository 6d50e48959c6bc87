"""What every command shares: exit codes, option types, writing and paging output, reading
standard input, and turning diagnostics into exit 2."""

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from forcecheck.report.render import RENDERERS

EXIT_OK, EXIT_BREACHED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3



# The formats are the renderer registry's (report/render.py): a new format is a renderer module
# and a registry entry, and the command line offers it.
Format = StrEnum("Format", {f: f for f in dict.fromkeys(fmt for _, fmt in RENDERERS)})



class Explain(StrEnum):
    summary = "summary"
    short = "short"
    full = "full"



class Colour(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"



def clause_ids(incomplete: str) -> list[str]:
    """Shell completion for --clause: the shipped policy's clause ids."""
    try:
        from forcecheck.policy.load import load_policy

        return [c.id for c in load_policy(None).policy.clauses if c.id.startswith(incomplete)]
    except Exception:  # completion must never fail loudly
        return []



def assumable(incomplete: str) -> list[str]:
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
    str | None,  # as typed: `./dhs` (a folder) and `dhs` (the shipped policy) must stay apart
    typer.Option("--policy", "-p", metavar="POLICY",
                 help="A shipped policy by name (dhs, doj, cfr-287-8: see `forcecheck policies`), "
                 "or a policy file or directory written as a path (./dhs, policies/x, x.rules) "
                 "(default: dhs)."),
]



# The commands that read one input and write one answer: they keep the garbage collector off.
ONE_INPUT = frozenset({"check", "clauses", "show", "policies", "explain", "config", "vocabulary", "schema",
                       "new"})


def collect_garbage() -> None:
    """Turn the garbage collector back on, if the command line started with it off.

    While the modules load and one scenario is checked, the collector frees next to nothing
    (about 500 objects: what a check makes lives until its report is written) but scans
    everything loaded again and again: 20-30 ms of a teaching case's 300 ms of CPU, 13% of a
    100-shot scenario's. Off, a check of a shipped scenario peaks at the same memory, and the
    scaling cases at most a few MB higher (6 MB at 20 exchanges of fire). So a command reading
    one input keeps it off to the end; one that works through many (a batch, `test`,
    `validate`, `fmt`, `import`, `corpus`, `casebook`) turns it back on here before it starts,
    with everything start-up made frozen (`gc.freeze`), never scanned again."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()



def fail(diagnostics) -> typer.Exit:
    from forcecheck.diagnostics import render_all

    typer.echo(render_all(diagnostics), err=True)
    return typer.Exit(EXIT_INPUT)



def warn(diagnostics: list) -> None:
    """Warnings on stderr, if there are any."""
    if diagnostics:
        from forcecheck.diagnostics import render_all

        typer.echo(render_all(diagnostics), err=True)


# What a terminal without Unicode is shown instead of the characters reports use.
ASCII_FALLBACK = str.maketrans({"§": "S.", "·": "-", "—": "--", "–": "-", "“": '"', "”": '"', "‘": "'",
                                "’": "'", "…": "...", "─": "-", "×": "x", "†": "+", "•": "*", "\u00a0": " "})


PagerOption = Annotated[bool, typer.Option("--pager/--no-pager",
                                           help="Page long output on a terminal (less -R, or $PAGER).")]


def show_text(text: str, pager: bool = True, output: Path | None = None) -> None:
    """Text for people: through the pager when stdout is a terminal and the text is taller than
    the screen (as `check` does), else written as it is."""
    page(text, output, pager and output is None and sys.stdout.isatty())


def write(text: str, output: Path | None) -> None:
    """Write to stdout, or to a file as `files.write_text` does (atomically for a file)."""
    if output is None:
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:  # a terminal that cannot show '§': the nearest ASCII, else an escape
            sys.stdout.flush()
            encoding = sys.stdout.encoding or "ascii"
            plain = text.translate(ASCII_FALLBACK)
            sys.stdout.buffer.write(plain.encode(encoding, errors="backslashreplace"))
        return
    from forcecheck.diagnostics import InputError
    from forcecheck.files import write_text

    try:
        write_text(output, text)
    except InputError as exc:
        raise fail(exc.diagnostics) from None



def scenario_paths(given: list[Path]) -> list[str]:
    """Files as given, folders walked (as `test` and `validate` do), '-' for standard input.
    Names, not Path objects: a batch of 20,000 files holds this list for the whole run."""
    from forcecheck.files import walk

    out: list[str] = []
    for p in given:
        out += ["-"] if str(p) == "-" else [str(f) for f in walk([p], (".yaml", ".yml"))]
    return out



def read_stdin() -> str:
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
    from forcecheck.report.render import wants_colour as decide

    return decide(choice, tty)



def unicode_stdout() -> bool:
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace("-", "")
    return encoding.startswith("utf")



def terminal_width() -> int:
    import shutil

    return max(40, shutil.get_terminal_size((100, 24)).columns)



def size_options(width: int | None) -> dict:
    return {} if width is None else {"width": width}



def page(text: str, output: Path | None, page: bool) -> None:
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
    write(text, output)



def load_problems(compiled, path: Path, text: str) -> list:
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



def policy_or_exit(path: str | None):
    """The checked policy (not compiled: listing it needs no more), or its diagnostics and exit 2."""
    from forcecheck.diagnostics import InputError
    from forcecheck.policy.load import load_checked

    try:
        return load_checked(path)
    except InputError as exc:
        raise fail(exc.diagnostics) from None



def compiled_or_exit(path: str | None):
    """The compiled policy, or its diagnostics and exit 2."""
    from forcecheck.diagnostics import InputError
    from forcecheck.policy.load import load_policy

    try:
        return load_policy(path)
    except InputError as exc:
        raise fail(exc.diagnostics) from None

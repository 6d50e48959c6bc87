"""Settings from `[tool.forcecheck]` in pyproject.toml, found as ruff finds its own: from the
current folder upwards, the first folder with `.forcecheck.toml`, `forcecheck.toml` (the whole
file is the settings) or a pyproject.toml that has a `[tool.forcecheck]` table (one without it
is passed over). Flags given on the command line override them; `forcecheck config` shows them.

    [tool.forcecheck]
    policy = "dhs"            # --policy for check, test, validate, clauses, show, vocabulary, schema
    jobs = 2                  # check --jobs
    explain = "short"         # check --explain
    paths = ["scenarios"]     # what check, test, validate and fmt read when given no path

Relative paths are read from the folder of the file that sets them. FORCECHECK_NO_CONFIG=1
ignores every configuration file.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import typer

NAMES = (".forcecheck.toml", "forcecheck.toml", "pyproject.toml")
KEYS = {"policy": "a shipped policy's name or a path (default: dhs)",
        "jobs": "processes for a batch (check --jobs; 0: one per core)",
        "explain": "summary, short or full (check --explain)",
        "paths": "scenario files or folders read when none is given (default: scenarios for test)"}
POLICY_COMMANDS = ("test", "validate", "clauses", "show", "vocabulary", "schema", "corpus", "import")


@dataclass
class Settings:
    path: Path | None = None
    values: dict = field(default_factory=dict)

    def default_map(self) -> dict:
        """click's default_map: per command, the parameters these settings give defaults to."""
        v = self.values
        out: dict[str, dict] = {}
        if "policy" in v:
            out.setdefault("check", {})["policy"] = [v["policy"]]
            for name in POLICY_COMMANDS:
                out.setdefault(name, {})["policy"] = v["policy"]
        if "jobs" in v:
            out.setdefault("check", {})["jobs"] = v["jobs"]
        if "explain" in v:
            out.setdefault("check", {})["explain"] = v["explain"]
        if "paths" in v:
            out.setdefault("check", {})["scenarios"] = v["paths"]
            for name in ("test", "validate", "fmt"):
                out.setdefault(name, {})["paths"] = v["paths"]
        return out


def find(start: Path) -> tuple[Path, dict] | None:
    """The first configuration from `start` upwards, as (file, its forcecheck table)."""
    import tomllib

    from forcecheck.diagnostics import Diagnostic, InputError, Span

    for folder in [start, *start.parents]:
        for name in NAMES:
            path = folder / name
            if not path.is_file():
                continue
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
                raise InputError([Diagnostic(Span(str(path), 1, 1), "U013",
                                             f"configuration file is not valid TOML: {exc}",
                                             "fix the file, or set FORCECHECK_NO_CONFIG=1 to ignore "
                                             "it")]) from None
            if name == "pyproject.toml":
                table = data.get("tool", {}).get("forcecheck")
                if table is None:
                    continue
                return path, table
            return path, data
    return None


def load(start: Path | None = None) -> Settings:
    """The settings in force, checked: unknown keys and wrong types are errors (U013)."""
    from forcecheck.diagnostics import Diagnostic, InputError, Span, did_you_mean

    if os.environ.get("FORCECHECK_NO_CONFIG"):
        return Settings()
    found = find((start or Path.cwd()).resolve())
    if found is None:
        return Settings()
    path, table = found
    where = Span(str(path), 1, 1)
    problems = []
    values: dict = {}
    if not isinstance(table, dict):
        raise InputError([Diagnostic(where, "U013", "[tool.forcecheck] must be a table of settings")])
    for key, value in table.items():
        if key not in KEYS:
            problems.append(Diagnostic(where, "U013", f"unknown setting '{key}' in {path.name}",
                                       did_you_mean(key, list(KEYS)) or f"settings: {', '.join(KEYS)}"))
        elif key == "jobs" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            problems.append(Diagnostic(where, "U013", f"'jobs' is a whole number of processes, not "
                                       f"{value!r}"))
        elif key == "explain" and value not in ("summary", "short", "full"):
            problems.append(Diagnostic(where, "U013", f"'explain' is summary, short or full, not {value!r}"))
        elif key == "policy" and not isinstance(value, str):
            problems.append(Diagnostic(where, "U013", f"'policy' is a name or a path, not {value!r}"))
        elif key == "paths" and not (isinstance(value, list) and all(isinstance(x, str) for x in value)):
            problems.append(Diagnostic(where, "U013", "'paths' is a list of files or folders, e.g. "
                                       "[\"scenarios\"]"))
        else:
            values[key] = value
    if problems:
        raise InputError(problems)
    base = path.parent
    if "paths" in values:
        values["paths"] = [_relative(base / p) for p in values["paths"]]
    if "policy" in values and ("/" in values["policy"] or values["policy"].endswith(".rules")):
        values["policy"] = _relative(base / values["policy"])  # a path, not a shipped name
    return Settings(path, values)


def _relative(p: Path) -> str:
    """A path as the commands print it: relative to the current folder."""
    try:
        return os.path.relpath(p.resolve(), Path.cwd().resolve())
    except ValueError:  # another drive
        return str(p.resolve())


def config() -> None:
    """Show the settings in force: the configuration file found (from the current folder
    upwards) and each setting, from the file or the default. Flags override them."""
    from forcecheck.cli.common import fail
    from forcecheck.diagnostics import InputError

    try:
        settings = load()
    except InputError as exc:
        raise fail(exc.diagnostics) from None
    if settings.path is None:
        lines = ["No configuration found (looked for .forcecheck.toml, forcecheck.toml, and "
                 "[tool.forcecheck] in pyproject.toml, from here upwards)."]
    else:
        lines = [f"Configuration: {settings.path}"]
    for key, what in KEYS.items():
        if key in settings.values:
            lines.append(f"  {key} = {settings.values[key]!r}")
        else:
            lines.append(f"  {key}: not set ({what})")
    typer.echo("\n".join(lines))

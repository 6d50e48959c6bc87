"""Writing an import: one file per record in a folder, or one JSON line per record in a file.

Every file is written to a temporary file beside it and renamed into place, so it is complete
or absent, and no temporary file is left behind, even on SIGTERM. A `.jsonl` output streams:
each line is written as its record comes and nothing is kept, and the file is renamed into
place at the end. Nothing is ever written *through* a symbolic link: a link (or a device, a
FIFO) found where a record's file goes is left alone and reported for that record, so a folder
someone else prepared cannot make an import overwrite a file elsewhere. The folder named by
`--output` is the user's own choice, and may itself be a link.

How much is said is bounded too (`Shown`): the first `MAX_SHOWN` diagnostics, then a count of
the rest by code, so a database of a million bad rows gives a screenful, not a gigabyte.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from forcecheck.diagnostics import Diagnostic, InputError
from forcecheck.importing.mapping import Mapping
from forcecheck.importing.records import ImportResult

MAX_SHOWN = 100  # diagnostics shown per import; the rest are counted


@dataclass
class Shown:
    """The diagnostics of records not imported: the first `limit` to show, the rest counted."""

    limit: int = MAX_SHOWN
    shown: int = 0
    records: int = 0  # records not imported
    hidden: Counter = field(default_factory=Counter)  # code -> diagnostics not shown

    def add(self, result: ImportResult) -> list[Diagnostic]:
        """Count a record that was not imported; its diagnostics that are still to be shown."""
        self.records += 1
        room = max(0, self.limit - self.shown)
        show, rest = result.diagnostics[:room], result.diagnostics[room:]
        self.shown += len(show)
        self.hidden.update(d.code for d in rest)
        return show

    def rest(self) -> str | None:
        if not self.hidden:
            return None
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(self.hidden.items()))
        return (f"... and {self.hidden.total()} more diagnostic(s) not shown ({codes}); the first "
                f"{self.limit} are above")


def file_name(mapping: Mapping, name: str) -> str:
    return f"{mapping.model.mapping}-{name}.yaml"


def write_import(mapping: Mapping, results: Iterable[ImportResult], output: Path,
                 failed: Callable[[ImportResult], None]) -> int:
    """Write each imported scenario: one file per record in the folder `output`, or one JSON
    line per record when `output` ends in `.jsonl`. `failed` is told of each record that was
    not imported; the number imported (written) is returned."""
    with _removed_on_sigterm():
        if output.suffix == ".jsonl":
            return _write_lines(results, output, failed)
        return _write_files(mapping, results, output, failed)


def _cannot(path: Path, why: str, hint: str | None = "check that the folder exists and is writable") \
        -> InputError:
    return InputError([Diagnostic(None, "U003", f"cannot write '{path}': {why}", hint)])


def _existing(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _cannot(path, exc.strerror or str(exc)) from None


def _not_replaceable(info: os.stat_result | None) -> str | None:
    """Why an existing entry is not one the import replaces (None: absent, or a regular file)."""
    if info is None or stat.S_ISREG(info.st_mode):
        return None
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link, which import neither writes through nor replaces"
    if stat.S_ISDIR(info.st_mode):
        return "it is a folder"
    return "it is not a regular file (a device, a FIFO or a socket)"


def _new_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def _temporary(target: Path, mode: int, lines: bool = False) -> Iterator[IO[str]]:
    """A new file beside `target` (never an existing one, never a link), renamed onto `target`
    when the block ends without an error, removed otherwise; with `lines`, each line reaches
    the file as it is written."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise _cannot(target, exc.strerror or str(exc)) from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n", buffering=1 if lines else -1) as fh:
            yield fh
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _cannot(target, exc.strerror or str(exc)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_lines(results: Iterable[ImportResult], output: Path,
                 failed: Callable[[ImportResult], None]) -> int:
    info = _existing(output)
    why = _not_replaceable(info)
    if why:
        raise _cannot(output, why, "give the path of a new or regular .jsonl file")
    imported = 0
    with _temporary(output, stat.S_IMODE(info.st_mode) if info else _new_mode(), lines=True) as fh:
        for result in results:
            if result.text is None:
                failed(result)
                continue
            fh.write(result.text + "\n")
            imported += 1
    return imported


def _write_files(mapping: Mapping, results: Iterable[ImportResult], output: Path,
                 failed: Callable[[ImportResult], None]) -> int:
    if output.exists() and not output.is_dir():
        raise InputError([Diagnostic(None, "U003", f"--output '{output}' is not a folder",
                                     "give a folder for the scenario files, or a .jsonl file")])
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError([Diagnostic(None, "U003", f"cannot make the folder '{output}': "
                                     f"{exc.strerror}", "give a folder you can write to")]) from None
    mode = _new_mode()
    imported = 0
    for result in results:
        if result.text is None:
            failed(result)
            continue
        target = output / file_name(mapping, result.name or "")
        info = _existing(target)
        why = _not_replaceable(info)
        if why:
            failed(ImportResult(result.line, result.record_id, None, [Diagnostic(
                result.span, "U003", f"record {result.record_id} not written to '{target}': {why}",
                "remove it, or import to a folder of your own")]))
            continue
        with _temporary(target, stat.S_IMODE(info.st_mode) if info else mode) as fh:
            fh.write(result.text)
        imported += 1
    return imported


@contextlib.contextmanager
def _removed_on_sigterm() -> Iterator[None]:
    """SIGTERM ends the import as an exception would, so the temporary file is removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupted(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

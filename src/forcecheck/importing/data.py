"""Reading a database's rows within bounds: a bad row is a located problem, never a crash.

The file is opened as `files` opens what it reads (no FIFO can block, only a regular file of at
most `MAX_DATA_BYTES`), then read a line at a time with `readline(limit + 1)`, so one line is
at most `MAX_LINE_BYTES` in memory, and the rows are yielded as they are read: an import holds
one row at a time, however long the file. Whatever one row holds (a line too long, bytes that
are not UTF-8, JSON nested too deep, a number too long to convert, a lone surrogate that no
file can hold, a key or a column named twice), it is that row's problem, reported at its line,
and the rows after it are read. Only what makes every row unreadable (a header naming a
column twice, no header) stops the import, before anything is written.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from forcecheck.diagnostics import Diagnostic, InputError, Span

MAX_DATA_BYTES = 200_000_000
MAX_LINE_BYTES = 1_000_000  # one line of the file; a scenario is at most 1 MB too
MAX_JSON_DEPTH = 32  # as in a scenario file (Y004); a record is one flat object
MAX_NUMBER_CHARS = 100  # a JSON number's digits: Python refuses to convert beyond 4,300

Row = tuple[int, dict[str, str] | None, str | None]  # (line, row, problem)


class BadLine(Exception):
    """A line that cannot be a row; raised by `Lines` once it has skipped the line."""

    def __init__(self, line: int, problem: str):
        super().__init__(problem)
        self.line, self.problem = line, problem


class Lines:
    """The file's lines, decoded, each at most `MAX_LINE_BYTES`; `number` is the line last read.
    A line that is too long or not UTF-8 raises `BadLine`, and reading goes on after it."""

    def __init__(self, handle: BinaryIO, path: Path):
        self.handle, self.path, self.number, self.read = handle, path, 0, 0

    def __iter__(self) -> Lines:
        return self

    def __next__(self) -> str:
        raw = self.handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            raise StopIteration
        self.number += 1
        self._count(len(raw))
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := self.handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                self._count(len(rest))
            self._count(len(rest))
            raise BadLine(self.number, f"the line is longer than {MAX_LINE_BYTES} bytes")
        if self.number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadLine(self.number, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column "
                          f"{len(raw[:exc.start].decode('utf-8', 'replace')) + 1})") from None

    def _count(self, n: int) -> None:
        self.read += n
        if self.read > MAX_DATA_BYTES:  # it grew while being read
            raise InputError([Diagnostic(Span(str(self.path), self.number, 1), "M010",
                                         f"data file is larger than {MAX_DATA_BYTES} bytes")])


def open_data(path: Path) -> BinaryIO:
    """The data file, opened for reading: a regular file within the limit, or M010."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)

    def refuse(why: str, hint: str | None = None) -> InputError:
        return InputError([Diagnostic(None, "M010", why, hint)])

    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise refuse(f"data file '{path}' does not exist", "check the path") from None
    except OSError as exc:
        raise refuse(f"cannot read data file '{path}': {exc.strerror}") from None
    info = os.fstat(fd)
    problem = ("is a directory, not a data file" if stat.S_ISDIR(info.st_mode) else
               "is not a regular file (a device, a pipe or a socket)" if not stat.S_ISREG(info.st_mode) else
               f"is larger than {MAX_DATA_BYTES} bytes ({info.st_size})" if info.st_size > MAX_DATA_BYTES
               else None)
    if problem:
        os.close(fd)
        raise refuse(f"'{path}' {problem}", "give a CSV or JSON Lines file saved on disk")
    return os.fdopen(fd, "rb")


def rows(path: Path, fmt: str) -> Iterator[Row]:
    """(line, row, problem) for each record of a CSV or JSON Lines file, read as they come.
    The file is opened, and a CSV header checked, before the first row is asked for."""
    handle = open_data(path)
    lines = Lines(handle, path)
    try:
        header = _header(lines, path) if fmt == "csv" else None
    except BaseException:
        handle.close()
        raise
    return _csv_rows(handle, lines, header) if header is not None else _json_rows(handle, lines)


def _header(lines: Lines, path: Path) -> list[str]:
    try:
        header = next(csv.reader(lines))
    except (StopIteration, csv.Error, BadLine) as exc:
        why = exc.problem if isinstance(exc, BadLine) else "no header row"
        raise InputError([Diagnostic(Span(str(path), 1, 1), "M010", f"the header row cannot be read: {why}",
                                     "the first line names the columns")]) from None
    first: dict[str, int] = {}
    for i, name in enumerate(header, 1):
        if name in first:
            raise InputError([Diagnostic(Span(str(path), 1, 1), "M016", f"the header names the column "
                                         f"'{name}' twice (columns {first[name]} and {i})",
                                         "rename or remove one: each value must be read from one column")])
        first[name] = i
    return header


def _csv_rows(handle: BinaryIO, lines: Lines, header: list[str]) -> Iterator[Row]:
    with handle:
        reader = csv.reader(lines)
        while True:
            start = lines.number + 1  # a quoted field can hold newlines: a row starts here
            try:
                row = next(reader)
            except StopIteration:
                return
            except BadLine as bad:
                yield bad.line, None, bad.problem
                reader = csv.reader(lines)  # a new reader: no quote left open by the bad line
                continue
            except csv.Error as exc:  # a field past csv's size limit, a broken quote...
                yield start, None, f"not valid CSV: {exc}"
                continue
            if not row:
                continue
            if len(row) != len(header):
                yield start, None, f"{len(row)} fields where the header has {len(header)}"
                continue
            yield start, dict(zip(header, row, strict=True)), None


def _json_rows(handle: BinaryIO, lines: Lines) -> Iterator[Row]:
    with handle:
        while True:
            try:
                line = next(lines)
            except StopIteration:
                return
            except BadLine as bad:
                yield bad.line, None, bad.problem
                continue
            if line.strip():
                row, problem = json_record(line)
                yield lines.number, row, problem


class _Refused(ValueError):
    """A JSON value a record may not hold (the message says why)."""


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(f"a number written with {len(text)} characters (at most {MAX_NUMBER_CHARS})")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _constant(name: str) -> None:
    raise _Refused(f"not JSON: {name} is not a JSON value")


def _object(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"the key '{key}' appears twice in one object")
        out[key] = value
    return out


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')


def _depth(line: str) -> int:
    """How deep the brackets outside strings nest: checked before parsing, which recurses."""
    depth = deepest = 0
    for ch in re.findall(r"[\[\]{}]", _STRINGS.sub('""', line)):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def json_record(line: str) -> tuple[dict[str, str] | None, str | None]:
    """One JSON Lines record as column -> text, or why it cannot be one."""
    if line.count("[") + line.count("{") > MAX_JSON_DEPTH and _depth(line) > MAX_JSON_DEPTH:
        return None, f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
    try:
        data = json.loads(line, parse_int=_number, parse_float=_number, parse_constant=_constant,
                          object_pairs_hook=_object)
    except _Refused as exc:
        return None, str(exc)
    except json.JSONDecodeError as exc:
        return None, f"not JSON: {exc.msg} (column {exc.colno})"
    except (ValueError, RecursionError) as exc:  # not reached within the bounds above
        return None, f"not JSON: {exc}"
    if not isinstance(data, dict):
        return None, "a record must be a JSON object"
    row = {str(k): "" if v is None else str(v) for k, v in data.items()}
    for text in (*row, *row.values()):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            return None, (f"holds a lone surrogate (\\u{ord(text[exc.start]):04x}), which is not text "
                          "any file can hold")
    return row, None

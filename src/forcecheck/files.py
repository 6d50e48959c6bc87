"""Reading and finding files safely: the one way forcecheck opens what it is given.

A file is opened without blocking (a FIFO cannot hang a run), checked to be a regular file
(no device, no `/dev/zero`, no FIFO) whose size is within the limit before anything is
read, and read up to the limit only. A folder is walked without recursion and without
following links, to a bounded depth, yielding regular files only. Every problem is a
located diagnostic, never an exception from deep inside.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from forcecheck.diagnostics import Diagnostic, InputError, Span

MAX_POLICY_BYTES = 2_000_000  # a policy file
MAX_SOURCE_BYTES = 5_000_000  # a document's source text
MAX_WALK_DEPTH = 64
MAX_WALK_FILES = 100_000
# Folders a walk never enters: tools' and environments' own files are not scenarios.
SKIPPED_FOLDERS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox",
                   ".mypy_cache", ".pytest_cache", ".ruff_cache"}


def _open_regular(path: Path, code: str, what: str, follow: bool = True) -> tuple[int, os.stat_result]:
    """An open descriptor of a regular file and its status, or a diagnostic saying why not."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError([Diagnostic(None, code, f"{what} '{path}' does not exist",
                                     "check the path")]) from None
    except IsADirectoryError:
        raise InputError([Diagnostic(None, code, f"'{path}' is a directory, not a {what}")]) from None
    except OSError as exc:
        raise InputError([Diagnostic(None, code, f"cannot read {what} '{path}': {exc.strerror}")]) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError([Diagnostic(None, code, f"'{path}' is a directory, not a {what}")])
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Diagnostic(None, code, f"'{path}' is not a regular file (a device, a pipe "
                                         f"or a socket), so it is not read as a {what}",
                                         "give a file saved on disk")])
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def read_bytes(path: Path, limit: int, code: str, what: str, follow: bool = True) -> bytes:
    """At most `limit` bytes of a regular file, or a diagnostic saying why not."""
    fd, info = _open_regular(path, code, what, follow)
    try:
        if info.st_size > limit:
            raise InputError([Diagnostic(Span(str(path), 1, 1), code,
                                         f"{what} is larger than {limit} bytes ({info.st_size})")])
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:  # it grew while being read
            raise InputError([Diagnostic(Span(str(path), 1, 1), code,
                                         f"{what} is larger than {limit} bytes")])
        return data
    except OSError as exc:
        raise InputError([Diagnostic(None, code, f"cannot read {what} '{path}': {exc.strerror}")]) from None
    finally:
        os.close(fd)


def read_text(path: Path, limit: int, code: str, what: str) -> str:
    """A UTF-8 text file of at most `limit` bytes (a BOM is dropped), or a located diagnostic."""
    data = read_bytes(path, limit, code, what)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError([Diagnostic(Span(str(path), line, col), code,
                                     f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                                     "save the file as UTF-8")]) from None


def read_lines(path: Path, limit: int, code: str, what: str,
               too_long: str | None = None) -> Iterator[tuple[int, str | Diagnostic]]:
    """(number, text) for each line of a regular file (JSON Lines), the newline dropped, UTF-8
    with an undecodable byte shown as U+FFFD. A line longer than `limit` bytes is never held:
    it is (number, a located diagnostic), read past in bounded pieces, and the lines after it
    follow (its code is `too_long`, or `code`). A file that cannot be opened is a diagnostic
    (`code`) before the first line."""
    fd, _ = _open_regular(path, code, what)
    with os.fdopen(fd, "rb") as f:
        number = 0
        while True:
            try:
                line = f.readline(limit + 1)
                if len(line) > limit and not line.endswith(b"\n"):
                    number += 1
                    while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                        pass
                    yield number, Diagnostic(Span(str(path), number, 1), too_long or code,
                                             f"line {number} is longer than {limit} bytes; not read",
                                             f"each line holds one {what}, at most {limit} bytes")
                    continue
            except OSError as exc:
                raise InputError([Diagnostic(Span(str(path), number + 1, 1), code,
                                             f"cannot read {what} file '{path}': {exc.strerror}")]) from None
            if not line:
                return
            number += 1
            text = line.decode("utf-8", errors="replace").rstrip("\r\n")
            yield number, text.removeprefix("\ufeff") if number == 1 else text


def walk(roots: Iterable[Path], suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Regular files with these suffixes under `roots` (a root that is a file is yielded as
    it is), in sorted order: no recursion, no links followed, at most `MAX_WALK_DEPTH` levels
    and `MAX_WALK_FILES` entries; hidden folders, tools' folders (`.venv`, `node_modules`...)
    and what a `.gitignore` on the way ignores are skipped. A folder deeper than the limit is
    not skipped silently: once every file found is yielded, the walk ends with a diagnostic
    (U012) naming it, so the command says so and exits 2."""
    seen = 0
    deep: list[Diagnostic] = []
    for root in roots:
        if not root.is_dir():
            yield root
            continue
        stack: list[tuple[Path, int, tuple]] = [(root, 0, ())]
        found: list[str] = []
        while stack:
            folder, depth, ignores = stack.pop()
            ignores = (*ignores, *_gitignore(folder, root))
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                relative = Path(entry.path).relative_to(root).as_posix()
                seen += 1
                if seen > MAX_WALK_FILES:
                    raise InputError([Diagnostic(None, "U007", f"more than {MAX_WALK_FILES} entries under "
                                                 f"'{root}'", "give a smaller folder")])
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if (entry.name in SKIPPED_FOLDERS or entry.name.startswith(".")
                                or _ignored(ignores, relative, True)):
                            continue
                        if depth + 1 > MAX_WALK_DEPTH:
                            deep.append(_too_deep(Path(entry.path), root))
                            continue
                        stack.append((Path(entry.path), depth + 1, ignores))
                    elif (entry.is_file(follow_symlinks=False) and entry.name.endswith(suffixes)
                          and not _ignored(ignores, relative, False)):
                        found.append(entry.path)
                except OSError:
                    continue
        # Kept as names until yielded: a Path object per file would cost several times more.
        # Sorted as paths are, folder by folder (not character by character).
        yield from (Path(f) for f in sorted(found, key=lambda f: f.split(os.sep)))
    if deep:
        more = len(deep) - 10
        raise InputError([*deep[:10], *([Diagnostic(None, "U012", f"and {more} more folders as deep")]
                                        if more > 0 else [])])


def _too_deep(folder: Path, root: Path) -> Diagnostic:
    return Diagnostic(None, "U012", f"'{folder}' is more than {MAX_WALK_DEPTH} folders below '{root}'; "
                      "nothing in it was read", "give that folder (or one nearer to it) on its own")


def _gitignore(folder: Path, root: Path) -> tuple[tuple[str, str, bool, bool], ...]:
    """The patterns of `folder`'s .gitignore, each as (folder relative to the root, pattern,
    folders only, negated). As in git, the last pattern that matches decides."""
    try:
        text = read_text(folder / ".gitignore", 1_000_000, "U007", ".gitignore")
    except InputError:
        return ()
    base = folder.relative_to(root).as_posix()
    base = "" if base == "." else base
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line.removeprefix("!")
        out.append((base, line.rstrip("/"), line.endswith("/"), negated))
    return tuple(out)


def _ignored(ignores, relative: str, is_dir: bool) -> bool:
    import fnmatch

    name = relative.rsplit("/", 1)[-1]
    ignored = False
    for base, pattern, dirs_only, negated in ignores:
        if dirs_only and not is_dir:
            continue
        if base and not relative.startswith(base + "/"):
            continue
        inner = relative[len(base) + 1:] if base else relative
        if "/" in pattern.strip("/") or pattern.startswith("/"):  # anchored to its folder
            hit = fnmatch.fnmatchcase(inner, pattern.lstrip("/"))
        else:
            hit = fnmatch.fnmatchcase(name, pattern)
        if hit:
            ignored = not negated  # the last pattern that matches decides
    return ignored


def write_text(path: Path, text: str, unchanged: str | None = None) -> None:
    """Write a report or a rewritten file as a careful user would expect.

    A regular file (or a new one) is replaced atomically: complete or not at all, with the
    mode it had (a new file gets the usual 0666 less the umask, as a shell redirect gives),
    and no temporary file is left behind, even on SIGTERM. A device or a FIFO that already
    exists is written to directly, as `> path` would, never replaced by a file. A file with
    other hard links is written in place, so that every name of it keeps the new text (a
    replacement would leave them the old one), with SIGTERM and SIGINT held off while it is
    written. A read-only file (its owner may not write it, or this user may not) is refused,
    even for root. A folder, a full disk or a missing folder is a diagnostic (U003).

    `unchanged` is for rewriting a file (`fmt`, `test --update`): the text the file held when
    it was read. The file is written only if it still holds exactly that, checked last thing
    before it is replaced, so an edit saved meanwhile is never lost (U011)."""
    def fail(why: str, hint: str | None = "check that the folder exists and is writable") -> InputError:
        return InputError([Diagnostic(None, "U003", f"cannot write '{path}': {why}", hint)])

    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None
    data = text.encode("utf-8")
    if info is not None and os.path.islink(path):
        path = Path(os.path.realpath(path))  # write through a link, as `> link` would
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise fail("it is a folder", "give a file name, e.g. report.html")
    if info is not None and not stat.S_ISREG(info.st_mode):
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise fail(exc.strerror or str(exc)) from None
        return

    def check() -> None:  # last thing before the file is written
        if unchanged is not None and not _holds(Path(path), unchanged):
            raise InputError([Diagnostic(None, "U011", f"'{path}' changed since forcecheck read it; "
                                         "it is left as it is now", "run the command again")])

    if info is None:
        check()
    elif not stat.S_IMODE(info.st_mode) & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise fail(f"it is read-only (mode {stat.S_IMODE(info.st_mode):04o})",
                   "make it writable (chmod u+w) if it is meant to change")
    elif info.st_nlink > 1:
        _write_in_place(Path(path), data, check, fail)
        return
    _replace(Path(path), data, info, check, fail)


def _holds(path: Path, text: str) -> bool:
    """Whether the file at `path` still holds exactly `text` (as `read_text` gives it)."""
    try:
        data = read_bytes(path, len(text.encode("utf-8")) + 3, "U011", "file")  # + a BOM
        return data.decode("utf-8").removeprefix("\ufeff") == text
    except (InputError, UnicodeDecodeError):
        return False


def _replace(path: Path, data: bytes, info: os.stat_result | None, check, fail) -> None:
    """A new file beside `path`, renamed over it: complete or not at all, even on SIGTERM."""
    import signal
    import tempfile

    if info is not None:
        mode = stat.S_IMODE(info.st_mode)
    else:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None

    def interrupted(signum, frame):  # SIGTERM: remove the temporary file, then exit as killed
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, interrupted) if _main_thread() else None
    try:
        try:
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            check()
            os.replace(tmp, path)
        except OSError as exc:
            raise fail(exc.strerror or str(exc)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _write_in_place(path: Path, data: bytes, check, fail) -> None:
    """Rewrite the file's own inode (every hard link of it sees the new text), with SIGTERM and
    SIGINT held off until it is whole."""
    import signal

    mask = hasattr(signal, "pthread_sigmask")
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT}) if mask else None
    try:
        check()
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None
    finally:
        if before is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()

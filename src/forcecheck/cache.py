"""A small on-disk cache for work that depends only on file contents.

Building the LALR tables and parsing and checking the policy cost more than everything else
`check` does on one scenario, and both depend only on the text of the grammar and the policy.
Results go under $XDG_CACHE_HOME/forcecheck (default ~/.cache/forcecheck), named by a SHA-256
of everything they depend on, so a stale entry is never read. Any problem (no home, read-only
disk, corrupt file) only means the work is done again. FORCECHECK_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from forcecheck import __version__


def folder() -> Path | None:
    if os.environ.get("FORCECHECK_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "forcecheck"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def _code() -> str:
    """A hash of the modules whose classes a cached entry holds: a changed class never
    meets an entry written by the old one."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in ("model.py", "syntax.py", "checker.py", "parser.py", "diagnostics.py"):
        with contextlib.suppress(OSError):
            h.update((here / name).read_bytes())
    return h.hexdigest()


def key(*parts: str) -> str:
    h = hashlib.sha256()
    for part in (__version__, f"{sys.version_info[:2]}", _code(), *parts):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]


def load(name: str) -> object | None:
    base = folder()
    if base is None:
        return None
    try:
        with open(base / name, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # missing, unreadable or corrupt: do the work again
        return None


def store(name: str, value: object) -> None:
    base = folder()
    if base is None:
        return
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(dir=base, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, base / name)
    except Exception:
        with contextlib.suppress(Exception):
            os.unlink(tmp)

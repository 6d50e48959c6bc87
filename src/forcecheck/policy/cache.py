"""A small on-disk cache of checked policies: data, never code.

Parsing and checking the policy costs more than everything else `check` does on one
scenario, and depends only on the policy's text, the grammar and forcecheck's own code.
The checked policy is stored as JSON in which every object is one of forcecheck's own model
classes, named and rebuilt from a fixed list: reading an entry can build a policy model or
fail, nothing else (no pickle, no import, no call of anything the entry names). One other kind
of entry holds code: the bytecode of the Python source forcecheck generates from a checked
policy (`codegen.py`), as `__pycache__` holds a module's, named by a hash of that source and of
the Python that compiled it; it is read only after the generator has made the same source again,
and trusted only as any entry is, by its signature.

Entries live in $XDG_CACHE_HOME/forcecheck (default ~/.cache/forcecheck), a folder created
private (0700) and used only when it belongs to the user and no one else can write to it.
An entry is named by a SHA-256 of everything it depends on, forcecheck's own source code
included, so an entry written by another version is never read; it is opened without
following links and read only when it is a regular file of bounded size. Any problem (no
home, a folder others can write, a corrupt or foreign entry) only means the work is done
again. FORCECHECK_NO_CACHE=1 turns it off.

A cache folder is not always the user's alone: a CI cache restored from another branch, a
synced or shared home. So an entry is trusted only when it carries an HMAC-SHA256, over its
name (which hashes the policy text it was built from) and its content, made with a key that
lives outside the cache folder: $XDG_CONFIG_HOME/forcecheck/cache-key (default
~/.config/forcecheck), 32 random bytes made on first use, readable by the user alone. An entry
that was edited, planted, or signed with another key is rebuilt, never used; without a usable
key there is no cache. Whoever can read or write that key file can forge entries: it is as
private as the user's own files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import json
import math
import os
import stat
import sys
import tempfile
from pathlib import Path
from types import CodeType

from forcecheck.diagnostics import Diagnostic, InputError, Span
from forcecheck.files import read_bytes
from forcecheck.policy import model as m
from forcecheck.version import __version__

MAX_ENTRY_BYTES = 32_000_000
SIGNED = b"forcecheck-cache/1 "  # an entry's first line: this, then the HMAC of the rest, in hex
KEY_FILE = "cache-key"


def folder() -> Path | None:
    """The cache folder, created private; None when it cannot be used safely."""
    if os.environ.get("FORCECHECK_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "forcecheck"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
        info = os.lstat(path)
    except OSError:
        return None
    if not _private(info):
        return None  # someone else could plant an entry: do not use it
    return path


def _private(info: os.stat_result) -> bool:
    """A real folder owned by this user that neither group nor others can write to."""
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and owner_ok and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _code() -> str:
    """A hash of forcecheck's own source (and grammar): an entry written by other code, even
    of the same version number, is never read."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for p in sorted([*here.glob("*.py"), here / "grammar.lark"]):
        with contextlib.suppress(OSError):
            h.update(p.name.encode("utf-8") + b"\0" + p.read_bytes())
    return h.hexdigest()


def key(*parts: str) -> str:
    h = hashlib.sha256()
    for part in (__version__, f"{sys.version_info[:2]}", _code(), *parts):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]


def load(name: str) -> m.Policy | None:
    body = read(name)
    if body is None:
        return None
    try:
        found = json.loads(body, object_hook=_rebuilt)
    except (ValueError, TypeError, KeyError, RecursionError):
        return None  # foreign or corrupt: do the work again
    return found if isinstance(found, m.Policy) else None


def store(name: str, value: m.Policy) -> None:
    try:
        body = json.dumps(encode(value), separators=(",", ":"), allow_nan=False).encode("utf-8")
    except Exception:  # a cache that cannot be written only means no cache
        return
    write(name, body)


def read(name: str) -> bytes | None:
    """The body of the entry `name` when it is there and signed with this user's key, else None."""
    base, secret = folder(), _secret()
    if base is None or secret is None:
        return None
    try:
        data = read_bytes(base / name, MAX_ENTRY_BYTES, "X000", "cache entry", follow=False)
    except (InputError, ValueError):
        return None  # missing, or not a regular file
    head, _, body = data.partition(b"\n")
    if not hmac.compare_digest(head, SIGNED + _tag(secret, name, body)):
        return None  # edited, planted or signed with another key: never used
    return body


def write(name: str, body: bytes) -> None:
    """Store `body` as the entry `name`, signed; a cache that cannot be written means no cache."""
    base, secret = folder(), _secret()
    if base is None or secret is None:
        return
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(dir=base, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(SIGNED + _tag(secret, name, body) + b"\n" + body)
        os.replace(tmp, base / name)
    except Exception:  # a cache that cannot be written only means no cache
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _tag(secret: bytes, name: str, body: bytes) -> bytes:
    return hmac.new(secret, name.encode("utf-8") + b"\0" + body, hashlib.sha256).hexdigest().encode("ascii")


def _secret() -> bytes | None:
    """The key entries are signed with, made on first use; None when it cannot be kept private."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return _secret_in(str(Path(base) / "forcecheck"))


def _secret_in(home: str) -> bytes | None:
    path = Path(home)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
        if not _private(os.lstat(path)):
            return None
        if not os.path.lexists(path / KEY_FILE):  # made whole beside it, then linked into place
            import secrets

            fd, tmp = tempfile.mkstemp(dir=path, prefix=".tmp-")  # 0600
            try:
                with os.fdopen(fd, "w", encoding="ascii") as fh:
                    fh.write(secrets.token_hex(32))
                with contextlib.suppress(FileExistsError):  # another process made it first
                    os.link(tmp, path / KEY_FILE)
            finally:
                os.unlink(tmp)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path / KEY_FILE, flags)
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            key = fh.read(65)
    except OSError:
        return None
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not (stat.S_ISREG(info.st_mode) and mine and not info.st_mode & 0o077 and len(key) == 64):
        return None  # someone else could read or have chosen it: no cache
    return key


# --- the codec: forcecheck's model classes and plain values, nothing else ---------------------

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in [*(c for c in vars(m).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
                  and c.__module__ == m.__name__), Span, Diagnostic]
}


def encode(v: object) -> object:
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else {"$float": repr(v)}
    if isinstance(v, list):
        return [encode(x) for x in v]
    if isinstance(v, tuple):
        return {"$t": [encode(x) for x in v]}
    if isinstance(v, frozenset):
        return {"$fs": sorted(encode(x) for x in v)}  # type: ignore[type-var]
    if isinstance(v, dict):
        return {"$d": [[encode(k), encode(x)] for k, x in v.items()]}
    name = type(v).__name__
    if _CLASSES.get(name) is type(v):
        return {"$c": name, "f": {f.name: encode(getattr(v, f.name)) for f in dataclasses.fields(v)}}
    raise TypeError(f"cannot cache a {name}")


def _rebuilt(v: dict) -> object:
    """`encode` undone, as the JSON parser calls it on each object once its members are rebuilt
    (about twice as fast as walking the parsed tree again): a tagged object becomes what its tag
    names; an untagged one is the fields of a class, and stays a dict."""
    if "$c" in v:
        fields = v.get("f")
        if len(v) != 2 or not isinstance(fields, dict):
            raise ValueError("not a cache entry")
        return _CLASSES[v["$c"]](**fields)  # KeyError for anything not on the list
    if len(v) == 1:
        if "$t" in v:
            return tuple(v["$t"])
        if "$d" in v:
            return {k: x for k, x in v["$d"]}
        if "$fs" in v:
            return frozenset(v["$fs"])
        if "$float" in v:
            return float(v["$float"])
    return v


def bytecode(generator: str, sources: dict[str, tuple[str, str]]) -> dict[str, CodeType]:
    """The bytecode of generated sources (name -> (filename, text)): read from the entry named by
    a hash of them, the generator and the Python that compiles them, or compiled and stored
    there; an empty dict when there is no cache (the caller compiles what it uses)."""
    import marshal
    from importlib.util import MAGIC_NUMBER

    if folder() is None:
        return {}
    h = hashlib.sha256(MAGIC_NUMBER + sys.version.encode("utf-8") + generator.encode("utf-8"))
    for key, (filename, text) in sources.items():
        for part in (key, filename, text):
            h.update(b"\0" + part.encode("utf-8"))
    name = f"code-{h.hexdigest()[:32]}.marshal"
    body = read(name)
    if body is not None:
        try:
            found = marshal.loads(body)
        except (ValueError, EOFError, TypeError):
            found = None
        if (isinstance(found, dict) and found.keys() == sources.keys()
                and all(isinstance(c, CodeType) for c in found.values())):
            return found
    codes = {k: compile(text, filename, "exec") for k, (filename, text) in sources.items()}
    write(name, marshal.dumps(codes))
    return codes

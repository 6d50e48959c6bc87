"""Read a policy: parse, check, prove its quotes, compile. The whole stage in one function.

Every clause's quote must appear, character for character, in the source-text file its
document declares. That check runs on every load, so a policy whose wording drifted from
its sources cannot be used at all, not only in the test suite.
"""

from __future__ import annotations

import contextlib
import os
import re
from functools import cache
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from forcecheck.diagnostics import Collector, Diagnostic, InputError, Span
from forcecheck.files import MAX_POLICY_BYTES, MAX_SOURCE_BYTES, read_bytes, read_text
from forcecheck.policy import model as m

if TYPE_CHECKING:
    from forcecheck.policy.compiler import CompiledPolicy

POLICY_FILE = "policy.rules"


def default_policy_path() -> Path:
    """The shipped DHS policy: inside the wheel, or at the top of a source checkout."""
    packaged = Path(__file__).resolve().parents[1] / "_policy" / "dhs" / POLICY_FILE  # as files("forcecheck")
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "policy" / "dhs" / POLICY_FILE


def shipped_policies() -> list[tuple[str, Path]]:
    """(name, folder) of every shipped policy, the DHS policy first."""
    home = default_policy_path().parent.parent
    found = sorted(p.parent for p in home.glob(f"*/{POLICY_FILE}"))
    return [(p.name, p) for p in sorted(found, key=lambda p: (p.name != "dhs", p.name))]


def looks_like_path(text: str) -> bool:
    """Whether a `--policy` value is written as a path (`./dhs`, `policies/dhs`, `/abs`,
    `x.rules`, `.`), not as a name."""
    separators = {os.sep, os.altsep} - {None}
    return any(c in text for c in separators) or text.endswith(".rules") or text in (".", "..")


def resolve_policy_path(path: str | Path | None) -> Path:
    """The policy file a `--policy` value names. A name (dhs, doj, cfr-287-8) always means the
    shipped policy, even where the current folder holds a file or folder of that name, and a
    name that is not shipped is an error; a file or folder must be written as a path (`./dhs`,
    `policies/dhs`, `my.rules`), so neither can silently stand for the other. A `Path` object is
    a path."""
    if path is None:
        return default_policy_path()
    if isinstance(path, PurePath) or looks_like_path(str(path)):
        p = Path(path)
        return p / POLICY_FILE if p.is_dir() else p
    name = str(path)
    shipped = dict(shipped_policies())
    if name in shipped:
        return shipped[name] / POLICY_FILE
    from forcecheck.diagnostics import did_you_mean

    hint = (did_you_mean(name, shipped)
            or f"shipped policies: {', '.join(shipped)} (see `forcecheck policies`)")
    if os.path.lexists(name):
        kind = "folder" if os.path.isdir(name) else "file"
        hint = f"for the {kind} '{name}' here, write ./{name}; {hint}"
    raise InputError([Diagnostic(None, "P003", f"no policy '{name}': a name without '/' is a shipped "
                                 "policy, and none is called that", hint)])


def source_passages(text: str) -> list[str]:
    """The quotable passages of a source-text file: its Markdown blockquote lines, and the
    lines labelled `paraphrase` (press summaries). Headings and notes are not quotable, so a
    short quote cannot pass by matching commentary."""
    passages = []
    for line in text.splitlines():
        if line.startswith("> "):
            passages.append(line[2:])
        elif "`paraphrase`" in line:
            passages.append(line)
    return passages


def verify_quotes(policy: m.Policy) -> list[Diagnostic]:
    """Every quote, found verbatim inside one passage of its document's shipped source text."""
    out = Collector()
    texts: dict[str, list[str] | None] = {}
    for doc in policy.documents.values():
        try:
            texts[doc.id] = source_passages(read_text(Path(doc.text_file), MAX_SOURCE_BYTES, "Q002",
                                                      "source text"))
        except InputError:
            texts[doc.id] = None
            out.error(doc.span, "Q002", f"the source text of document '{doc.id}' cannot be read "
                      f"from '{doc.text_file}'", "ship the source text next to the policy")
    quotes = [q for c in policy.clauses for q in c.quotes]
    quotes += [x.quote for d in policy.definitions.values() for x in d.exceptions]
    for q in quotes:
        passages = texts.get(q.document)
        if passages is not None and not any(q.text in p for p in passages):
            out.error(q.span, "Q001", f"this quote is not found verbatim in the source text of "
                      f"'{q.document}'", "copy the wording exactly from the source; never tidy it")
    return out.diagnostics


def load_policy(path: str | Path | None = None) -> CompiledPolicy:
    """Parse, check, prove quotes and compile the policy at `path` (default: shipped DHS)."""
    resolved = resolve_policy_path(path).resolve()
    return _load(str(resolved))


def load_checked(path: str | Path | None = None) -> m.Policy:
    """The policy at `path` as `load_policy` reads it (parsed, checked, its quotes proven),
    without compiling it: what listing the policy needs (`forcecheck clauses`)."""
    return _read(str(resolve_policy_path(path).resolve()))


@cache
def _load(path: str) -> CompiledPolicy:
    from forcecheck.policy.compiler import compile_policy

    return compile_policy(_read(path))


def _read(path: str) -> m.Policy:
    text = read_text(Path(path), MAX_POLICY_BYTES, "P003", "policy file")
    vocabularies = _vocabularies(text, path)
    policy = _checked(text, path, vocabularies)
    problems = verify_quotes(policy)  # always against the source files as they are now
    if problems:
        raise InputError(problems)
    policy.digest = digest(policy, text + "".join(t for _, t in vocabularies))
    return policy


USES = re.compile(r'^[ \t]*uses[ \t]+"([^"\n]*)"', re.M)


def _vocabularies(text: str, path: str) -> list[tuple[str, str]]:
    """(path, text) of each shared vocabulary the policy `uses`, read before parsing so that
    the cache key covers them. A vocabulary lives beside the policy's folder (in the folder
    of policies), never elsewhere."""
    out = []
    home = Path(path).parent.parent
    for match in USES.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        target = (Path(path).parent / match.group(1)).resolve()
        span = Span(path, line, 1)
        if not str(target).startswith(str(home.resolve()) + os.sep) or target.suffix != ".rules":
            raise InputError([Diagnostic(span, "P004", f"vocabulary '{match.group(1)}' is not a .rules file "
                                         "in the folder of policies",
                                         'e.g. uses "../vocabulary/incident.rules"')])
        if not target.is_file():
            raise InputError([Diagnostic(span, "P004", f"vocabulary '{match.group(1)}' does not exist",
                                         'e.g. uses "../vocabulary/incident.rules"')])
        out.append((str(target), read_text(target, MAX_POLICY_BYTES, "P003", "vocabulary file")))
    return out


def _merged(parsed, vocabularies: list[tuple[str, str]]):
    """The policy's declarations after those of the vocabularies it uses; a vocabulary holds
    only what describes an incident (roles, actions, facts, exclusive facts, definitions and
    constraints), never clauses, documents or another `uses`."""
    from forcecheck.policy import syntax as s  # only when the policy is parsed (not from the cache)
    from forcecheck.policy.parser import parse_policy_text

    vocabulary_items = (s.RoleDecl, s.ActionDecl, s.FactDecl, s.ExclusiveDecl, s.Definition, s.ClauseDecl)
    head: list = []
    problems = []
    for vpath, vtext in vocabularies:
        for d in parse_policy_text(vtext, vpath).declarations:
            if isinstance(d, vocabulary_items) and getattr(d, "kind", "constraint") == "constraint":
                head.append(d)
            else:
                span = getattr(d, "span", None) or getattr(getattr(d, "name", None), "span", None)
                problems.append(Diagnostic(span, "P004", "a vocabulary holds roles, actions, facts, "
                                           "exclusive facts, definitions and constraints only",
                                           "move this into the policy file"))
    if problems:
        raise InputError(problems)
    rest = tuple(d for d in parsed.declarations if not isinstance(d, s.UsesDecl))
    return s.PolicyFile(parsed.path, (*head, *rest))


def digest(policy: m.Policy, text: str) -> str:
    """SHA-256 of the policy file (with its vocabularies) and the source texts its quotes are
    proven against: a report names exactly the policy it was made with."""
    import hashlib

    h = hashlib.sha256(text.encode("utf-8"))
    for doc in sorted(policy.documents.values(), key=lambda d: d.id):
        h.update(b"\0" + doc.id.encode("utf-8") + b"\0")
        with contextlib.suppress(InputError):
            h.update(read_bytes(Path(doc.text_file), MAX_SOURCE_BYTES, "Q002", "source text"))
    return h.hexdigest()


def _checked(text: str, path: str, vocabularies: list[tuple[str, str]] = ()) -> m.Policy:
    """Parse and check, or reuse the result for exactly this text (and vocabularies) at this path."""
    from forcecheck.policy import cache

    # The package's own folder (importlib.resources would cost 3 ms of every start to say so).
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    used = "".join(f"\0{p}\0{t}" for p, t in vocabularies)
    name = f"policy-{cache.key(path, text + used, grammar)}.json"
    found = cache.load(name)
    if isinstance(found, m.Policy):
        return found
    from forcecheck.policy.checker import check_policy
    from forcecheck.policy.parser import parse_policy_text

    policy = check_policy(_merged(parse_policy_text(text, path), list(vocabularies)))
    cache.store(name, policy)
    return policy

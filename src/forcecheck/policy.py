"""Read a policy: parse, check, prove its quotes, compile. The whole stage in one function.

Every clause's quote must appear, character for character, in the source-text file its
document declares. That check runs on every load, so a policy whose wording drifted from
its sources cannot be used at all, not only in the test suite.
"""

from __future__ import annotations

import contextlib
from functools import cache
from importlib.resources import files
from pathlib import Path

from forcecheck import model as m
from forcecheck.compiler import CompiledPolicy, compile_policy
from forcecheck.diagnostics import Collector, Diagnostic, InputError
from forcecheck.files import MAX_POLICY_BYTES, MAX_SOURCE_BYTES, read_bytes, read_text

POLICY_FILE = "policy.rules"


def default_policy_path() -> Path:
    """The shipped DHS policy: inside the wheel, or at the top of a source checkout."""
    packaged = Path(str(files("forcecheck"))) / "_policy" / "dhs" / POLICY_FILE
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "policy" / "dhs" / POLICY_FILE


def resolve_policy_path(path: str | Path | None) -> Path:
    if path is None:
        return default_policy_path()
    p = Path(path)
    return p / POLICY_FILE if p.is_dir() else p


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


@cache
def _load(path: str) -> CompiledPolicy:
    text = read_text(Path(path), MAX_POLICY_BYTES, "P003", "policy file")
    policy = _checked(text, path)
    problems = verify_quotes(policy)  # always against the source files as they are now
    if problems:
        raise InputError(problems)
    policy.digest = digest(policy, text)
    return compile_policy(policy)


def digest(policy: m.Policy, text: str) -> str:
    """SHA-256 of the policy file and the source texts its quotes are proven against: a
    report names exactly the policy it was made with."""
    import hashlib

    h = hashlib.sha256(text.encode("utf-8"))
    for doc in sorted(policy.documents.values(), key=lambda d: d.id):
        h.update(b"\0" + doc.id.encode("utf-8") + b"\0")
        with contextlib.suppress(InputError):
            h.update(read_bytes(Path(doc.text_file), MAX_SOURCE_BYTES, "Q002", "source text"))
    return h.hexdigest()


def _checked(text: str, path: str) -> m.Policy:
    """Parse and check, or reuse the result for exactly this text at this path."""
    from forcecheck import cache

    grammar = files("forcecheck").joinpath("grammar.lark").read_text(encoding="utf-8")
    name = f"policy-{cache.key(path, text, grammar)}.json"
    found = cache.load(name)
    if isinstance(found, m.Policy):
        return found
    from forcecheck.checker import check_policy
    from forcecheck.parser import parse_policy_text

    policy = check_policy(parse_policy_text(text, path))
    cache.store(name, policy)
    return policy

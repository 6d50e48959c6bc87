"""`forcecheck new`: a scenario file to start from, that loads as written.

From answers (prompts or flags) it writes commented YAML: the editor-schema line, the
incident, people, events and accounts, and comments saying what goes where; or it copies a
shipped teaching case (`--template`). What it writes is loaded before it is written, so a
new file always passes `validate`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HEADER = "# yaml-language-server: $schema={schema}\n"


@dataclass
class Draft:
    id: str
    title: str
    kind: str = "teaching"
    summary: str = ""
    people: list[tuple[str, str, str]] = field(default_factory=list)  # (id, role, description)
    # (id, actor, action, target, description)
    events: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    sources: list[tuple[str, str, str]] = field(default_factory=list)  # (id, title, url)


def _q(text: str) -> str:
    """A YAML double-quoted scalar: any text stays text."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(d: Draft, schema: str) -> str:
    out = [HEADER.format(schema=schema),
           "# A scenario: one incident, and each account of it. A fact no account states is left\n"
           "# out: it stays unknown. `forcecheck vocabulary` lists the roles, actions and facts.\n",
           f"id: {d.id}\n", f"title: {_q(d.title)}\n", f"kind: {d.kind}\n",
           f"summary: {_q(d.summary or d.title)}\n"]
    if d.sources:
        out.append("# Where each account's statements come from (a real incident needs one per statement).\n")
        out.append("sources:\n")
        for sid, title, url in d.sources:
            out.append(f"  - id: {sid}\n    title: {_q(title)}\n" + (f"    url: {_q(url)}\n" if url else ""))
    out.append("# People, named by role (never invent facts about real people).\npeople:\n")
    for pid, role, desc in d.people:
        out.append(f"  - id: {pid}\n    role: {role}\n    description: {_q(desc)}\n")
    out.append("# What happened, in order; `accounts: [id]` marks an event only some accounts have.\n")
    out.append("events:\n" if d.events else "events: []\n")
    for eid, actor, action, target, desc in d.events:
        out.append(f"  - id: {eid}\n    actor: {actor}\n    action: {action}\n"
                   + (f"    target: {target}\n" if target else "") + f"    description: {_q(desc)}\n")
    out.append("# Facts every account agrees on, as SUBJECT.FACT: value (with its source).\n"
               "undisputed:\n  facts: {}\n")
    out.append("# Each account states what it says happened: SUBJECT.FACT: {value: ..., source: ID,\n"
               "# quote: \"its words\"}. A disputed fact belongs here, not under undisputed.\naccounts:\n")
    for aid, name in d.accounts:
        out.append(f"  - id: {aid}\n    name: {_q(name)}\n    facts: {{}}\n")
    return "".join(out)


def template_folder() -> Path:
    """The shipped teaching cases: inside the wheel, or in a source checkout."""
    from importlib.resources import files

    packaged = Path(str(files("forcecheck"))) / "_scenarios" / "teaching"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "scenarios" / "teaching"


def templates() -> list[str]:
    return sorted(p.stem for p in template_folder().glob("*.yaml"))


def schema_path(target: Path) -> str:
    """The shipped editor schema (in the wheel, or docs/ of a source checkout), relative to
    where the new file goes when it can be."""
    import os
    from importlib.resources import files

    for root in (Path(str(files("forcecheck"))) / "_schema", Path(__file__).resolve().parents[3] / "docs"):
        schema = root / "scenario.schema.json"
        if schema.is_file():
            try:
                return Path(os.path.relpath(schema, target.resolve().parent)).as_posix()
            except ValueError:
                return schema.as_uri()
    return "https://forcecheck.invalid/schema/scenario.schema.json"


def from_template(name: str, target: Path) -> str:
    """A shipped teaching case as the text of a new file at `target` (its `$schema` pointing
    from there); an unknown name is bad input, with the nearest one."""
    import re

    from forcecheck.diagnostics import Diagnostic, InputError, did_you_mean

    if name not in templates():
        raise InputError([Diagnostic(None, "U001", f"no teaching case '{name}'",
                                     did_you_mean(name, templates())
                                     or "`forcecheck new --template list` lists them")])
    text = (template_folder() / f"{name}.yaml").read_text(encoding="utf-8")
    return re.sub(r"\$schema=\S+", f"$schema={schema_path(target)}", text, count=1)


def _parts(item: str, n: int) -> tuple[str, ...]:
    parts = item.split(":", n - 1)
    return tuple(parts + [""] * (n - len(parts)))


def drafted(target: Path, prompt: Callable[..., str], title: str | None = None, kind: str | None = None,
            summary: str | None = None, people: list[str] | None = None, events: list[str] | None = None,
            accounts: list[str] | None = None, sources: list[str] | None = None) -> Draft:
    """A draft from flags, asking `prompt(question, default=...)` for what they leave out. With
    any flag given it is a script: what is not given takes its default, unasked (a list not
    given stays empty)."""
    import re

    scripted = any(x is not None for x in (title, kind, summary, people, events, accounts, sources))

    def ask(value, question, default=None):
        if value is not None or (scripted and default is not None):
            return value if value is not None else default
        return prompt(question, default=default)

    def listed(items, n, question):
        out = [_parts(item, n) for item in items or []]
        while items is None and not scripted:
            line = prompt(question, default="", show_default=False).strip()
            if not line:
                break
            out.append(_parts(line, n))
        return out

    the_title = ask(title, "Title (the incident in one line)")
    return Draft(
        id=re.sub(r"[^a-z0-9]+", "-", target.stem.lower()).strip("-") or "scenario",
        title=the_title, kind=ask(kind, "Kind (teaching or real)", "teaching"),
        summary=ask(summary, "Summary", the_title),
        sources=[(i, t, "") for i, t, *_ in listed(sources, 2, "Source as ID:TITLE (empty: done)")],
        people=listed(people, 3, "Person as ID:ROLE:DESCRIPTION (empty: done)"),
        events=listed(events, 5, "Event as ID:ACTOR:ACTION:TARGET:DESCRIPTION (empty: done)"),
        accounts=listed(accounts, 2, "Account as ID:NAME (empty: done)") or [("report", "Report")])

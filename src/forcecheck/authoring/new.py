"""`forcecheck new`: a scenario file to start from, that loads as written.

From answers (prompts or flags) it writes commented YAML: the editor-schema line, the
incident, people, events and accounts, and comments saying what goes where; or it copies a
shipped teaching case (`--template`). What it writes is loaded before it is written, so a
new file always passes `validate`.
"""

from __future__ import annotations

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

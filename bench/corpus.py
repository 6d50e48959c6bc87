"""A seeded corpus of teaching-size scenarios for the batch benchmark (and its test).

Each scenario has an on-duty officer, sometimes a partner, and a subject; one to three events
(the subject may drive, the officer uses force on the subject); two or three accounts that each
state some of the event's facts and leave the rest unknown, so verdicts are met, breached,
undetermined and contested across the corpus as they are in real use.

    python bench/corpus.py N FOLDER [--seed S]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

FORCE = ["fire_firearm", "physical_force", "less_lethal_weapon", "neck_restraint"]
EVENT_FACTS = [
    "threat_of_death_or_serious_injury", "likely_to_kill_or_seriously_injure", "force_reasonable",
    "subject_fleeing", "significant_threat_if_escaped",
    "threat_had_ended", "actions_directed_only_at_self_or_property", "at_operator_of_moving_vehicle",
]
ACCOUNTS = [("agency", "Agency statement"), ("family", "Family"), ("video", "Bystander video")]


def scenario(i: int, seed: int = 0) -> str:
    """The YAML text of scenario number `i` of the corpus seeded with `seed`."""
    rnd = random.Random(seed * 1_000_003 + i)
    partner = rnd.random() < 0.5
    people = ["  - id: officer\n    role: officer\n    description: the officer who used force\n"]
    if partner:
        people.append("  - id: partner\n    role: officer\n    description: a second officer\n")
    people.append("  - id: subject\n    role: subject\n    description: the person force was used on\n")
    events = []
    if rnd.random() < 0.4:
        events.append("  - id: drive\n    actor: subject\n    action: drive_vehicle\n"
                      "    description: the subject drives\n")
    action = rnd.choice(FORCE)
    events.append(f"  - id: force\n    actor: officer\n    action: {action}\n    target: subject\n"
                  f"    description: the officer uses force ({action})\n")
    facts = ["    officer.on_duty: yes\n"]
    if partner:
        facts.append("    partner.on_duty: yes\n")
    accounts = []
    for aid, name in ACCOUNTS[: rnd.choice((2, 3))]:
        stated = {f: rnd.choice(("yes", "no")) for f in EVENT_FACTS if rnd.random() < 0.55}
        # What the policy's constraints require of one account's answers taken together.
        if stated.get("threat_of_death_or_serious_injury") == "yes":
            for f in ("threat_had_ended",):
                if f in stated:
                    stated[f] = "no"
        if rnd.random() < 0.3:
            stated[rnd.choice(("placed_self_without_alternative", "alternative_appeared_to_exist"))] = "yes"
        lines = [f"      force.{f}: {v}\n" for f, v in stated.items()]
        if rnd.random() < 0.5:
            lines.append(f"      subject.medical_aid_obtained: {rnd.choice(('yes', 'no'))}\n")
        body = "    facts:\n" + "".join(lines) if lines else ""
        accounts.append(f"  - id: {aid}\n    name: {name}\n{body}")
    return (f"id: corpus-{seed}-{i}\ntitle: generated scenario {i}\nkind: teaching\n"
            f"summary: a generated scenario for the batch benchmark\npeople:\n{''.join(people)}"
            f"events:\n{''.join(events)}undisputed:\n  facts:\n{''.join(facts)}"
            f"    subject.injured_or_asked_for_aid: yes\naccounts:\n{''.join(accounts)}")


def write(n: int, folder: Path, seed: int = 0, start: int = 0) -> list[Path]:
    """Write scenarios start..n-1 into `folder` (100 to a subfolder) and return their paths."""
    paths = []
    for i in range(start, n):
        sub = folder / f"{i // 100:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"s{i:06d}.yaml"
        path.write_text(scenario(i, seed), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    write(args.n, args.folder, args.seed)


if __name__ == "__main__":
    main()

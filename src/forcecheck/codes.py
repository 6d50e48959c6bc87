"""Every diagnostic code, what it means and what to do: `forcecheck explain CODE`.

One code per meaning. A test keeps this table and the codes the source uses the same.
Letters: Y reading YAML, S a scenario, P parsing a policy, C checking it, N names, T types,
Q quotes, U the command line, B a batch, W warnings, X internal (never shown to a user).
"""

from __future__ import annotations

CODES: dict[str, tuple[str, str]] = {
    "Y001": ("invalid YAML", "The file is not valid YAML: a bracket or quote left open, a tab used "
             "for indentation, a value with ': ' not quoted. The caret points where the parser "
             "stopped; an open bracket or quote is shown where it was opened."),
    "Y002": ("anchors and aliases", "YAML anchors (&a) and aliases (*a) are refused: they let one "
             "line change another far away, and they allow 'billion laughs' files. Write values out."),
    "Y003": ("not one document", "A scenario file holds exactly one YAML mapping: not empty, not "
             "several documents separated by '---'."),
    "Y004": ("too large or too deep", "A scenario file is at most 1 MB, nested at most 32 levels, "
             "with at most 50,000 keys and values. Checked while reading, before anything costly."),
    "Y005": ("duplicate or complex key", "A key may appear once in a mapping, and must be a plain "
             "word or string."),
    "S000": ("cannot read the scenario", "The path does not exist, is a folder, a device or a FIFO, "
             "is larger than 1 MB, or is not UTF-8. Give a regular UTF-8 file (or '-' for standard input)."),
    "S001": ("not a mapping", "A scenario file is a mapping of keys (id, title, kind, summary, "
             "people, events, accounts...)."),
    "S002": ("unknown key", "A key the scenario format does not have, usually a typo; the hint names "
             "the keys allowed there."),
    "S003": ("missing key", "A required key is missing (id, title, kind, summary, people, accounts; "
             "id, role, description for a person; id, actor, action, description for an event)."),
    "S004": ("wrong shape", "A value has the wrong shape: a list where a mapping is expected, an "
             "empty list where at least one item is needed, an id that is not lower-case."),
    "S010": ("duplicate or reserved id", "Ids of people, events, accounts and sources must be unique "
             "across the scenario, and 'incident' is reserved for facts about the incident."),
    "S011": ("unknown role or action", "A person's role or an event's action is not in the policy's "
             "vocabulary. The hint suggests one by meaning; `forcecheck vocabulary` lists them all."),
    "S012": ("unknown person or event", "An event's actor or target, a fact's subject, or an "
             "expectation's 'because' names a person or event the scenario does not have."),
    "S013": ("unknown source", "A statement or a source list names a source not listed under "
             "'sources'."),
    "S014": ("fact key shape", "A fact is written SUBJECT.FACT (shots.subject_fleeing), or FACT "
             "alone for a fact about the incident."),
    "S015": ("unknown fact", "The subject has no such fact in the policy's vocabulary. The hint "
             "suggests one by meaning, or says what kind of subject the fact is about."),
    "S016": ("no value", "A fact is given with no value. Leave an unknown fact out; never write "
             "it empty."),
    "S017": ("invalid value", "The value is not one the fact takes: yes or no; a finite decimal "
             "number; or one of the listed choices."),
    "S018": ("unknown account", "A person's or event's 'accounts' list, or an expectation, names "
             "an account the scenario does not have."),
    "S019": ("invalid expectation", "An expectation's 'possible' or 'because' is not what the "
             "verdict allows (a single verdict cannot list several possible ones, and so on)."),
    "S020": ("undisputed fact restated", "An account states a fact the undisputed facts already "
             "state: the same value is redundant, a different one contradicts them. A disputed fact "
             "belongs in the accounts."),
    "S021": ("no source", "In a real scenario every statement names its source: write it as "
             "{value: ..., source: ID, quote: \"...\"}."),
    "S022": ("breaks a constraint", "What an account (or the undisputed facts) states cannot all be "
             "true under the policy's constraints (a person who had driven at someone posed a "
             "threat; two exclusive facts both yes). The message names the constraint and the facts."),
    "S023": ("order statement", "An account's 'order' entries read 'EVENT before EVENT' or 'EVENT "
             "after EVENT'."),
    "S024": ("contradictory order", "An account's order statements put an event both before and "
             "after another."),
    "S025": ("not present in the account", "An event's actor or target is not present in an account "
             "where the event happens, or an account states a fact about a person or event it does "
             "not have."),
    "S026": ("unknown item label", "A per-thing expectation names something the clause does not "
             "apply to; items are named by the ids they are about (shots, officer-a/restraint)."),
    "S027": ("scenario too large", "People and events, summed over the accounts (each account "
             "counts its own), are at most 600, so every check finishes in seconds. Split the "
             "scenario, or keep only what the accounts state facts about."),
    "S028": ("not an event of the account", "An account's order statement names an event that "
             "does not happen in that account."),
    "S029": ("unknown clause", "An expectation names a clause the policy does not have; see "
             "`forcecheck clauses`."),
    "S030": ("unintended hit without its force", "An event of action hit_unintended (a person hit by "
             "force aimed at someone else) names no one hit as its target, or no earlier event by the "
             "same actor used force at someone else. List the force first (a shot at the driver), "
             "then the hit, by the same actor, with the person hit as its target."),
    "P000": ("policy too large", "A policy file is at most 2 MB."),
    "P001": ("syntax error", "The policy file does not parse; the message says what was expected "
             "there, in the rule language's words."),
    "P002": ("nested too deep", "An expression is nested more than 200 levels; split it into "
             "definitions."),
    "P003": ("cannot read the policy", "The policy path does not exist, is a device or a FIFO, or "
             "is not UTF-8."),
    "C001": ("duplicate", "Two declarations (or two fields of one) have the same name."),
    "C002": ("unknown field", "A field the declaration does not have; the hint lists those it has."),
    "C003": ("missing part", "A declaration lacks a required part (a policy header, a title, a "
             "text, a constraint's reason)."),
    "C004": ("unknown kind", "A fact is about, or a quantifier ranges over, something that is not "
             "the incident, an event, a person or a declared role."),
    "C005": ("unknown document", "A quote names a document not declared in the policy."),
    "C006": ("unknown provenance", "A quote's provenance label is one of seed-quote, transcription, "
             "partial, paraphrase."),
    "C007": ("empty quote", "A quote cannot be empty."),
    "C008": ("clause without a quote", "Every clause quotes the policy wording it encodes."),
    "C009": ("circular definitions", "Definitions refer to each other in a circle."),
    "C010": ("document outside the policy folder", "A document's text file must be inside the "
             "policy's folder (a relative path that stays there)."),
    "C011": ("conditions nested too deep", "A rule nests its conditions more than 48 levels deep "
             "once the definitions it uses are expanded; no reader could follow its trace."),
    "C012": ("restatement that cannot be one", "A clause restates itself, a clause that restates "
             "another, or a clause of another strength (a must clause restating a should clause, "
             "or the reverse)."),
    "N001": ("unknown name", "A fact, role, action, definition or variable the policy does not "
             "declare; the hint suggests the closest."),
    "N002": ("no such part", "A path goes into something that has no parts (a yes/no fact has no "
             "'.actor')."),
    "N003": ("name in use", "A quantifier's variable reuses a name already bound there."),
    "T001": ("type error", "Values of different types compared, a number compared with '<' to a "
             "yes/no, or a non-yes/no fact used as a condition."),
    "T002": ("wrong arguments", "A definition called with the wrong number or kind of arguments."),
    "Q001": ("quote not in the source", "A quote is not found, character for character, inside one "
             "passage of its document's source text. Copy the wording exactly; never tidy it."),
    "Q002": ("source text unreadable", "A document's source text cannot be read (missing, too "
             "large, not a regular file)."),
    "U001": ("unknown clause or name", "--clause or `show` names something the policy does not have."),
    "U002": ("unknown account", "--account or --base names an account the scenario does not have."),
    "U003": ("cannot write", "--output cannot be written: a folder, a missing folder, a full disk, "
             "no permission."),
    "U004": ("bad --assume", "--assume takes SUBJECT.FACT=VALUE or QUESTION=yes|no, with a value "
             "the fact takes; --base needs at least one --assume."),
    "U005": ("path does not exist", "A path given to `test` does not exist."),
    "U006": ("hypothesis breaks a constraint", "The assumptions, with what the base account states, "
             "cannot all be true under the policy's constraints."),
    "U007": ("folder too large", "A folder holds more than 100,000 entries to walk."),
    "U008": ("not for a batch", "A batch (several scenarios, or --jobs) writes a line or a JSON Lines "
             "record per scenario to standard output: --assume, --base and --questions take one "
             "scenario, markdown and html are reports for one scenario at a time, and --output is "
             "replaced by redirecting standard output."),
    "P004": ("bad vocabulary", "A `uses` line names a vocabulary that is not a .rules file in the "
             "folder of policies, or does not exist; or the vocabulary holds something other than "
             "roles, actions, facts, exclusive facts, definitions and constraints."),
    "U010": ("not for side by side", "Several --policy options show one scenario under each policy; "
             "they do not combine with a batch, hypotheticals, questions or filters."),
    "U009": ("bad corpus option", "`corpus` takes --where FIELD=VALUE, and --clause with --status "
             "together."),
    "M001": ("mapping file unreadable", "The mapping file cannot be read, or is not a mapping of keys."),
    "M002": ("unknown key in mapping", "A key the mapping format does not have (a typo?)."),
    "M003": ("missing key in mapping", "A key the mapping needs is missing."),
    "M004": ("bad value in mapping", "A value of the wrong kind in the mapping file."),
    "M005": ("mapping rule invalid", "A rule of the mapping would state a fact or add an event the "
             "policy's vocabulary does not allow; it is reported at the rule."),
    "M010": ("data file unreadable", "The database file cannot be read (missing, too large, or not "
             "UTF-8)."),
    "M011": ("record not read", "A row of the database cannot be read (a CSV row with the wrong number "
             "of fields, a JSON line that is not an object); the other records are imported."),
    "M012": ("record lacks a column", "A record has no column the mapping reads: is the mapping for "
             "this layout?"),
    "M013": ("record id missing or repeated", "Each record needs an id of its own, in the column the "
             "mapping names."),
    "M014": ("record gives an invalid scenario", "The rules for this record's codes, together, give a "
             "scenario the policy refuses (e.g. two codes whose facts break a constraint)."),
    "M015": ("record id too long", "A record id is at most 100 characters: it names the record's file and "
             "scenario. The record is not imported; the others are."),
    "M016": ("column named twice", "The CSV header names a column twice, so which of its values a "
             "rule reads would be a guess. Rename or remove one; nothing is imported until then."),
    "M017": ("mapping query cannot run", "The mapping's relational input (tables, source, where, derive, "
             "Parquet) cannot be read or its SQL cannot run (DuckDB's message says why), or DuckDB is "
             "not installed (pip install 'forcecheck[relational]')."),
    "M018": ("column neither read nor ignored", "With import --strict, the data has a column the "
             "mapping neither reads nor lists under 'ignored:'; nothing is imported until it does."),
    "R001": ("not a record", "`corpus` reads the JSON Lines `check` writes for a batch "
             "(forcecheck.record/1)."),
    "W001": ("unused", "A fact, definition or open question the policy declares but no rule uses "
             "(a warning)."),
    "W010": ("decisive fact unstated", "The unstated fact most of the scenario's open verdicts "
             "wait on (a warning): state it, with its source, if any source says. Or a closure "
             "(incident.moving_vehicle_involved: no) when stating it would settle more at once."),
    "W011": ("stated fact no rule reads", "A fact the scenario states that no clause or constraint "
             "of the policy reads (a warning): it cannot change a verdict. Keep it as a record if a "
             "source says it, or state the fact the clauses read."),
    "W012": ("old fact name", "A fact stated by a name it had before a rename (see CHANGELOG.md), "
             "read as the fact it became (a warning). `forcecheck fmt --fix` writes the new name; "
             "check the value still answers the new question. A rename that narrowed a fact is "
             "an S015 error instead, whose hint says what to state."),
    "W013": ("source not among the account's", "A statement cites a source that its account's "
             "'sources' (or the undisputed block's) does not list (a warning): the statement is "
             "misattributed, or the list is incomplete. Add the source to the list, or cite one of "
             "the account's own."),
    "W014": ("partial account left out of an officer's act", "An account marked partial "
             "('coverage:') is not among an officer's event's 'accounts' (a warning). Left out, the "
             "event did not happen under that account, so the clauses on it read as not applicable "
             "there: the account's silence would count as a denial. If it is silent rather than "
             "denying, add it to the event's 'accounts' and state none of the event's facts."),
    "U011": ("file changed since it was read", "`fmt` or `test --update` read the file, and before "
             "it was rewritten someone saved another version (or moved it). Nothing is written over "
             "an edit: run the command again on the file as it is now."),
    "U012": ("folder too deep", "A folder walk goes at most 64 folders down; a folder below that "
             "was not read, so its files were neither checked nor changed. Give that folder, or one "
             "nearer to it, on its own."),
    "U013": ("bad configuration", "A .forcecheck.toml, forcecheck.toml or [tool.forcecheck] table in "
             "pyproject.toml (the first found from the current folder upwards) is not valid TOML, or has "
             "a setting forcecheck does not know or a value of the wrong kind. `forcecheck config` shows "
             "what is read; the settings are policy, jobs, explain and paths; FORCECHECK_NO_CONFIG=1 "
             "ignores the file."),
    "B001": ("worker died", "A batch's worker process ended while it held this scenario (killed, "
             "out of memory, a crash), so it was not checked; the batch went on with a new worker. "
             "Check the scenario alone to see whether it is the cause."),
    "B002": ("cluster lost", "A batch on a dask cluster (--engine dask) lost its scheduler or its "
             "connection to it before every scenario was checked; the scenarios not listed were not "
             "checked. Run it again, or on this machine with --jobs."),
    "U014": ("dask engine unavailable", "--engine dask needs dask's distributed scheduler installed "
             "(pip install 'forcecheck[dask]') and, with --scheduler ADDRESS, a scheduler answering there "
             "with at least one worker; --scheduler and --jobs choose the cluster, so --scheduler goes "
             "with --engine dask only and not with --jobs."),
    "X000": ("cache entry", "Internal: a cache entry that could not be read; the work is done again. "
             "Never shown."),
}


def explain(code: str) -> str | None:
    entry = CODES.get(code.upper())
    if entry is None:
        return None
    title, text = entry
    return f"{code.upper()}: {title}\n\n{text}\n"

"""Warnings about a scenario that loaded: a stated fact no clause or constraint reads (W011), a
statement whose source is not among its account's sources (W013), an account marked partial
left out of an officer's act (W014).

They never stop a scenario from loading, so they are computed apart, by the commands that
show them (`validate`).
"""

from __future__ import annotations

from forcecheck.diagnostics import Diagnostic, InputError
from forcecheck.policy import model as m
from forcecheck.scenario.aliases import renamed
from forcecheck.scenario.scenario import Scenario


def _read_by_other_policies(policy: m.Policy) -> set[str]:
    """The fact names some other shipped policy's clauses or constraints read."""
    from forcecheck.policy.load import load_policy, shipped_policies

    names: set[str] = set()
    for _, path in shipped_policies():
        try:
            other = load_policy(path).policy
        except InputError:
            continue
        if other.id != policy.id:
            names |= _fact_names_read(other)
    return names


def _fact_names_read(policy: m.Policy) -> set[str]:
    """The names of the facts the policy's clauses or constraints read."""
    read = set(m.fact_readers(policy))
    for c in policy.constraints:
        for node in (c.requirement, c.where):
            read |= m.facts_read(node, policy)
    return {k.rpartition(".")[2] for k in read}


def unread_statements(scenario: Scenario, policy: m.Policy) -> list[Diagnostic]:
    """W011: a stated fact that no clause or constraint reads cannot change any verdict (it may
    still be worth recording; the warning says so, so it is never mistaken for evidence)."""
    read_names = _fact_names_read(policy)
    # A fact of the shared vocabulary that another shipped policy reads describes the incident
    # for that policy: stating it is not idle.
    shared = {f.name for f in policy.facts.values() if f.span.path != policy.path}
    if shared - read_names:
        read_names |= _read_by_other_policies(policy) & shared
    out = []
    blocks = [(("undisputed", "facts"), scenario.model.undisputed.facts)]
    blocks += [(("accounts", i, "facts"), a.facts) for i, a in enumerate(scenario.model.accounts)]
    for loc, facts in blocks:
        for key in facts:
            name = key.rpartition(".")[2]
            old = renamed(name)
            if old is not None:
                name = old.new  # read as its new name (W012 says so)
            if name in policy.unsettled or name in read_names:
                continue
            out.append(Diagnostic(scenario.doc.span((*loc, key), key=True), "W011",
                                  f"'{key}' is read by no clause or constraint of {policy.id}: it "
                                  "cannot change any verdict", "keep it as a record if a source says "
                                  "it, or state the fact the clauses read (`forcecheck vocabulary`)",
                                  severity="warning"))
    return out


def foreign_sources(scenario: Scenario) -> list[Diagnostic]:
    """W013: a statement citing a source its account (or the undisputed block) does not list.
    An account's sources say where its version comes from; a statement resting on another
    source is either misattributed or the list is incomplete. Not checked when the block lists
    no sources at all."""
    model = scenario.model
    blocks = [(("undisputed",), "the undisputed facts", model.undisputed.sources, model.undisputed.facts)]
    blocks += [(("accounts", i), f"account '{a.id}'", a.sources, a.facts)
               for i, a in enumerate(model.accounts)]
    out = []
    for loc, who, listed, facts in blocks:
        if not listed:
            continue
        for key, entry in facts.items():
            source = getattr(entry, "source", None)
            if source is None or source in listed:
                continue
            out.append(Diagnostic(scenario.doc.span((*loc, "facts", key, "source")), "W013",
                                  f"'{key}' cites source '{source}', which {who} does not list "
                                  f"(its sources: {', '.join(listed)})",
                                  f"add '{source}' to the 'sources' of {who}, or cite one of its own "
                                  "sources", severity="warning"))
    return out


def partial_omissions(scenario: Scenario) -> list[Diagnostic]:
    """W014: an account marked partial (`coverage:`) is left out of an officer's act. Left out,
    the event did not happen under that account, so every clause on it reads as not applicable
    there: the account's silence would have become a denial. Only officers' acts are checked:
    they are what the clauses judge; a subject's deed left out of a partial account leaves the
    threat it would make unknown, which is what silence means."""
    model = scenario.model
    officers = {p.id for p in model.people if p.role == "officer"}
    out = []
    for a in model.accounts:
        if a.coverage is None:
            continue
        for j, e in enumerate(model.events):
            if e.accounts is None or a.id in e.accounts or e.actor not in officers:
                continue
            out.append(Diagnostic(scenario.doc.span(("events", j, "accounts")), "W014",
                                  f"account '{a.id}' is marked partial, but event '{e.id}' (an "
                                  "officer's act) is left out of it: left out, it did not happen "
                                  "under that account, so the clauses on it read as not applicable "
                                  "there, not as open",
                                  f"if the account is silent on it rather than denying it, add "
                                  f"'{a.id}' to the event's 'accounts' and state none of its facts",
                                  severity="warning"))
    return out

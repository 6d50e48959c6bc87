"""The `expect:` blocks of a scenario, checked against the policy and the scenario's own
people, events and accounts: every clause, account, item, verdict and fact they name must exist,
so an expectation can always fail (a misspelt name would make it pass unchecked). Part of the
vocabulary pass (`vocabulary.Vocabulary`), reporting into its collector."""

from __future__ import annotations

from forcecheck.diagnostics import Collector, a_or_an, did_you_mean, known_list
from forcecheck.policy import model as m
from forcecheck.scenario.schema import DEFAULT_POLICY_ID, RESERVED_EXPECT_KEYS, VERDICTS, ScenarioModel
from forcecheck.scenario.yamlsource import YamlDoc


class ExpectationCheck:
    """One scenario's expectations for one policy: `run` reports each problem into `out`."""

    def __init__(self, doc: YamlDoc, model: ScenarioModel, policy: m.Policy, out: Collector):
        self.doc, self.model, self.policy, self.out = doc, model, policy, out
        self.people = {p.id: p for p in model.people}
        self.events = {e.id: e for e in model.events}

    def run(self) -> None:
        accounts = {a.id for a in self.model.accounts}
        clauses = {c.id for c in self.policy.clauses}
        self._policies()
        found = self.model.expectations(self.policy.id)
        if found is None:
            return  # expectations for other policies only: this one does not judge them
        expect, base = found

        def clause_ok(cid: object, loc: tuple, key: bool = True) -> None:
            if cid not in clauses:
                self.out.error(self.doc.span(loc, key=key), "S029", f"unknown clause '{cid}'",
                               did_you_mean(str(cid), clauses) or "see `forcecheck clauses`")

        def account_ok(acc: str, loc: tuple) -> bool:
            if acc in accounts:
                return True
            self.out.error(self.doc.span(loc, key=True), "S018", f"expectations for unknown account '{acc}'",
                           did_you_mean(acc, accounts) or f"accounts: {known_list(accounts)}")
            return False

        for acc in sorted(accounts & set(RESERVED_EXPECT_KEYS)):
            i = [a.id for a in self.model.accounts].index(acc)
            self.out.error(self.doc.span(("accounts", i, "id")), "S010",
                           f"'{acc}' cannot be an account id: it is a reserved key of 'expect'",
                           "give the account another id, such as 'report' or 'witnesses'")
        for acc, by_clause in expect.by_account().items():
            if not account_ok(acc, (*base, acc)):
                continue
            if not isinstance(by_clause, dict):
                self.out.error(self.doc.span((*base, acc)), "S019",
                               f"{'.'.join(map(str, base))}.{acc} should map clause ids to verdicts",
                               "e.g. deadly-force-imminent-threat: met")
                continue
            for cid, wanted in by_clause.items():
                clause_ok(cid, (*base, acc, cid))
                if isinstance(wanted, dict) and "verdict" not in wanted:
                    for label, value in wanted.items():
                        self._item_label(cid, str(label), (*base, acc, cid, label))
                        self._expected_value(value, (*base, acc, cid, label))
                else:
                    self._expected_value(wanted, (*base, acc, cid))
        for j, cid in enumerate(expect.contested or ()):
            clause_ok(cid, (*base, "contested", j), key=False)
        for cid, keys in (expect.deciding or {}).items():
            clause_ok(cid, (*base, "deciding", cid))
            for j, key in enumerate(keys):
                subject, _, fact = key.partition(".")
                known = subject in self.people or subject in self.events or subject == "incident"
                if not known or not any(f.name == fact for f in self.policy.facts.values()):
                    self.out.error(self.doc.span((*base, "deciding", cid, j)), "S015",
                                   f"'{key}' is not a fact of this scenario", "write it as SUBJECT.FACT")
        for acc, cids in (expect.undetermined or {}).items():
            if account_ok(acc, (*base, "undetermined", acc)):
                for j, cid in enumerate(cids):
                    clause_ok(cid, (*base, "undetermined", acc, j), key=False)

    def _policies(self) -> None:
        """In a list of expectation blocks, each names a policy, once; a policy id no shipped
        policy has (nor the one checking) is reported, so a misspelt id never passes unchecked."""
        from forcecheck.scenario.schema import expectation_blocks

        expect = self.model.expect
        if not isinstance(expect, list) and expect.policy is None:
            return
        seen: set[str] = set()
        known = {self.policy.id, *shipped_policy_ids()}
        for block, loc in expectation_blocks(expect):
            where = self.doc.span((*loc, "policy") if block.policy else loc, key=block.policy is None)
            if block.policy is None and isinstance(expect, list) and len(expect) > 1:
                self.out.error(where, "S019", "each block in a list of expectations names its policy",
                               f"add 'policy: {DEFAULT_POLICY_ID}' (or the id of the policy it is for)")
            elif block.policy_id in seen:
                self.out.error(where, "S019", f"a second block of expectations for '{block.policy_id}'",
                               "merge them: one block per policy")
            elif block.policy_id not in known:
                self.out.error(where, "S019", f"no policy has the id '{block.policy_id}'",
                               did_you_mean(block.policy_id, sorted(known))
                               or f"policy ids: {known_list(sorted(known))}")
            seen.add(block.policy_id)

    def _item_label(self, clause_id: str, label: str, loc: tuple) -> None:
        """An expectation about one item names things the clause can apply to: 'shots', or
        'partner/kick' for a clause over officers and events. Otherwise it could never fail."""
        clause = self.policy.clause(clause_id)
        if clause is None:
            return
        parts = label.split("/")
        kinds = [b.role or ("event" if b.domain == m.EVENT else "person") for b in clause.bindings]
        example = "/".join(kinds) or "nothing: it applies to the incident"
        if len(parts) != len(kinds):
            self.out.error(self.doc.span(loc, key=True), "S026", f"'{label}' is not something "
                           f"'{clause_id}' applies to", f"its items are named {example}")
            return
        for part, b in zip(parts, clause.bindings, strict=True):
            if b.domain == m.EVENT:
                ok, pool = part in self.events, list(self.events)
            else:
                pool = [p.id for p in self.model.people if b.role is None or p.role == b.role]
                ok = part in pool
            if not ok:
                kind = b.role or ("event" if b.domain == m.EVENT else "person")
                self.out.error(self.doc.span(loc, key=True), "S026",
                               f"'{part}' in '{label}' is not {a_or_an(kind)} of this scenario, so "
                               f"'{clause_id}' cannot apply to it",
                               did_you_mean(part, pool) or f"items are named {example}")
                return

    def _expected_value(self, value: object, loc: tuple) -> None:
        """A verdict, or {verdict: ..., because: [...]}."""
        if isinstance(value, dict):
            for key in value:
                if key not in ("verdict", "because", "possible"):
                    self.out.error(self.doc.span((*loc, key), key=True), "S002",
                                   f"unknown key '{key}' in an expectation",
                                   did_you_mean(str(key), ["verdict", "because", "possible"])
                                   or "an expectation has 'verdict', 'because' and 'possible'")
            possible = value.get("possible")
            if possible is not None and (not isinstance(possible, list) or len(possible) < 2 or any(
                    v not in ("met", "breached", "not_applicable") for v in possible)):
                self.out.error(self.doc.span((*loc, "possible")), "S019",
                               "'possible' lists two or more of met, breached, not_applicable",
                               "the verdicts an undetermined verdict can still become")
            because = value.get("because", [])
            if not isinstance(because, list) or not all(isinstance(b, str) for b in because):
                self.out.error(self.doc.span((*loc, "because")), "S019",
                               "'because' lists facts (SUBJECT.FACT) or definition names",
                               "e.g. because: [shots.threat_of_death_or_serious_injury]")
            names = {*self.policy.definitions, *self.policy.unsettled,
                     *(k.id for k in self.policy.constraints),
                     *(f.name for f in self.policy.facts.values())}
            for j, b in enumerate(because if isinstance(because, list) else ()):
                if isinstance(b, str) and b.rpartition(".")[2] not in names:
                    self.out.error(self.doc.span((*loc, "because", j)), "S015",
                                   f"'{b}' is not a fact, definition, constraint or open question "
                                   "of the policy",
                                   did_you_mean(b.rpartition(".")[2], names))
                elif isinstance(b, str) and "." in b:
                    subject = b.partition(".")[0]
                    things = [*self.people, *self.events, "incident"]
                    if subject not in things:
                        self.out.error(self.doc.span((*loc, "because", j)), "S012",
                                       f"'{subject}' in '{b}' is not a person, an event or 'incident' "
                                       "of this scenario", did_you_mean(subject, things))
            value = value.get("verdict")
            loc = (*loc, "verdict")
        if value not in VERDICTS:
            self.out.error(self.doc.span(loc), "S019", f"'{value}' is not a verdict",
                           did_you_mean(str(value), VERDICTS) or f"verdicts: {', '.join(VERDICTS)}")


def shipped_policy_ids() -> tuple[str, ...]:
    """The ids of the shipped policies (`dhs-uof`, ...), read once per process."""
    global _SHIPPED_IDS
    if _SHIPPED_IDS is None:
        from forcecheck.diagnostics import InputError
        from forcecheck.policy.load import load_policy, shipped_policies

        ids = []
        for _, path in shipped_policies():
            try:
                ids.append(load_policy(path).policy.id)
            except InputError:
                continue
        _SHIPPED_IDS = tuple(ids)
    return _SHIPPED_IDS


_SHIPPED_IDS: tuple[str, ...] | None = None

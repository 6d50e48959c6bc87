"""Build the report model from the results: each thing a report shows, worked out once.

The builder numbers the disputed facts and open questions, words each verdict and says what
it rests on, and turns each trace into `TraceStep`s, so no renderer walks the results itself.
"""

from __future__ import annotations

from forcecheck.engine.analysis import Unknown
from forcecheck.evaluation.explain import Names, definition_readings, show_value
from forcecheck.evaluation.results import ClauseVerdict, FactUse, ItemVerdict, ScenarioResult, Step
from forcecheck.policy import model as m
from forcecheck.policy.model import rule_text
from forcecheck.report import answer as a_
from forcecheck.report import wording as w
from forcecheck.report.model import (
    AccountInfo,
    AccountVerdict,
    Answer,
    Assignment,
    Assumption,
    Attribution,
    Case,
    Cell,
    ClauseCard,
    ClauseVerdictCell,
    Contested,
    Coverage,
    Decided,
    DefinitionReading,
    Dispute,
    DisputedFact,
    Event,
    FactInfo,
    Hypothetical,
    Item,
    Part,
    Person,
    PolicyInfo,
    Question,
    QuestionsReport,
    Quote,
    Report,
    Row,
    ScenarioQuestions,
    ScenarioReport,
    Settlement,
    Source,
    Tool,
    TraceStep,
    Value,
    Waiting,
    _clean,
)
from forcecheck.version import __version__


def _value(v: object) -> Value:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v  # type: ignore[return-value]


_PLAIN = (bool, int, float, type(None))


def _made(cls, **fields):
    """`cls(**fields)` without pydantic's validation, for the parts a report has thousands of
    (trace steps, items, what they wait on): the builder gives every field its type, and each
    string passes through `_clean`, as the models' validator would pass it. Same model, same
    JSON bytes."""
    for k, v in fields.items():
        t = type(v)
        if t is str:
            if not (v.isascii() and v.isprintable()):
                fields[k] = _clean(v)
        elif t not in _PLAIN and not isinstance(v, Part):
            fields[k] = _clean(v)  # lists, dicts, and anything else the validator would clean
    return cls.model_construct(**fields)


def _quote(q: m.QuoteRef, policy: m.Policy) -> Quote:
    doc = policy.documents.get(q.document)
    return _made(Quote, document=q.document, document_title=doc.title if doc else None, section=q.section,
                 provenance=q.provenance, citation=w.citation(q), text=q.text, caveat=w.caveat(q))


def _cell(account: str, cv: ClauseVerdict) -> Cell:
    return Cell(account=account, verdict=cv.verdict, possible=list(cv.possible), exact=cv.exact,
                short=w.possible_cell(cv.possible, cv.clause),
                words=w.possible_words(cv.possible, cv.clause))


class _ReportBuilder:
    def __init__(self, r: ScenarioResult, traces: bool = True):
        self.traces = traces
        self.r = r
        self.sc = r.scenario
        self.names = Names(r.policy, r.scenario)
        self.urls = {s.id: s.url for s in self.sc.model.sources}
        self.account_names = {a.account.id: a.account.name for a in r.accounts}
        self.fact_refs: dict[str, str] = {}
        self.question_refs: dict[str, str] = {}
        self._steps: dict[int, tuple[Step, TraceStep]] = {}  # by the id of a trace step
        self._waiting: dict[Unknown, Waiting] = {}

    def label(self, subject: str) -> str:
        return self.names.subject(subject) or "the incident"

    def build(self) -> ScenarioReport:
        r, sc = self.r, self.sc.model
        disputed = self.disputed_facts()
        questions = self.questions()
        columns = [*r.accounts, *([r.hypothetical.result] if r.hypothetical else [])]
        table = [Row(clause=c.id, title=c.title, strength=c.strength, binding=c.binding,
                     restates=c.restates, contested=r.contested(c.id), changed=_changed(r, c.id),
                     cells=[_cell(a.account.id, a.clause(c.id)) for a in columns])
                 for c in r.clauses]
        contested = [Contested(clause=c.id, title=c.title,
                               cells=[_cell(a.account.id, a.clause(c.id)) for a in r.accounts],
                               facts=self.clause_facts(c.id),
                               disputes=[Dispute(from_account=d.from_account, to_account=d.to_account,
                                                 from_possible=list(d.from_possible),
                                                 to_possible=list(d.to_possible), smallest=d.smallest,
                                                 facts=[self.fact_refs[f"{f.subject}.{f.fact}"]
                                                        for f in d.facts])
                                         for d in r.disputes.get(c.id, ())])
                     for c in r.clauses if r.contested(c.id)]
        titles = [a_.account_title(a.account.name) for a in r.accounts]
        return ScenarioReport(
            answer=a_.answer(titles, table, disputed, questions),
            id=sc.id, title=sc.title, kind=sc.kind, file=self.sc.path, date=sc.date, time=sc.time,
            place=sc.place, summary=" ".join(sc.summary.split()),
            sources=[Source(**s.model_dump()) for s in sc.sources],
            people=[Person(id=p.id, role=p.role, label=self.names.person(p.id), description=p.description,
                           agency=p.agency, accounts=self.present(p.accounts)) for p in sc.people],
            events=self.events(), accounts=self.accounts(), hypothetical=self.hypothetical(),
            answered=self.answered(), table=table, contested=contested, disputed_facts=disputed,
            questions=questions,
            clauses=[self.card(c) for c in r.clauses if r.implicated(c.id)], breached=r.breached,
            analysis_cut=r.analysis_cut)

    def present(self, only: list[str] | None) -> list[str]:
        ids = [a.account.id for a in self.r.accounts]
        return ids if only is None else [i for i in ids if i in only]

    def accounts(self) -> list[AccountInfo]:
        out = []
        for a in self.r.accounts:
            timeline = list(a.account.sequence) or [
                e.id for e in self.sc.model.events if e.accounts is None or a.account.id in e.accounts]
            cov = a.account.coverage
            coverage = Coverage(partial=cov[0], note=cov[1], words=w.coverage_words(*cov)) if cov else None
            out.append(AccountInfo(id=a.account.id, name=a.account.name, sources=list(a.account.sources),
                                   summary=a.account.summary, coverage=coverage, timeline=timeline))
        return out

    def events(self) -> list[Event]:
        on: dict[str, list[str]] = {}
        for a in self.r.accounts:
            for cv in a.clauses:
                if cv.possible == ("not_applicable",):
                    continue
                for item in cv.items:
                    for _, ident in item.on:
                        on.setdefault(ident, [])
                        if cv.clause.id not in on[ident]:
                            on[ident].append(cv.clause.id)
        orders = {tuple(a.timeline) for a in self.accounts()}
        out = []
        for i, e in enumerate(self.sc.model.events, 1):
            present = self.present(e.accounts)
            out.append(Event(
                id=e.id, position=i, time=e.time, actor=e.actor, action=e.action,
                action_text=self.names.action(e.action), target=e.target,
                label=self.names.event(e.id).split(" (", 1)[1][:-1],
                description=" ".join(e.description.split()), accounts=present,
                title=a_.first_sentence(" ".join(e.description.split())) or
                self.names.event(e.id).split(" (", 1)[1][:-1],
                differs=len(present) != len(self.r.accounts) or _order_differs(orders, e.id),
                clauses=[c.id for c in self.r.clauses if c.id in on.get(e.id, [])]))
        return out

    def answered(self) -> list[Answer]:
        """The open policy questions every account was read with (`--settle`)."""
        given = next((a.account.unsettled for a in self.r.accounts if not a.account.hypothetical), {})
        specs = self.r.policy.unsettled
        return [Answer(question=name, text=specs[name].question, value=value, value_text=w.value_word(value),
                       verbatim=specs[name].verbatim is value)
                for name, value in sorted(given.items()) if name in specs]

    def hypothetical(self) -> Hypothetical | None:
        h = self.r.hypothetical
        if h is None:
            return None
        start = f"the {self.account_names.get(h.base, h.base)} account" if h.base else \
            "the undisputed facts only"
        out = []
        for c in h.changes:
            if c.subject == "policy":
                was = "the policy text leaves it open"
            elif c.before is None:
                was = "no account states it" if h.base else "the undisputed facts do not state it"
            else:
                was = f"{start} gives {w.value_word(c.before)}"
            out.append(Assumption(subject=c.subject, fact=c.fact, question=c.question,
                                  before=_value(c.before), assumed=_value(c.after), was=was))
        verdicts = [ClauseVerdictCell(clause=cv.clause.id, **_cell(h.result.account.id, cv).model_dump())
                    for cv in h.result.clauses]
        return Hypothetical(base=h.base, name=h.result.account.name, start=start, assumptions=out,
                            verdicts=verdicts)

    # -- facts the accounts dispute, and open questions --------------------------------------

    def disputed_facts(self) -> list[DisputedFact]:
        seen: dict[str, DisputedFact] = {}
        for clause in self.r.clauses:
            for d in self.r.disputes.get(clause.id, ()):
                for f in d.facts:
                    key = f"{f.subject}.{f.fact}"
                    if key in seen:
                        continue
                    ref = f"F{len(seen) + 1}"
                    self.fact_refs[key] = ref
                    positions = [self.attribution(p.account, p.value, p.stated_by, p.source, p.quote,
                                                  p.note, p.inferred) for p in f.positions]
                    stated = [p for p in f.positions if p.stated_by is not None]
                    conflict = len({repr(p.value) for p in stated}) > 1
                    alone = [self.account_names.get(p.account, p.account) for p in stated]
                    standing = w.conflict("this fact") if conflict else \
                        f"only {' and '.join(alone)} state{'s' if len(alone) == 1 else ''} it" if alone \
                        else "no account states it"
                    seen[key] = DisputedFact(ref=ref, subject=f.subject, subject_label=self.label(f.subject),
                                             fact=f.fact, key=key, question=f.question, conflict=conflict,
                                             standing=standing, positions=positions)
        return list(seen.values())

    def attribution(self, account: str, value, stated_by, source, quote, note, inferred) -> Attribution:
        title = self.sc.source_title(source) or source
        return Attribution(account=account, value=_value(value), value_text=w.value_word(value),
                           stated_by=stated_by, source=source, source_title=title,
                           source_url=self.urls.get(source) if source else None, quote=quote, note=note,
                           inferred=inferred,
                           text=w.statement(stated_by, title, quote, note, self.sc, inferred))

    def clause_facts(self, clause_id: str) -> list[str]:
        refs: list[str] = []
        for d in self.r.disputes.get(clause_id, ()):
            for f in d.facts:
                ref = self.fact_refs[f"{f.subject}.{f.fact}"]
                if ref not in refs:
                    refs.append(ref)
        return sorted(refs, key=lambda x: int(x[1:]))

    def questions(self) -> list[Question]:
        """The open questions ranked by how many verdicts each decides (a policy question that
        decides most comes first, whatever the engine's order), ties in the engine's order."""
        out = []
        ranked = sorted(self.r.questions, key=lambda q: -len(q.decides))
        for n, q in enumerate(ranked, 1):
            u = q.unknown
            ref = f"Q{n}"
            self.question_refs[u.key] = ref
            values = "|".join(w.value_word(v) for v in u.values)
            out.append(Question(
                ref=ref, subject=u.subject, subject_label=self.label(u.subject), fact=u.fact, key=u.key,
                question=u.question, values=[_value(v) for v in u.values],
                assume=f"{u.key}={values}" if values else None,
                decides=[Decided(account=a, clause=c, on=on, ways=_ways(self.r, a, c, on, u))
                         for a, c, on in q.decides]))
        return out

    # -- clauses -----------------------------------------------------------------------------

    def card(self, clause: m.Clause) -> ClauseCard:
        r = self.r
        verdicts = [self.account_verdict(a.account.id, a.account.name, a.clause(clause.id))
                    for a in r.accounts]
        hypo = None
        if r.hypothetical:
            res = r.hypothetical.result
            hypo = self.account_verdict(res.account.id, res.account.name, res.clause(clause.id))
        possibly = any("breached" in v.possible for v in [*verdicts, *([hypo] if hypo else [])])
        return ClauseCard(
            id=clause.id, title=clause.title, strength=clause.strength, binding=clause.binding,
            contested=r.contested(clause.id), highlighted=possibly or r.contested(clause.id),
            quotes=[_quote(q, r.policy) for q in clause.quotes], reading=clause.reading,
            rule=rule_text(clause),
            # Found from the traces, and shown only with them.
            definition_readings=[DefinitionReading(definition=d.name, title=d.title, reading=d.reading or "")
                                 for d in (definition_readings(r, clause.id) if self.traces else ())],
            facts=self.clause_facts(clause.id), verdicts=verdicts, hypothetical=hypo)

    def account_verdict(self, account: str, name: str, cv: ClauseVerdict) -> AccountVerdict:
        items = [self.item(cv, i) for i in cv.items]
        words, why = w.possible_words(cv.possible, cv.clause), self.why(cv)
        readings = {self.text_reading(cv, i) for i in cv.items if i.verdict == "undetermined"}
        if len(readings) == 1 and None not in readings:  # waits only on an open policy question
            words, why = f"undetermined: {readings.pop()}", ""  # the words say what it waits on
        return AccountVerdict(account=account, name=name, verdict=cv.verdict, possible=list(cv.possible),
                              exact=cv.exact, words=words, why=why, items=items)

    def why(self, cv: ClauseVerdict) -> str:
        """One line: the stated facts a settled verdict rests on, or the questions an open one
        waits on."""
        if not cv.items:
            return "it applies to nothing in this account"
        if cv.verdict == "undetermined":
            refs = []
            for item in cv.items:
                if item.verdict != "undetermined":
                    continue
                for u in item.unknowns:
                    ref = self.question_refs.get(u.key)
                    if ref and ref not in refs:
                        refs.append(ref)
            refs.sort(key=lambda x: int(x[1:]))
            return "waits on " + ", ".join(refs) if refs else "waits on facts no answer settles alone"
        decisive = [i for i in cv.items if i.verdict == cv.verdict]
        facts: list[str] = []
        for item in decisive:
            steps = [item.requirement] if cv.verdict in ("met", "breached") else [item.trigger]
            for step in steps:
                if step is None:
                    continue
                for f in _decisive_facts(step):
                    key = f"{f.fact.subject}.{f.fact.fact}"
                    shown = self.fact_refs.get(key) or _brief(f.fact, self.names)
                    entry = f"{shown}: {w.value_word(f.value)}"
                    if entry not in facts:
                        facts.append(entry)
        if cv.verdict == "not_applicable":
            return "it applies to nothing in this account" if not facts else "it does not apply: " + \
                "; ".join(facts[:3])
        if any(i.cases for i in decisive) and not facts:
            return "whichever way the unknown facts go"
        if not facts:
            return "from the timeline alone"
        more = f"; and {len(facts) - 4} more" if len(facts) > 4 else ""
        return "rests on " + "; ".join(facts[:4]) + more

    def text_reading(self, cv: ClauseVerdict, i: ItemVerdict) -> str | None:
        """'met under the policy's text; breached only if ...' for an open verdict the text
        settles and only an open policy question reopens (`wording.text_reading`)."""
        if i.verdict != "undetermined" or not i.search_complete:
            return None
        return w.text_reading([(st.verdict, st.assignments) for st in i.settlements], cv.clause,
                              self.r.policy.unsettled, lambda u: self.question_refs.get(u.key))

    def item(self, cv: ClauseVerdict, i: ItemVerdict) -> Item:
        about = ", ".join(self.names.subject(x) or x for _, x in i.on) or "the incident"
        case_on = None
        if i.case_on is not None:
            case_on = _waiting(i.case_on)
        return _made(
            Item, on={var: ident for var, ident in i.on}, label=i.label, about=about, verdict=i.verdict,
            possible=list(i.possible), exact=i.exact,
            words=(f"undetermined: {reading}" if (reading := self.text_reading(cv, i)) else
                   w.possible_words(i.possible, cv.clause)),
            case_on=case_on,
            cases=[_made(Case, value=_value(c.value), value_text=w.value_word(c.value),
                         possible=list(c.possible.verdicts), ruled_out_by=list(c.ruled_out_by),
                         given=[f"{s}.{f}" for s, f in c.given]) for c in i.cases],
            trigger=self.step(i.trigger) if self.traces and i.trigger else None,
            requirement=self.step(i.requirement) if self.traces else None,
            unknowns=[self.waiting(u) for u in i.unknowns],
            settlements=[_made(Settlement, verdict=s.verdict,
                               when=[_made(Assignment, subject=u.subject, fact=u.fact, key=u.key,
                                           question=u.question, value=_value(v), value_text=w.value_word(v))
                                     for u, v in s.assignments]) for s in i.settlements],
            search_complete=i.search_complete)

    def waiting(self, u: Unknown) -> Waiting:
        """What an item waits on; many items wait on the same unknowns, and share it."""
        found = self._waiting.get(u)
        if found is None:
            found = self._waiting[u] = _waiting(u)
        return found

    def step(self, s: Step) -> TraceStep:
        """The report's form of a trace step. Items share steps (`Explainer.step`), and so
        share their report form, made once."""
        hit = self._steps.get(id(s))
        if hit is None:
            hit = self._steps[id(s)] = (s, self._step(s))  # the step is kept: its id stays its own
        return hit[1]

    def _step(self, s: Step) -> TraceStep:
        fact = None
        if s.fact is not None:
            f = s.fact
            fact = _made(FactInfo, subject=f.subject, subject_label=self.label(f.subject), fact=f.fact,
                            question=f.question, value=_value(f.value), stated_by=f.stated_by,
                            source=f.source, source_title=f.source_title, quote=f.quote, note=f.note,
                            inferred=f.inferred, said=w.who_states(f, self.sc))
        text = s.text
        if s.fact is not None and s.fact.subject not in ("incident", "nobody"):
            text = f"{self.label(s.fact.subject)}: {s.text}"
        return _made(TraceStep, kind=s.kind, text=text, rule=s.rule, value=_value(s.value),
                         value_text=show_value(s.value), ref=s.ref, fact=fact,
                         quote=_quote(s.quote, self.r.policy) if s.quote else None,
                         children=[self.step(c) for c in s.children])


def _waiting(u: Unknown) -> Waiting:
    return _made(Waiting, subject=u.subject, fact=u.fact, question=u.question,
                 values=[_value(v) for v in u.values])


def _brief(f: FactUse, names: Names) -> str:
    who = names.subject(f.subject)
    return f"{who}: {f.question}" if who else f.question


def _decisive_facts(step: Step) -> list[Step]:
    """The stated fact steps that make a (pruned) trace's value what it is, each once."""
    from forcecheck.evaluation.explain import prune

    out: list[Step] = []
    todo = [prune(step)]
    seen: set[str | None] = set()
    while todo:
        s = todo.pop(0)
        if s.fact is not None and s.fact.stated_by is not None and s.value is not None \
                and s.ref not in seen:
            seen.add(s.ref)
            out.append(s)
        todo[:0] = list(s.children)
    return out


def _order_differs(orders: set[tuple[str, ...]], event: str) -> bool:
    """Do the accounts place this event differently among the events they all have?"""
    common = set.intersection(*(set(t) for t in orders)) if orders else set()
    if event not in common:
        return False
    places = {tuple(x for x in t if x in common).index(event) for t in orders}
    return len(places) > 1


def _changed(r: ScenarioResult, clause_id: str) -> bool:
    h = r.hypothetical
    if h is None or h.base is None:
        return False
    base = next((a for a in r.accounts if a.account.id == h.base), None)
    return base is not None and base.clause(clause_id).possible != h.result.clause(clause_id).possible


def _ways(r: ScenarioResult, account: str, clause_id: str, label: str, u: Unknown) -> str:
    """'if yes, met; if no, breached' from the settlements that need this fact alone."""
    acc = next(a for a in r.accounts if a.account.id == account)
    item = next(i for i in acc.clause(clause_id).items if i.label == label)
    alone = [(v, s.verdict) for s in item.settlements for x, v in s.assignments
             if len(s.assignments) == 1 and x.key == u.key]
    if not alone:
        return "with other facts"
    return "; ".join(f"if {w.value_word(v)}, {w.VERDICT_WORDS[verdict]}" for v, verdict in alone)


def _policy(policy: m.Policy) -> PolicyInfo:
    return PolicyInfo(id=policy.id, title=policy.title, document=policy.document, version=policy.version,
                      sha256=policy.digest)


def build(results: list[ScenarioResult], traces: bool = True) -> Report:
    """The report of `results`; without `traces`, the items carry no trace and the clauses no
    definition readings (found from the traces): the default text report shows neither, and a
    large scenario's traces cost more than everything else. Traces are worked out when first
    read, so without them only the few a summary line rests on are."""
    policy = results[0].policy if results else None
    under = [a_.account_title(a.account.name) + (f" ({r.scenario.model.id})" if len(results) > 1 else "")
             for r in results for a in r.accounts
             if any(c.verdict == "breached" and c.clause.counted for c in a.clauses)]
    return Report(tool=Tool(version=__version__), policy=_policy(policy) if policy else None,
                  scenarios=[_ReportBuilder(r, traces).build() for r in results],
                  breached=any(r.breached for r in results), disclaimer=w.DISCLAIMER,
                  status=a_.status(under, len(results)))


def build_questions(results: list[ScenarioResult]) -> QuestionsReport:
    return QuestionsReport(tool=Tool(version=__version__),
                           scenarios=[ScenarioQuestions(id=r.scenario.id, title=r.scenario.model.title,
                                                        questions=_ReportBuilder(r).questions())
                                      for r in results])

"""Static checks: resolve every name, type every expression, build a `model.Policy`.

All problems in one pass, each at file:line:col: unknown names (with a did-you-mean), type
errors, duplicate ids, clauses without a quote or a requirement, unknown provenance labels,
cycles among definitions, and unused vocabulary (a warning). The checker never evaluates
anything; it only decides what each word of the rule text means. This module reads the
declarations and checks the policy as a whole; the conditions inside them are checked by
`expressions`, which it extends.
"""

from __future__ import annotations

from pathlib import Path as FsPath

from forcecheck.diagnostics import Collector, Span, did_you_mean, known_list
from forcecheck.policy import model as m
from forcecheck.policy import syntax as s
from forcecheck.policy.expressions import ExpressionChecker, Scope

POLICY_FIELDS = ("title", "document", "version")
DOCUMENT_FIELDS = ("title", "text", "citation")
CLAUSE_FIELDS = ("title", "reading", "concept", "restates")
CONSTRAINT_FIELDS = ("reason",)
DEFINITION_FIELDS = ("reading",)


def _inside(folder: FsPath, path: str) -> bool:
    """Does `path` resolve (links and '..' followed) to somewhere under `folder`?"""
    try:
        return FsPath(path).resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # ValueError: a NUL byte in the path
        return False


def check_policy(parsed: s.PolicyFile) -> m.Policy:
    """Check one parsed policy file; raises `InputError` listing every error found."""
    return _Checker(parsed).run()


class _Checker(ExpressionChecker):
    def __init__(self, parsed: s.PolicyFile):
        self.parsed = parsed
        self.out = Collector()
        self.used: set[str] = set()  # "fact:<key>", "def:<name>", "unsettled:<name>"
        self.calls: dict[str, set[str]] = {}
        self.current_def: str | None = None

    # -- the pass ------------------------------------------------------------------------

    def run(self) -> m.Policy:
        decls = self.parsed.declarations
        header = self._header([d for d in decls if isinstance(d, s.PolicyDecl)])
        self.documents = self._documents([d for d in decls if isinstance(d, s.DocumentDecl)])
        self.roles = self._named([d for d in decls if isinstance(d, s.RoleDecl)], "role")
        self.actions = self._named([d for d in decls if isinstance(d, s.ActionDecl)], "action")
        self.facts = self._facts([d for d in decls if isinstance(d, s.FactDecl)])
        self.unsettled: dict[str, m.UnsettledSpec] = {}
        for d in decls:
            if isinstance(d, s.UnsettledDecl) and self._unique(self.unsettled, d.name, "unsettled question"):
                self.unsettled[d.name.text] = m.UnsettledSpec(d.name.text, d.question, d.name.span,
                                                              d.verbatim)
        exclusive = [g for d in decls if isinstance(d, s.ExclusiveDecl) if (g := self._exclusive(d))]
        def_decls = [d for d in decls if isinstance(d, s.Definition)]
        self.def_signatures: dict[str, s.Definition] = {}
        for d in def_decls:
            if self._unique(self.def_signatures, d.name, "definition"):
                self.def_signatures[d.name.text] = d
        definitions = {}
        for d in def_decls:
            if self.def_signatures.get(d.name.text) is d:
                spec = self._definition(d)
                if spec:
                    definitions[spec.name] = spec
        clauses: list[m.Clause] = []
        constraints: list[m.Constraint] = []
        seen: dict[str, s.Name] = {}
        for d in decls:
            if isinstance(d, s.ClauseDecl):
                first = self._unique(seen, d.name, d.kind)
                seen.setdefault(d.name.text, d.name)
                # A duplicate is still checked, to report all errors.
                if d.kind == "constraint":
                    constraint = self._constraint(d)
                    if constraint and first:
                        constraints.append(constraint)
                    continue
                clause = self._clause(d)
                if clause and first:
                    clauses.append(clause)
        self._restatements(clauses, [d for d in decls if isinstance(d, s.ClauseDecl)])
        self._cycles()
        if not self.out.errors:
            self._depth(definitions, [*clauses, *constraints])
        if not self.out.errors:  # after an error, "unused" is mostly a consequence of it
            self._unused()
        self.out.raise_if_errors()
        return m.Policy(
            id=header["id"], title=header["title"], document=header["document"],
            version=header["version"], path=self.parsed.path, documents=self.documents,
            roles=self.roles, actions=self.actions, facts=self.facts, unsettled=self.unsettled,
            definitions=definitions, clauses=clauses, exclusive=exclusive, constraints=constraints,
            warnings=self.out.warnings,
        )

    # -- declarations --------------------------------------------------------------------

    def _unique(self, seen: dict, name: s.Name, what: str) -> bool:
        if name.text in seen:
            first = seen[name.text]
            where = getattr(first, "span", None) or getattr(getattr(first, "name", None), "span", None)
            at = f" (first declared at line {where.line})" if where else ""
            self.out.error(name.span, "C001", f"duplicate {what} '{name.text}'{at}",
                           "give each one its own name")
            return False
        return True

    def _fields(self, fields: tuple[s.Field, ...], allowed: tuple[str, ...], what: str) -> dict[str, str]:
        values: dict[str, str] = {}
        for f in fields:
            if f.name.text not in allowed:
                hint = did_you_mean(f.name.text, allowed) or f"{what} fields are: {', '.join(allowed)}"
                self.out.error(f.name.span, "C002", f"unknown {what} field '{f.name.text}'", hint)
            elif f.name.text in values:
                self.out.error(f.name.span, "C001", f"'{f.name.text}' is given twice in this {what}")
            else:
                values[f.name.text] = f.value
        return values

    def _header(self, decls: list[s.PolicyDecl]) -> dict[str, str]:
        if not decls:
            self.out.error(Span(self.parsed.path, 1, 1), "C003", "this file has no 'policy' header",
                           'start it with: policy ID { title "..." document "..." version "..." }')
            return {"id": "", "title": "", "document": "", "version": ""}
        for extra in decls[1:]:
            self.out.error(extra.name.span, "C001", "a policy file has one 'policy' header")
        d = decls[0]
        values = self._fields(d.fields, POLICY_FIELDS, "policy")
        for required in POLICY_FIELDS:
            if required not in values:
                self.out.error(d.name.span, "C003", f"the policy header needs a '{required}'")
        return {"id": d.name.text, **{k: values.get(k, "") for k in POLICY_FIELDS}}

    def _documents(self, decls: list[s.DocumentDecl]) -> dict[str, m.Document]:
        docs: dict[str, m.Document] = {}
        seen: dict[str, s.Name] = {}
        for d in decls:
            if not self._unique(seen, d.name, "document"):
                continue
            seen[d.name.text] = d.name
            values = self._fields(d.fields, DOCUMENT_FIELDS, "document")
            for required in ("title", "text"):
                if required not in values:
                    self.out.error(d.name.span, "C003", f"document '{d.name.text}' needs a '{required}'",
                                   f'add: {required} "..."')
            folder = FsPath(self.parsed.path).parent
            text_file = str(folder / values.get("text", ""))
            if "text" in values and not _inside(folder, text_file):
                self.out.error(d.name.span, "C010", f"document '{d.name.text}': its text "
                               f"'{values['text']}' is not a file in the policy's folder",
                               "ship the source text beside the policy file (a relative path inside "
                               "its folder)")
            docs[d.name.text] = m.Document(d.name.text, values.get("title", ""), text_file,
                                           values.get("citation", ""), d.name.span)
        return docs

    def _named(self, decls, what: str) -> dict[str, str]:
        out: dict[str, str] = {}
        spans: dict[str, s.Name] = {}
        for d in decls:
            if self._unique(spans, d.name, what):
                spans[d.name.text] = d.name
                out[d.name.text] = d.description
        return out

    def _facts(self, decls: list[s.FactDecl]) -> dict[str, m.FactSpec]:
        facts: dict[str, m.FactSpec] = {}
        seen: dict[str, s.Name] = {}
        subjects = ("incident", "event", "person", *self.roles)
        for d in decls:
            if d.subject.text not in subjects:
                self.out.error(d.subject.span, "C004", f"facts are about {', '.join(subjects)}; "
                               f"not '{d.subject.text}'", did_you_mean(d.subject.text, subjects))
                continue
            # A fact name is unique per kind of subject; person and role facts share one space.
            space = d.subject.text if d.subject.text in ("incident", "event") else "person"
            key = f"{space}:{d.name.text}"
            if key in seen:
                self.out.error(d.name.span, "C001", f"duplicate fact '{d.name.text}' "
                               f"(first declared at line {seen[key].span.line})")
                continue
            seen[key] = d.name
            values = tuple(v.text for v in d.type.values)
            for i, v in enumerate(d.type.values):
                if v.text in values[:i]:
                    self.out.error(v.span, "C001", f"'{v.text}' is listed twice")
            if not d.question.strip():
                self.out.error(d.name.span, "C003", "a fact needs its plain-language question")
            spec = m.FactSpec(d.subject.text, d.name.text, d.type.kind, values, d.question, d.name.span)
            facts[spec.key] = spec
        return facts

    def _exclusive(self, d: s.ExclusiveDecl) -> m.ExclusiveGroup | None:
        subjects, names = set(), []
        for subject, name in d.facts:
            spec = self.facts.get(f"{subject.text}.{name.text}")
            if spec is None:
                pool = [f.key for f in self.facts.values()]
                self.out.error(name.span, "N001", f"unknown fact '{subject.text}.{name.text}'",
                               did_you_mean(f"{subject.text}.{name.text}", pool))
                return None
            if spec.kind != "yes_no":
                self.out.error(name.span, "T001", f"'{spec.key}' is not a yes/no fact",
                               "only yes/no facts can be declared exclusive")
                return None
            subjects.add(spec.subject)
            names.append(spec.name)
        if len(subjects) > 1:
            self.out.error(d.facts[0][0].span, "T001", "exclusive facts must be about the same kind "
                           f"of subject, not {' and '.join(sorted(subjects))}")
            return None
        return m.ExclusiveGroup(subjects.pop(), tuple(names), d.reason)

    def _quote(self, q: s.Quote) -> m.QuoteRef:
        if q.document.text not in self.documents:
            self.out.error(q.document.span, "C005", f"unknown document '{q.document.text}'",
                           did_you_mean(q.document.text, self.documents)
                           or f"declared documents: {known_list(self.documents) or 'none'}")
        if q.provenance.text not in m.PROVENANCE_LABELS:
            self.out.error(q.provenance.span, "C006", f"unknown provenance label '{q.provenance.text}'",
                           did_you_mean(q.provenance.text, m.PROVENANCE_LABELS)
                           or f"use one of: {', '.join(m.PROVENANCE_LABELS)}")
        if not q.text.strip():
            self.out.error(q.span, "C007", "a quote cannot be empty")
        return m.QuoteRef(q.document.text, q.section, q.provenance.text, q.text, q.span)

    def _definition(self, d: s.Definition) -> m.DefinitionSpec | None:
        scope = Scope()
        params, roles = [], []
        seen: dict[str, s.Name] = {}
        for p in d.params:
            t = self.param_type(p.type)
            if self._unique(seen, p.name, "parameter"):
                seen[p.name.text] = p.name
            if t:
                params.append((p.name.text, t[0]))
                roles.append(t[1])
                scope = scope.with_var(p.name.text, t[0], t[1])
        reading = self._fields(d.fields, DEFINITION_FIELDS, "definition").get("reading")
        self.current_def = d.name.text
        self.calls.setdefault(d.name.text, set())
        body = self.condition(d.body, scope)
        exceptions = []
        for e in d.exceptions:
            cond = self.condition(e.condition, scope)
            exceptions.append(m.Exclusion(cond, self._quote(e.quote)))
        self.current_def = None
        if body is None or len(params) != len(d.params):
            return None
        return m.DefinitionSpec(d.name.text, tuple(params), tuple(roles), d.title, body,
                                tuple(x for x in exceptions if x.condition is not None), d.span,
                                reading)

    def _clause(self, d: s.ClauseDecl) -> m.Clause | None:
        values = self._fields(d.fields, CLAUSE_FIELDS, "clause")
        ok = True

        def one(items, what: str, hint: str):
            nonlocal ok
            if not items:
                self.out.error(d.name.span, "C003", f"clause '{d.name.text}' has no {what}", hint)
                ok = False
                return None
            for extra in items[1:]:
                span = getattr(extra, "span", d.name.span)
                self.out.error(span, "C001", f"clause '{d.name.text}' has more than one {what}")
            return items[0]

        if "title" not in values:
            self.out.error(d.name.span, "C003", f"clause '{d.name.text}' has no title", 'add: title "..."')
        strength = one(d.strengths, "strength", "add: strength must | strength must not | strength should")
        if not d.quotes:
            self.out.error(d.name.span, "C008", f"clause '{d.name.text}' has no quote",
                           "every clause quotes its policy wording: quote DOC section \"...\" LABEL \"...\"")
            ok = False
        quotes = tuple(self._quote(q) for q in d.quotes)
        applies = one(d.applies, "'applies to'", "add: applies to each event e where ...")
        requirement = one(d.requirements, "'requires' or 'forbids'", "add: requires CONDITION")
        checked = self._rule(applies, requirement)
        if not ok or checked is None:
            return None
        bindings, where, req = checked
        return m.Clause(d.name.text, values.get("title", ""), strength.value, quotes,
                        values.get("reading"), bindings, where, requirement.kind, req, d.span,
                        values.get("concept"), values.get("restates"))

    def _rule(self, applies: s.Applies | None, requirement: s.Requirement | None
              ) -> tuple[tuple[m.BindingSpec, ...], m.Node | None, m.Node] | None:
        """The bindings, trigger and requirement of a clause or constraint, checked."""
        scope = Scope()
        bindings = []
        seen: dict[str, s.Name] = {}
        if applies is None:
            if requirement is not None:
                self.condition(requirement.expr, scope)
            return None
        for b in applies.bindings:
            t = self.param_type(b.domain)
            if self._unique(seen, b.var, "variable"):
                seen[b.var.text] = b.var
            if t:
                bindings.append(m.BindingSpec(b.var.text, t[0], t[1]))
                scope = scope.with_var(b.var.text, t[0], t[1])
        if len(bindings) != len(applies.bindings):
            return None  # the variables' kinds are unknown; checking further would only cascade
        where = self.condition(applies.where, scope) if applies.where else None
        req = self.condition(requirement.expr, scope) if requirement is not None else None
        if req is None or (applies.where and where is None):
            return None
        return tuple(bindings), where, req

    def _constraint(self, d: s.ClauseDecl) -> m.Constraint | None:
        values = self._fields(d.fields, CONSTRAINT_FIELDS, "constraint")
        name = d.name.text
        if "reason" not in values:
            self.out.error(d.name.span, "C003", f"constraint '{name}' has no reason",
                           'add: reason "..." (shown whenever an account or hypothesis breaks it)')
        for part in (*d.strengths, *d.quotes):
            self.out.error(part.span, "C002", f"a constraint has no {type(part).__name__.lower()}",
                           "constraints tie facts together; quotes and strengths belong to clauses")
        if len(d.applies) != 1 or len(d.requirements) != 1:
            self.out.error(d.name.span, "C003", f"constraint '{name}' needs one 'applies to' and one "
                           "'requires' or 'forbids'", "add: applies to each event e where ... requires ...")
            return None
        checked = self._rule(d.applies[0], d.requirements[0])
        if checked is None or "reason" not in values:
            return None
        bindings, where, req = checked
        return m.Constraint(name, values["reason"], bindings, where, d.requirements[0].kind, req, d.span)

    # -- whole-policy checks -------------------------------------------------------------

    def _restatements(self, clauses: list[m.Clause], decls: list[s.ClauseDecl]) -> None:
        """`restates "ID"` names another clause of this policy, of the same strength, that
        restates no other: a breach is then counted once, under the clause it restates."""
        by_id = {c.id: c for c in clauses}
        for c in clauses:
            if c.restates is None:
                continue
            decl = next(d for d in decls if d.name.text == c.id)
            span = next(f.span for f in decl.fields if f.name.text == "restates")
            other = by_id.get(c.restates)
            if other is None:
                self.out.error(span, "N001", f"clause '{c.id}' restates '{c.restates}', which is not a "
                               "clause of this policy",
                               did_you_mean(c.restates, [i for i in by_id if i != c.id]) or
                               "clauses: " + known_list(i for i in by_id if i != c.id))
            elif other.id == c.id or other.restates is not None or other.binding != c.binding:
                why = ("itself" if other.id == c.id else f"'{other.id}', which restates another"
                       if other.restates is not None else f"'{other.id}', of another strength")
                self.out.error(span, "C012", f"clause '{c.id}' cannot restate {why}",
                               "restate a clause that restates none, both must (or both should)")

    def _cycles(self) -> None:
        """Definitions calling each other in a circle, found without recursion (a chain of
        thousands of definitions is checked like a chain of two)."""
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        for start in sorted(self.calls):
            if state.get(start):
                continue
            path: list[str] = [start]
            state[start] = 1
            pending: list[list[str]] = [sorted(self.calls.get(start, ()))]
            while pending:
                if not pending[-1]:
                    pending.pop()
                    state[path.pop()] = 2
                    continue
                callee = pending[-1].pop(0)
                if state.get(callee) == 1:
                    cycle = path[path.index(callee):] + [callee]
                    d = self.def_signatures[callee]
                    self.out.error(d.name.span, "C009", "definitions refer to each other in a circle: "
                                   + " -> ".join(cycle), "a definition may not depend on itself")
                    return
                if state.get(callee) == 2:
                    continue
                state[callee] = 1
                path.append(callee)
                pending.append(sorted(self.calls.get(callee, ())))

    def _depth(self, definitions: dict[str, m.DefinitionSpec], rules: list) -> None:
        """Every trace stays shallow enough to read and to render: conditions nested at most
        `MAX_EXPANDED_DEPTH` levels once each definition is expanded where it is used."""
        depth: dict[str, int] = {}
        order: list[str] = []  # callees before callers (no cycle: checked before)
        done: set[str] = set()
        for start in sorted(definitions):
            stack = [(start, False)]
            while stack:
                name, expanded = stack.pop()
                if expanded:
                    if name not in done:
                        done.add(name)
                        order.append(name)
                    continue
                if name in done:
                    continue
                stack.append((name, True))
                stack.extend((c, False) for c in sorted(self.calls.get(name, ())) if c not in done)
        for name in order:
            d = definitions[name]
            depth[name] = 1 + max([_nesting(d.body, depth), *(_nesting(x.condition, depth)
                                                                  for x in d.exceptions)])
            if depth[name] > MAX_EXPANDED_DEPTH:
                self.out.error(d.span, "C011", f"definition '{name}' nests its conditions "
                               f"{depth[name]} levels deep once the definitions it uses are expanded "
                               f"(at most {MAX_EXPANDED_DEPTH})",
                               "flatten the chain: call fewer definitions inside one another")
                return
        for rule in rules:
            n = max(_nesting(rule.requirement, depth), _nesting(rule.where, depth) if rule.where else 0)
            if n > MAX_EXPANDED_DEPTH:
                self.out.error(rule.span, "C011", f"'{rule.id}' nests its conditions {n} levels deep once "
                               f"its definitions are expanded (at most {MAX_EXPANDED_DEPTH})",
                               "flatten it: fewer nested 'not', 'and', 'or' and definitions")
                return

    def _unused(self) -> None:
        mine = self.parsed.path  # what a shared vocabulary declares need not be used by every policy
        for f in self.facts.values():
            if f"fact:{f.key}" not in self.used and f.span.path == mine:
                self.out.warning(f.span, "W001", f"fact '{f.key}' is declared but no rule uses it",
                                 "use it in a definition or clause, or remove it")
        for u in self.unsettled.values():
            if f"unsettled:{u.name}" not in self.used:
                self.out.warning(u.span, "W001", f"unsettled question '{u.name}' is never used")
        for d in self.def_signatures.values():
            if f"def:{d.name.text}" not in self.used and d.name.span.path == mine:
                self.out.warning(d.name.span, "W001", f"definition '{d.name.text}' is never used")


MAX_EXPANDED_DEPTH = 48  # conditions, with definitions expanded: what a trace can show


def _nesting(n: m.Node, defs: dict[str, int]) -> int:
    """How deep `n` nests, a call counting as deep as the definition it calls."""
    if isinstance(n, m.DefCall):
        return 1 + max([defs.get(n.name, 1), *(_nesting(a, defs) for a in n.args)])
    children: tuple = ()
    if isinstance(n, m.AndNode | m.OrNode):
        children = n.operands
    elif isinstance(n, m.NotNode | m.MemberNode | m.RoleNode):
        children = (n.operand,)
    elif isinstance(n, m.CompareNode | m.OrderNode):
        children = (n.left, n.right)
    elif isinstance(n, m.QuantNode):
        children = (n.body,)
    elif isinstance(n, m.EventAttr) or isinstance(n, m.FactRef) and n.subject is not None:
        children = (n.subject,)
    return 1 + max((_nesting(c, defs) for c in children), default=0)

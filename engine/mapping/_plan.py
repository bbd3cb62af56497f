"""Mapping specs compiled into closures: the hot path of the mapping stage.

A :class:`MappingSpec` is data (rules, paths, transform calls). Interpreting that data for every
rule of every message re-decides, each time, which kind of rule it is, whether the first
transform takes a list, where a dataset field sits, which keyword arguments a transform gets.
:func:`plan_for` makes those decisions once per spec: each rule becomes one closure that only
does the work the message needs (walk its paths, run its pre-bound transform chain, write its
field, record lineage). The semantics are exactly those of the rule interpreter this replaced
(same values, lineage and diagnostics, in the same order): the golden tests and
``tests/mapping/test_plan.py`` hold them.

Lineage is recorded when the caller asks (``run_spec(lineage=True)``, the default: the
in-memory API, ``--lineage``, the authoring tools); a store run without ``--lineage`` skips
it, since nobody reads it there and it can be derived again from the stored source message.
It is built from the ``seen`` list each rule fills anyway: one small tuple per value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostic, RuleRef, SourcePos, diag
from ..readers._source import SourceField, SourceMessage, SourceNode
from ._dataset import Lineage, _group_factory, make_lineage
from ._paths import RecordWalker, ValueWalker, compile_path, record_walker, value_walker
from ._spec import Group, MappingSpec, Rule, TransformCall
from ._transforms import Notes, TransformFailed

Seen = list[SourceField]
Loc = Mapping[str, Any]
ValueFn = Callable[["Run", SourceNode, Loc, Seen], Any]
ApplyFn = Callable[["Run", dict[str, Any], SourceNode, Loc, str], None]
GroupFn = Callable[["Run", dict[str, Any], SourceNode, str], None]
NO_LOC: Loc = {}  # the loop variables outside any for_each (never mutated)


class Run:
    """What one fragment's evaluation accumulates: diagnostics, lineage and ``let`` values."""

    __slots__ = ("diagnostics", "lineage", "msg", "root", "track", "var_sources", "vars")

    def __init__(self, msg: SourceMessage, root: SourceNode, *, track: bool = True) -> None:
        self.msg = msg
        self.root = root
        self.track = track  # record lineage (off where nobody reads it: a store run)
        self.diagnostics: list[Diagnostic] = []
        self.lineage: dict[str, Lineage] = {}
        self.vars: dict[str, Any] = {}
        self.var_sources: dict[str, Seen] = {}

    def problem(self, code: str, ref: RuleRef, message: str, seen: Seen,
                expected: Any = None, found: Any = None) -> None:
        """A diagnostic placed at the last source field the rule read (or the message)."""
        pos = seen[-1].pos if seen else SourcePos(file=self.msg.file, message=self.msg.index)
        self.diagnostics.append(diag(code, message, source=pos, rule=ref,
                                     expected=expected, found=found))


class _PathReader:
    """The ``path()`` / ``paths()`` functions offered to sandboxed expressions; records what
    the expression read so lineage stays complete."""

    __slots__ = ("root", "scope", "seen")

    def __init__(self, root: SourceNode, scope: SourceNode, seen: Seen) -> None:
        self.root, self.scope, self.seen = root, scope, seen

    def one(self, text: str) -> str | None:
        vals = _cached_walker(text)(self.scope, self.root)
        self.seen.extend(vals)
        return vals[0].text if vals else None

    def many(self, text: str) -> list[str]:
        vals = _cached_walker(text)(self.scope, self.root)
        self.seen.extend(vals)
        return [v.text for v in vals]


_WALKERS: dict[str, ValueWalker] = {}


def _cached_walker(text: str) -> ValueWalker:
    """Paths named in expressions (``path('cvd.payment')``), compiled once per text."""
    w = _WALKERS.get(text)
    if w is None:
        if len(_WALKERS) > 1024:  # texts built at run time must not grow it without bound
            _WALKERS.clear()
        w = _WALKERS[text] = value_walker(compile_path(text))
    return w


def present(v: Any) -> bool:
    """A value counts when it is a non-blank string, a list with one, or any other object."""
    if v is None:
        return False
    if isinstance(v, str):
        return v.strip() != ""
    if isinstance(v, list):
        return any(present(x) for x in v)
    return True


def scalar(v: Any) -> Any:
    """The first item of a list (transform arguments and keys are single values)."""
    if isinstance(v, list):
        return v[0] if v else None
    return v


# ------------------------------------------------------------------------- value sources
def _none_value(run: Run, scope: SourceNode, loc: Loc, seen: Seen) -> Any:
    return None


def _constant(value: Any) -> ValueFn:
    def const(run: Run, scope: SourceNode, loc: Loc, seen: Seen) -> Any:
        return value
    return const


def _paths_source(rule: Rule) -> ValueFn:
    """``from:``: the fields of every path, in order; one field gives its text unless the
    first transform wants a list."""
    walkers = tuple(value_walker(p) for p in rule.paths)
    wants_list = bool(rule.transforms) and rule.transforms[0].fn.takes_list
    if len(walkers) == 1:
        walk = walkers[0]

        def one_path(run: Run, scope: SourceNode, loc: Loc, seen: Seen) -> Any:
            fields = walk(scope, run.root)
            seen.extend(fields)
            if len(fields) == 1 and not wants_list:
                return fields[0].text
            return [f.text for f in fields]
        return one_path

    def many_paths(run: Run, scope: SourceNode, loc: Loc, seen: Seen) -> Any:
        fields: Seen = []
        for w in walkers:
            fields.extend(w(scope, run.root))
        seen.extend(fields)
        if len(fields) == 1 and not wants_list:
            return fields[0].text
        return [f.text for f in fields]
    return many_paths


def _var_source(name: str) -> ValueFn:
    def var(run: Run, scope: SourceNode, loc: Loc, seen: Seen) -> Any:
        seen.extend(run.var_sources.get(name, ()))
        return run.vars.get(name)
    return var


def _expression(fn: Callable[..., Any], ref: RuleRef) -> ValueFn:
    """A sandboxed expression; failures become MAP004/MAP007 and give no value."""
    def expr(run: Run, scope: SourceNode, loc: Loc, seen: Seen) -> Any:
        reader = _PathReader(run.root, scope, seen)
        try:
            out = fn(path=reader.one, paths=reader.many, var=run.vars, **loc)
        except TransformFailed as exc:
            run.problem("MAP004", ref, str(exc), seen, expected=exc.expected)
            return None
        except Exception as exc:  # sandbox security errors, type errors in analyst code
            run.problem("MAP007", ref, f"expression failed: {exc}", seen)
            return None
        if out is None or isinstance(out, str | list | bool):
            return out
        return str(out)
    return expr


def _first_of(rule: Rule, spec: MappingSpec) -> ValueFn:
    """The first alternative with a value wins as it is (this rule's own transforms, lookup
    and default apply only when none has one: then the default is the value)."""
    alts = tuple(compile_value(alt, spec) for alt in rule.first_of)
    fallback = None if rule.default is None else str(rule.default)

    def first_of(run: Run, scope: SourceNode, loc: Loc, seen: Seen) -> Any:
        for alt in alts:
            alt_seen: Seen = []
            v = alt(run, scope, loc, alt_seen)
            if present(v):
                seen.extend(alt_seen)
                return v
        return fallback
    return first_of


def _source(rule: Rule, spec: MappingSpec) -> ValueFn:
    if rule.paths:
        return _paths_source(rule)
    if rule.var is not None:
        return _var_source(rule.var)
    if rule.expr is not None:
        return _expression(rule.expr, rule.ref)
    return _constant(None if rule.literal is None else str(rule.literal))


# ------------------------------------------------------------------------ transform chain
@dataclass(frozen=True, slots=True)
class _Step:
    """One pre-bound transform call: literal keyword arguments fixed, dynamic ones compiled."""

    name: str
    func: Callable[..., Any]
    takes_list: bool
    args: dict[str, Any]
    dynamic: tuple[tuple[str, ValueFn], ...]


def _step(call: TransformCall, spec: MappingSpec) -> _Step:
    return _Step(call.fn.name, call.fn.func, call.fn.takes_list, dict(call.args),
                 tuple((name, compile_value(sub, spec)) for name, sub in call.dynamic))


def _chain(rule: Rule, spec: MappingSpec) -> Callable[[Run, Any, SourceNode, Loc, Seen], Any]:
    """Run the transforms in order; a failure drops the value (MAP004), notes warn (MAP005),
    an empty result ends the chain."""
    steps = tuple(_step(c, spec) for c in rule.transforms)
    ref = rule.ref

    def chain(run: Run, value: Any, scope: SourceNode, loc: Loc, seen: Seen) -> Any:
        notes = Notes()
        for st in steps:
            kwargs = st.args
            if st.dynamic:
                kwargs = dict(kwargs)
                for name, sub in st.dynamic:
                    kwargs[name] = scalar(sub(run, scope, loc, seen))
            func = st.func
            try:
                if st.takes_list:
                    out = func(value if isinstance(value, list) else [value], notes, **kwargs)
                elif isinstance(value, list):
                    out = [r for r in (func(v, notes, **kwargs) for v in value) if r is not None]
                else:
                    out = func(value, notes, **kwargs)
            except TransformFailed as exc:
                run.problem("MAP004", ref, f"{st.name}: {exc}", seen,
                            expected=exc.expected, found=value)
                return None
            value = out
            if notes.items:
                for message, expected, found in notes.items:
                    run.problem("MAP005", ref, f"{st.name}: {message}", seen,
                                expected=expected, found=found if found is not None else value)
                notes.items.clear()
            if value is None or value == []:
                return value
        return value
    return chain


def _lookup(rule: Rule, spec: MappingSpec) -> Callable[[Run, Any, Seen], Any]:
    name = rule.lookup or ""
    ref = rule.ref

    def lookup(run: Run, value: Any, seen: Seen) -> Any:
        table = spec.lookups[name]

        def one(v: str) -> str | None:
            hit = table.get(v.strip())
            if hit is None:
                run.problem("MAP006", ref, f"{v!r} is not in lookup table {rule.lookup!r}",
                            seen, expected=", ".join(sorted(table))[:200], found=v)
            return hit
        if isinstance(value, list):
            return [h for h in (one(v) for v in value) if h is not None]
        return one(str(value))
    return lookup


def _when(test: Callable[..., Any], ref: RuleRef, inner: ValueFn) -> ValueFn:
    """``when:`` false gives no value at all (not even the default)."""
    cond = _expression(test, ref)

    def guarded(run: Run, scope: SourceNode, loc: Loc, seen: Seen) -> Any:
        if not cond(run, scope, loc, seen):
            return None
        return inner(run, scope, loc, seen)
    return guarded


def compile_value(rule: Rule, spec: MappingSpec) -> ValueFn:
    """The closure computing ``rule``'s value (str, list of str or None); it appends the
    source fields it read to ``seen``."""
    if rule.explicit_none is not None:
        return _none_value
    fn = _first_of(rule, spec) if rule.first_of else _with_post(rule, spec, _source(rule, spec))
    return fn if rule.when is None else _when(rule.when, rule.ref, fn)


def _with_post(rule: Rule, spec: MappingSpec, source: ValueFn) -> ValueFn:
    """Transforms, lookup and default after the source, each only when the rule has it."""
    if not rule.transforms and rule.lookup is None and rule.default is None:
        return source
    chain = _chain(rule, spec) if rule.transforms else None
    lookup = _lookup(rule, spec) if rule.lookup is not None else None
    default = None if rule.default is None else str(rule.default)

    def post(run: Run, scope: SourceNode, loc: Loc, seen: Seen) -> Any:
        v = source(run, scope, loc, seen)
        if chain is not None and v is not None and v != []:
            v = chain(run, v, scope, loc, seen)
        if lookup is not None and present(v):
            v = lookup(run, v, seen)
        if default is not None and not present(v):
            v = default
        return v
    return post


# ----------------------------------------------------------------------- writing fields
def _describe_source(rule: Rule) -> str:
    if rule.paths:
        return " or ".join(p.text for p in rule.paths)
    if rule.first_of:
        return " | ".join(_describe_source(r) for r in rule.first_of)
    return rule.target


def compile_field(rule: Rule, spec: MappingSpec) -> ApplyFn:
    """The closure that evaluates ``rule`` in a scope and writes its dataset field, lineage
    and diagnostics (MAP003 required, MAP005 several values, MAP008 defaulted)."""
    value = compile_value(rule, spec)
    *parents, leaf = rule.target.split(".")
    path_tail = rule.target
    ref, note, required = rule.ref, rule.note, rule.required
    described = _describe_source(rule)
    warn_default = rule.default is not None and bool(rule.note)

    def apply(run: Run, target: dict[str, Any], scope: SourceNode, loc: Loc,
              prefix: str) -> None:
        seen: Seen = []
        v = value(run, scope, loc, seen)
        if not present(v):
            if required:
                run.diagnostics.append(diag(
                    "MAP003", required, rule=ref,
                    source=_scope_pos(run, scope),
                    expected=described, found="nothing"))
            return
        node = target
        for name in parents:
            node = node[name]
        if isinstance(node.get(leaf), list):  # list field
            node[leaf] = v if isinstance(v, list) else [v]
        else:
            if isinstance(v, list):
                vals = [x for x in v if present(x)]
                if len(vals) > 1:
                    run.diagnostics.append(diag(
                        "MAP005", f"{len(vals)} source values for a single field; the first "
                        "is used (add a transform such as first, join or concat to say which)",
                        rule=ref, found=" | ".join(vals)[:200]))
                v = vals[0] if vals else None
            node[leaf] = v
        if run.track:
            run.lineage[prefix + path_tail] = make_lineage(
                ref, tuple([(f.text, f.pos) for f in seen]), note)
        if warn_default and not seen:
            run.diagnostics.append(diag("MAP008", note, rule=ref, source=scope.pos, found=v))
    return apply


def compile_group(group: Group, spec: MappingSpec) -> GroupFn:
    """The closure that repeats a group's rules over its source records (``or_once``: over
    the scope itself when there is none)."""
    records: RecordWalker = record_walker(group.for_each)
    *parents, leaf = group.target.split(".")
    fields = tuple(compile_field(r, spec) for r in group.rules)
    groups = tuple(compile_group(g, spec) for g in group.groups)
    factory = _group_factory(group.dataset_group)
    gtarget, or_once = group.target, group.or_once

    def repeat(run: Run, target: dict[str, Any], scope: SourceNode, prefix: str) -> None:
        recs = records(scope, run.root)
        if not recs and or_once:
            recs = [scope]
        holder = target
        for name in parents:
            holder = holder[name]
        items: list[dict[str, Any]] = holder[leaf]
        count = len(recs)
        for i, rec in enumerate(recs, start=1):
            item = factory()
            ipath = f"{prefix}{gtarget}[{len(items) + 1}]."
            loc = {"index": i, "count": count}
            for f in fields:
                f(run, item, rec, loc, ipath)
            for g in groups:
                g(run, item, rec, ipath)
            items.append(item)
    return repeat


# --------------------------------------------------------------------------- whole spec
@dataclass(frozen=True, slots=True)
class Plan:
    """A spec ready to run: every rule, group, ``let`` and the key as closures."""

    spec: MappingSpec
    scopes: RecordWalker | None  # fragments_from: one fragment per record
    lets: tuple[tuple[str, ValueFn], ...]
    fields: tuple[ApplyFn, ...]
    groups: tuple[GroupFn, ...]
    key: ValueFn | None


def _compile(spec: MappingSpec) -> Plan:
    return Plan(
        spec=spec,
        scopes=None if spec.fragments_from is None else record_walker(spec.fragments_from),
        lets=tuple((let.target[4:], compile_value(let, spec)) for let in spec.lets),
        fields=tuple(compile_field(r, spec) for r in spec.rules),
        groups=tuple(compile_group(g, spec) for g in spec.groups),
        key=None if spec.key is None else compile_value(spec.key, spec))


_PLANS: dict[int, Plan] = {}


def plan_for(spec: MappingSpec) -> Plan:
    """The compiled plan of ``spec``, made on first use. Keyed by identity (specs are
    immutable); bounded so specs loaded per batch (``--mappings``) do not pile up."""
    plan = _PLANS.get(id(spec))
    if plan is None or plan.spec is not spec:
        if len(_PLANS) > 64:
            _PLANS.clear()
        plan = _PLANS[id(spec)] = _compile(spec)
    return plan


def _scope_pos(run: Run, scope: SourceNode) -> SourcePos:
    """Where a missing value was looked for: the record in scope, with every coordinate its
    reader gave (line, segment, byte offset, XPath), in this message."""
    pos = scope.pos
    if pos.file == run.msg.file and pos.message == run.msg.index:
        return pos
    return SourcePos(file=run.msg.file, message=run.msg.index, line=pos.line,
                     column=pos.column, segment=pos.segment, offset=pos.offset, xpath=pos.xpath)

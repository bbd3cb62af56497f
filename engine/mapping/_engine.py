"""Evaluating a compiled spec on one source message: dataset fragments with lineage.

A fragment is a full dataset skeleton in which the spec filled its part (``master``, ``houses``
or ``transport``), plus the lineage of every value and the diagnostics of the mapping. The
assembler (``_assemble``) joins fragments of one shipment. Bad data never raises here: a failing
transform or condition gives a diagnostic naming the spec line and the source position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic, SourcePos, diag
from ..readers._source import SourceField, SourceMessage, SourceNode
from ._dataset import Lineage, dataset_skeleton, new_group
from ._paths import SourcePath, compile_path
from ._spec import Group, MappingSpec, Rule
from ._transforms import Notes, TransformFailed


@dataclass(slots=True, kw_only=True)
class Fragment:
    """What one spec produced from one message (or from one record of it, for FFM)."""

    spec: MappingSpec
    message: SourceMessage
    produces: str
    key: str
    data: dict[str, Any]
    lineage: dict[str, Lineage] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


class _PathReader:
    """The ``path()`` / ``paths()`` functions offered to sandboxed expressions; records what
    the expression read so lineage stays complete."""

    __slots__ = ("root", "scope", "seen")

    def __init__(self, root: SourceNode, scope: SourceNode, seen: list[SourceField]) -> None:
        self.root, self.scope, self.seen = root, scope, seen

    def one(self, text: str) -> str | None:
        vals = _cached_path(text).values(self.scope, self.root)
        self.seen.extend(vals)
        return vals[0].text if vals else None

    def many(self, text: str) -> list[str]:
        vals = _cached_path(text).values(self.scope, self.root)
        self.seen.extend(vals)
        return [v.text for v in vals]


_PATH_CACHE: dict[str, SourcePath] = {}


def _cached_path(text: str) -> SourcePath:
    """Paths named in expressions (``path('cvd.payment')``), compiled once per text."""
    p = _PATH_CACHE.get(text)
    if p is None:
        p = _PATH_CACHE[text] = compile_path(text)
    return p


class _Evaluator:
    def __init__(self, spec: MappingSpec, msg: SourceMessage) -> None:
        self.spec = spec
        self.msg = msg
        self.root = msg.root
        self.diagnostics: list[Diagnostic] = []
        self.lineage: dict[str, Lineage] = {}
        self.vars: dict[str, Any] = {}
        self.var_sources: dict[str, list[SourceField]] = {}

    # -- one rule -----------------------------------------------------------------------
    def value(self, rule: Rule, scope: SourceNode, loc: dict[str, Any],
              seen: list[SourceField]) -> Any:
        """The rule's value (str, list of str or None); appends the fields read to ``seen``."""
        if rule.explicit_none is not None:
            return None
        if rule.when is not None and not self._expr(rule, rule.when, scope, loc, seen):
            return None
        if rule.first_of:
            for alt in rule.first_of:
                alt_seen: list[SourceField] = []
                v = self.value(alt, scope, loc, alt_seen)
                if _present(v):
                    seen.extend(alt_seen)
                    return v
            v = None
        elif rule.paths:
            fields: list[SourceField] = []
            for p in rule.paths:
                fields.extend(p.values(scope, self.root))
            seen.extend(fields)
            v = [f.text for f in fields] if (len(fields) != 1 or _wants_list(rule)) \
                else fields[0].text
        elif rule.var is not None:
            v = self.vars.get(rule.var)
            seen.extend(self.var_sources.get(rule.var, ()))
        elif rule.expr is not None:
            v = self._expr(rule, rule.expr, scope, loc, seen)
        else:
            v = None if rule.literal is None else str(rule.literal)
        if rule.transforms and v is not None and v != []:
            v = self._transform(rule, v, scope, loc, seen)
        if rule.lookup is not None and _present(v):
            v = self._lookup(rule, v, seen)
        if not _present(v) and rule.default is not None:
            v = str(rule.default)
        return v

    def _context(self, scope: SourceNode, loc: dict[str, Any],
                 seen: list[SourceField]) -> dict[str, Any]:
        reader = _PathReader(self.root, scope, seen)
        return {"path": reader.one, "paths": reader.many, "var": self.vars, **loc}

    def _expr(self, rule: Rule, fn: Any, scope: SourceNode, loc: dict[str, Any],
              seen: list[SourceField]) -> Any:
        try:
            out = fn(**self._context(scope, loc, seen))
        except TransformFailed as exc:
            self._problem("MAP004", rule, str(exc), seen, expected=exc.expected)
            return None
        except Exception as exc:  # sandbox security errors, type errors in analyst code
            self._problem("MAP007", rule, f"expression failed: {exc}", seen)
            return None
        if out is None or isinstance(out, str | list):
            return out
        if isinstance(out, bool):
            return out
        return str(out)

    def _transform(self, rule: Rule, value: Any, scope: SourceNode, loc: dict[str, Any],
                   seen: list[SourceField]) -> Any:
        for call in rule.transforms:
            kwargs = dict(call.args)
            for name, sub in call.dynamic:
                kwargs[name] = _scalar(self.value(sub, scope, loc, seen))
            notes = Notes()
            try:
                if call.fn.takes_list:
                    seq = value if isinstance(value, list) else [value]
                    value = call.fn.func(seq, notes, **kwargs)
                elif isinstance(value, list):
                    value = [r for r in (call.fn.func(v, notes, **kwargs) for v in value)
                             if r is not None]
                else:
                    value = call.fn.func(value, notes, **kwargs)
            except TransformFailed as exc:
                self._problem("MAP004", rule, f"{call.fn.name}: {exc}", seen,
                              expected=exc.expected, found=value)
                return None
            for message, expected, found in notes.items:
                self._problem("MAP005", rule, f"{call.fn.name}: {message}", seen,
                              expected=expected, found=found if found is not None else value)
            if value is None or value == []:
                return value
        return value

    def _lookup(self, rule: Rule, value: Any, seen: list[SourceField]) -> Any:
        table = self.spec.lookups[rule.lookup or ""]
        def one(v: str) -> str | None:
            hit = table.get(v.strip())
            if hit is None:
                self._problem("MAP006", rule, f"{v!r} is not in lookup table {rule.lookup!r}",
                              seen, expected=", ".join(sorted(table))[:200], found=v)
            return hit
        if isinstance(value, list):
            return [h for h in (one(v) for v in value) if h is not None]
        return one(str(value))

    def _problem(self, code: str, rule: Rule, message: str, seen: list[SourceField],
                 expected: Any = None, found: Any = None) -> None:
        pos = seen[-1].pos if seen else SourcePos(file=self.msg.file, message=self.msg.index)
        self.diagnostics.append(diag(code, message, source=pos, rule=rule.ref,
                                     expected=expected, found=found))

    # -- scopes ---------------------------------------------------------------------------
    def apply(self, rules: tuple[Rule, ...], target: dict[str, Any], scope: SourceNode,
              loc: dict[str, Any], prefix: str) -> None:
        for rule in rules:
            seen: list[SourceField] = []
            v = self.value(rule, scope, loc, seen)
            path = prefix + rule.target
            if not _present(v):
                if rule.required:
                    self.diagnostics.append(diag(
                        "MAP003", rule.required, rule=rule.ref,
                        source=SourcePos(file=self.msg.file, message=self.msg.index,
                                         line=scope.pos.line),
                        expected=_describe_source(rule), found="nothing"))
                continue
            _assign(target, rule.target, v, rule, self)
            self.lineage[path] = Lineage(
                rule=rule.ref, sources=tuple((f.text, f.pos) for f in seen), note=rule.note)
            if rule.default is not None and not seen and rule.note:
                self.diagnostics.append(diag("MAP008", rule.note, rule=rule.ref,
                                             source=scope.pos, found=v))

    def group(self, group: Group, target: dict[str, Any], scope: SourceNode, prefix: str) -> None:
        records = group.for_each.records(scope, self.root)
        if not records and group.or_once:
            records = [scope]
        *parents, leaf = group.target.split(".")
        holder = target
        for name in parents:
            holder = holder[name]
        items: list[dict[str, Any]] = holder[leaf]
        count = len(records)
        for i, rec in enumerate(records, start=1):
            item = new_group(group.dataset_group)
            ipath = f"{prefix}{group.target}[{len(items) + 1}]."
            loc = {"index": i, "count": count}
            self.apply(group.rules, item, rec, loc, ipath)
            for sub in group.groups:
                self.group(sub, item, rec, ipath)
            items.append(item)


def _wants_list(rule: Rule) -> bool:
    return bool(rule.transforms) and rule.transforms[0].fn.takes_list


def _present(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, str):
        return v.strip() != ""
    if isinstance(v, list):
        return any(_present(x) for x in v)
    return True


def _scalar(v: Any) -> Any:
    if isinstance(v, list):
        return v[0] if v else None
    return v


def _describe_source(rule: Rule) -> str:
    if rule.paths:
        return " or ".join(p.text for p in rule.paths)
    if rule.first_of:
        return " | ".join(_describe_source(r) for r in rule.first_of)
    return rule.target


def _assign(target: dict[str, Any], dotted: str, value: Any, rule: Rule, ev: _Evaluator) -> None:
    *parents, leaf = dotted.split(".")
    node = target
    for name in parents:
        node = node[name]
    current = node.get(leaf)
    if isinstance(current, list):  # list field
        node[leaf] = value if isinstance(value, list) else [value]
        return
    if isinstance(value, list):
        vals = [v for v in value if _present(v)]
        if len(vals) > 1:
            ev.diagnostics.append(diag(
                "MAP005", f"{len(vals)} source values for a single field; the first is used "
                "(add a transform such as first, join or concat to say which)",
                rule=rule.ref, found=" | ".join(vals)[:200]))
        value = vals[0] if vals else None
    node[leaf] = value


def run_spec(spec: MappingSpec, msg: SourceMessage, *, today: str = "") -> list[Fragment]:
    """Evaluate ``spec`` on ``msg``. FFM-style specs (``fragments_from``) give one fragment per
    record; others give exactly one. ``today`` (ISO date) anchors dates that carry no year."""
    scopes = (spec.fragments_from.records(msg.root, msg.root) if spec.fragments_from
              else [msg.root])
    out = []
    for scope in scopes:
        ev = _Evaluator(spec, msg)
        ev.vars["today"] = today or None
        for let in spec.lets:
            seen: list[SourceField] = []
            ev.vars[let.target[4:]] = ev.value(let, scope, {}, seen)
            ev.var_sources[let.target[4:]] = seen
        data = dataset_skeleton()
        ev.apply(spec.rules, data, scope, {}, "")
        for g in spec.groups:
            ev.group(g, data, scope, "")
        key = ""
        if spec.key is not None:
            key = str(_scalar(ev.value(spec.key, scope, {}, [])) or "")
        out.append(Fragment(spec=spec, message=msg, produces=spec.produces, key=key, data=data,
                            lineage=ev.lineage, diagnostics=ev.diagnostics))
    return out

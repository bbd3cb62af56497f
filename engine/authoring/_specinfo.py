"""A compiled spec seen as a list of rule sites: every rule with the dataset field it fills,
the source record it is evaluated on, and the source paths, variables, lookups and transforms
it uses. Lint, doc and coverage all read specs through this one walk."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jinja2 import nodes

from ..mapping._paths import SourcePath, compile_path
from ..mapping._spec import Group, MappingSpec, Rule, TransformCall, _sandbox

Scope = tuple[str, ...]  # record tags from the message root


@dataclass(frozen=True, slots=True, kw_only=True)
class PathUse:
    """One source path a rule reads, resolved against its scope: ``record`` is the dotted
    record path from the root (None when it climbs above the root), ``field`` the field read
    (None for a path to records: ``for_each``)."""

    path: SourcePath
    record: str | None
    field: str | None
    line: int | None
    rule_id: str
    steps: tuple[str, ...]  # record path of every step, to check selectors
    in_expr: bool = False
    # In an ``or_once`` group the rules run in the enclosing scope when there is no record:
    # the same path resolved there (a path may be meant for either scope).
    fallback: PathUse | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FilterUse:
    name: str
    positional: int
    keywords: tuple[str, ...]
    line: int | None
    rule_id: str


@dataclass(slots=True, kw_only=True)
class RuleSite:
    """One rule of the spec in context."""

    rule: Rule
    target: str  # dataset field pattern (``houses[].consignee.name``), ``let.x`` or ``key``
    scope: Scope
    group: Group | None = None
    outer: Scope | None = None  # the enclosing scope of an ``or_once`` group
    paths: list[PathUse] = field(default_factory=list)
    vars: set[str] = field(default_factory=set)
    lookups: set[str] = field(default_factory=set)
    transforms: list[TransformCall] = field(default_factory=list)
    filters: list[FilterUse] = field(default_factory=list)
    bad_expr_paths: list[str] = field(default_factory=list)


def resolve(path: SourcePath, scope: Scope, *, to_records: bool) -> tuple[Scope | None, str | None]:
    """The record path a source path ends on (and the field it reads)."""
    base: list[str] = [] if path.absolute else list(scope)
    for _ in range(path.up):
        if not base:
            return None, None
        base.pop()
    names = [s.name for s in path.steps]
    if to_records:
        return tuple(base + names), None
    return tuple(base + names[:-1]), names[-1]


def _use(path: SourcePath, scope: Scope, line: int | None, rule_id: str, *,
         to_records: bool = False, in_expr: bool = False,
         outer: Scope | None = None) -> PathUse:
    fallback = None if outer is None else _use(path, outer, line, rule_id,
                                               to_records=to_records, in_expr=in_expr)
    rec, fld = resolve(path, scope, to_records=to_records)
    steps: list[str] = []
    if rec is not None:
        base = list(rec[:len(rec) - len(path.steps) + (0 if to_records else 1)])
        for st in path.steps[:len(path.steps) - (0 if to_records else 1)]:
            base.append(st.name)
            steps.append(".".join(base))
    return PathUse(path=path, record=None if rec is None else ".".join(rec), field=fld,
                   line=line, rule_id=rule_id, steps=tuple(steps), in_expr=in_expr,
                   fallback=fallback)


@cache
def _parse(text: str) -> Any:
    try:
        return _sandbox().parse("{{ " + text + " }}")
    except Exception:  # the loader already reported an expression that does not compile
        return None


def _expression(site: RuleSite, text: str, line: int | None) -> None:
    tree = _parse(text)
    if tree is None:
        return
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in ("path", "paths"):
            for arg in call.args:
                if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                    try:
                        p = compile_path(arg.value)
                    except ValueError:
                        site.bad_expr_paths.append(arg.value)
                        continue
                    site.paths.append(_use(p, site.scope, line, site.rule.target,
                                           in_expr=True, outer=site.outer))
    for ga in tree.find_all(nodes.Getattr):
        if isinstance(ga.node, nodes.Name) and ga.node.name == "var":
            site.vars.add(ga.attr)
    for gi in tree.find_all(nodes.Getitem):
        if isinstance(gi.node, nodes.Name) and gi.node.name == "var" \
                and isinstance(gi.arg, nodes.Const):
            site.vars.add(str(gi.arg.value))
    for flt in tree.find_all(nodes.Filter):
        site.filters.append(FilterUse(name=flt.name, positional=len(flt.args),
                                      keywords=tuple(k.key for k in flt.kwargs), line=line,
                                      rule_id=site.rule.target))


def _collect(site: RuleSite, rule: Rule) -> None:
    line = rule.ref.line
    for p in rule.paths:
        site.paths.append(_use(p, site.scope, line, site.rule.target, outer=site.outer))
    if rule.var:
        site.vars.add(rule.var)
    if rule.lookup:
        site.lookups.add(rule.lookup)
    if rule.expr_text:
        _expression(site, rule.expr_text, line)
    if rule.when_text:
        _expression(site, rule.when_text, line)
    for alt in rule.first_of:
        _collect(site, alt)
    for call in rule.transforms:
        site.transforms.append(call)
        for _, sub in call.dynamic:
            _collect(site, sub)


def _site(rule: Rule, target: str, scope: Scope, group: Group | None,
          outer: Scope | None = None) -> RuleSite:
    s = RuleSite(rule=rule, target=target, scope=scope, group=group, outer=outer)
    _collect(s, rule)
    return s


def _groups(groups: tuple[Group, ...], prefix: str, scope: Scope,
            out: list[RuleSite], fe: list[PathUse]) -> None:
    for g in groups:
        fe.append(_use(g.for_each, scope, g.ref.line, g.target, to_records=True))
        rec, _ = resolve(g.for_each, scope, to_records=True)
        inner: Scope = rec if rec is not None else scope
        gpath = f"{prefix}{g.target}[]."
        for r in g.rules:
            out.append(_site(r, gpath + r.target, inner, g, scope if g.or_once else None))
        _groups(g.groups, gpath, inner, out, fe)


@dataclass(slots=True, kw_only=True)
class SpecInfo:
    spec: MappingSpec
    root_scope: Scope
    sites: list[RuleSite]
    for_each: list[PathUse]  # group for_each and fragments_from paths

    def targets(self) -> dict[str, RuleSite]:
        """Dataset field pattern -> its site (fields only, not lets/key)."""
        return {s.target: s for s in self.sites if not s.target.startswith(("let.", "key"))}


def spec_info(spec: MappingSpec) -> SpecInfo:
    fe: list[PathUse] = []
    root: Scope = ()
    if spec.fragments_from is not None:
        fe.append(_use(spec.fragments_from, (), None, "fragments_from", to_records=True))
        root = tuple(s.name for s in spec.fragments_from.steps)
    sites: list[RuleSite] = []
    for let in spec.lets:
        sites.append(_site(let, let.target, root, None))
    if spec.key is not None:
        sites.append(_site(spec.key, "key", root, None))
    for r in spec.rules:
        sites.append(_site(r, r.target, root, None))
    _groups(spec.groups, "", root, sites, fe)
    return SpecInfo(spec=spec, root_scope=root, sites=sites, for_each=fe)


def all_path_uses(info: SpecInfo) -> Iterator[PathUse]:
    yield from info.for_each
    for s in info.sites:
        yield from s.paths

"""``ensgate map explain``: the chain behind one value of a filing.

The rule that produced the value is evaluated again, step by step, on the same source record:
the source path and what each of its steps (and selectors) kept, the variables, expressions and
conditions, every transform with its arguments and result, the lookup, the default, the
result. The engine itself stays untouched (and fast); this evaluator follows the same
semantics with the public pieces (``SourcePath``, the transform library), and its result is
checked against the value in the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import RuleRef, SourcePos
from ..mapping._paths import SourcePath, compile_path
from ..mapping._plan import present  # the engine's own test of "a value is there"
from ..mapping._spec import Group, MappingSpec, Rule
from ..mapping._transforms import Notes, TransformFailed
from ..readers._source import SourceField, SourceMessage, SourceNode
from ._run import ISSUED, Run, specs_with
from ._specinfo import RuleSite, spec_info
from ._trace import TraceRow, trace_rows, where
from ._xpaths import strip_indices


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    depth: int
    kind: str  # scope, path, selector, var, expr, when, first_of, transform, lookup, default
    text: str
    value: Any = None
    sources: tuple[tuple[str, SourcePos], ...] = ()


@dataclass(slots=True, kw_only=True)
class Explanation:
    xpath: str
    row: TraceRow
    steps: list[Step] = field(default_factory=list)
    result: Any = None
    matches_dataset: bool = False
    message: str = ""  # when there is no rule to explain (site data, engine)


def _fmt(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(repr(x) for x in v) + "]"
    return repr(v)


class _Tracer:
    def __init__(self, spec: MappingSpec, msg: SourceMessage, today: str) -> None:
        self.spec, self.msg, self.root = spec, msg, msg.root
        self.vars: dict[str, Any] = {"today": today}
        self.steps: list[Step] = []
        self.quiet = True
        for let in spec.lets:
            self.vars[let.target[4:]] = self.value(let, msg.root, {}, [], 0)
        self.quiet = False

    def log(self, depth: int, kind: str, text: str, value: Any = None,
            seen: list[SourceField] | None = None) -> None:
        if not self.quiet:
            self.steps.append(Step(depth=depth, kind=kind, text=text, value=value,
                                   sources=tuple((f.text, f.pos) for f in seen or ())))

    def walk(self, path: SourcePath, scope: SourceNode, depth: int) -> None:
        """One line per step of a path: records kept before and after its selector."""
        if self.quiet:
            return
        node: list[SourceNode] = [scope]
        if path.absolute:
            node = [self.root]
            self.log(depth + 1, "selector", "$. start at the message root")
        for _ in range(path.up):
            self.log(depth + 1, "selector", "^. climb to the parent record")
        if path.up:
            return  # the values found are listed above; parents have no step to show
        for step in path.steps[:-1]:
            kids = [k for n in node for k in n.children.get(step.name, [])]
            kept = [k for k in kids if all(
                ("" if k.fields.get(c) is None else k.fields[c].text.strip()) == w
                for c, w in step.conditions)]
            cond = ("[" + ",".join(f"{c}={w}" for c, w in step.conditions) + "]"
                    if step.conditions else "")
            extra = f", {len(kept)} kept by {cond}" if cond else ""
            lines = ", ".join(str(k.pos.line) for k in kept[:6] if k.pos.line is not None)
            segs = ", ".join(str(k.pos.segment) for k in kept[:6]
                             if k.pos.line is None and k.pos.segment is not None)
            self.log(depth + 1, "selector",
                     f"{step.name}: {len(kids)} record(s){extra}"
                     + (f" (line {lines})" if lines else f" (segment {segs})" if segs else ""))
            node = kept

    def value(self, rule: Rule, scope: SourceNode, loc: dict[str, Any],
              seen: list[SourceField], depth: int) -> Any:
        if rule.explicit_none is not None:
            self.log(depth, "none", f"deliberately not mapped: {rule.explicit_none}")
            return None
        if rule.when is not None:
            w_seen: list[SourceField] = []
            ok = self.expr(rule.when, scope, loc, w_seen)
            seen.extend(w_seen)
            self.log(depth, "when", f"when {rule.when_text!r} is {bool(ok)}", ok, w_seen)
            if not ok:
                return None
        v: Any
        if rule.first_of:
            v = None
            for i, alt in enumerate(rule.first_of, start=1):
                self.log(depth, "first_of", f"alternative {i} (line {alt.ref.line})")
                alt_seen: list[SourceField] = []
                v = self.value(alt, scope, loc, alt_seen, depth + 1)
                if present(v):
                    seen.extend(alt_seen)
                    self.log(depth, "first_of", f"alternative {i} gives the value", v)
                    return v
            v = None
        elif rule.paths:
            fields: list[SourceField] = []
            for p in rule.paths:
                got = p.values(scope, self.root)
                self.log(depth, "path", f"from {p.text}: {len(got)} value(s)",
                         [f.text for f in got], got)
                self.walk(p, scope, depth)
                fields.extend(got)
            seen.extend(fields)
            wants_list = bool(rule.transforms) and rule.transforms[0].fn.takes_list
            v = [f.text for f in fields] if (len(fields) != 1 or wants_list) else fields[0].text
        elif rule.var is not None:
            v = self.vars.get(rule.var)
            self.log(depth, "var", f"var {rule.var}", v)
        elif rule.expr is not None:
            e_seen: list[SourceField] = []
            v = self.expr(rule.expr, scope, loc, e_seen)
            seen.extend(e_seen)
            self.log(depth, "expr", f"expr {rule.expr_text!r}", v, e_seen)
        else:
            v = None if rule.literal is None else str(rule.literal)
            self.log(depth, "value", "constant", v)
        if rule.transforms and v is not None and v != []:
            v = self.transform(rule, v, scope, loc, seen, depth)
        if rule.lookup is not None and present(v):
            table = self.spec.lookups[rule.lookup]
            before = v
            if isinstance(v, list):
                v = [h for h in (table.get(x.strip()) for x in v) if h is not None]
            else:
                v = table.get(str(v).strip())
            self.log(depth, "lookup", f"lookup {rule.lookup}: {_fmt(before)} -> {_fmt(v)}", v)
        if not present(v) and rule.default is not None:
            v = str(rule.default)
            self.log(depth, "default", "default used", v)
        return v

    def expr(self, fn: Any, scope: SourceNode, loc: dict[str, Any],
             seen: list[SourceField]) -> Any:
        def one(text: str) -> str | None:
            vals = compile_path(text).values(scope, self.root)
            seen.extend(vals)
            return vals[0].text if vals else None

        def many(text: str) -> list[str]:
            vals = compile_path(text).values(scope, self.root)
            seen.extend(vals)
            return [v.text for v in vals]

        try:
            out = fn(path=one, paths=many, var=self.vars, **loc)
        except Exception as exc:
            self.log(0, "expr", f"expression failed: {exc}")
            return None
        if out is None or isinstance(out, str | list | bool):
            return out
        return str(out)

    def transform(self, rule: Rule, value: Any, scope: SourceNode, loc: dict[str, Any],
                  seen: list[SourceField], depth: int) -> Any:
        for call in rule.transforms:
            kwargs = dict(call.args)
            for name, sub in call.dynamic:
                self.log(depth + 1, "argument", f"{call.fn.name} argument {name}:")
                sv = self.value(sub, scope, loc, seen, depth + 2)
                kwargs[name] = sv[0] if isinstance(sv, list) and sv else (
                    None if isinstance(sv, list) else sv)
            notes = Notes()
            before = value
            try:
                if call.fn.takes_list:
                    value = call.fn.func(value if isinstance(value, list) else [value], notes,
                                         **kwargs)
                elif isinstance(value, list):
                    value = [r for r in (call.fn.func(v, notes, **kwargs) for v in value)
                             if r is not None]
                else:
                    value = call.fn.func(value, notes, **kwargs)
            except TransformFailed as exc:
                self.log(depth, "transform", f"{call.fn.name} failed: {exc}", None)
                return None
            args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
            self.log(depth, "transform", f"{call.fn.name}({args}): {_fmt(before)} -> "
                     f"{_fmt(value)}" + "".join(f" [warning: {m}]" for m, _, _ in notes.items),
                     value)
            if value is None or value == []:
                return value
        return value


def _group_chain(spec: MappingSpec, site: RuleSite) -> list[Group]:
    """The nested groups from the top down to the site's group."""
    def find(groups: tuple[Group, ...], chain: list[Group]) -> list[Group] | None:
        for g in groups:
            if g is site.group:
                return [*chain, g]
            hit = find(g.groups, [*chain, g])
            if hit is not None:
                return hit
        return None

    return (find(spec.groups, []) or []) if site.group is not None else []


def _scopes(spec: MappingSpec, msg: SourceMessage,
            chain: list[Group]) -> list[tuple[SourceNode, dict[str, Any], str]]:
    tops = (spec.fragments_from.records(msg.root, msg.root) if spec.fragments_from
            else [msg.root])
    out: list[tuple[SourceNode, dict[str, Any], str]] = [(t, {}, "message root" if
                                                          spec.fragments_from is None else
                                                          f"{spec.fragments_from.text} "
                                                          f"record (line {t.pos.line})")
                                                         for t in tops]
    for g in chain:
        nxt: list[tuple[SourceNode, dict[str, Any], str]] = []
        for scope, _, label in out:
            recs = g.for_each.records(scope, msg.root)
            if not recs and g.or_once:
                recs = [scope]
            for i, r in enumerate(recs, start=1):
                nxt.append((r, {"index": i, "count": len(recs)},
                            f"{label} > {g.target} #{i} ({g.for_each.text}, line {r.pos.line})"))
        out = nxt
    return out


_INFO: dict[int, tuple[MappingSpec, list[RuleSite]]] = {}


def find_site(spec: MappingSpec, ref: RuleRef) -> RuleSite | None:
    cached = _INFO.get(id(spec))
    if cached is None or cached[0] is not spec:
        if len(_INFO) > 64:
            _INFO.clear()
        cached = _INFO[id(spec)] = (spec, spec_info(spec).sites)
    for site in cached[1]:
        r = site.rule.ref
        if r.line == ref.line and r.rule_id == ref.rule_id:
            return site
    return None


def explain(run: Run, xpath: str, *, rows: list[TraceRow] | None = None) -> Explanation | None:
    """Explain the value at ``xpath`` (positions optional: the first match is taken).
    ``rows``: the run's trace rows when already computed."""
    rows = trace_rows(run) if rows is None else rows
    row = next((r for r in rows if r.xpath == xpath), None) or next(
        (r for r in rows if strip_indices(r.xpath) == strip_indices(xpath)), None)
    if row is None:
        return None
    ex = Explanation(xpath=row.xpath, row=row, result=row.value)
    if row.rule is None or row.origin != "spec":
        ex.message = (f"{row.field} is set by the {row.origin}, not by a mapping rule"
                      + (f": {row.note}" if row.note else ""))
        ex.matches_dataset = True
        return ex
    spec = next((s for s in specs_with(run.spec) if s.file == row.rule.spec), None)
    site = None if spec is None else find_site(spec, row.rule)
    if spec is None or site is None:
        ex.message = f"rule {row.rule} not found in the specs of this run"
        return ex
    chain = _group_chain(spec, site)
    wanted = {(p.file, p.message, p.line, p.column) for _, p in row.sources}
    today = run.today or ISSUED.date().isoformat()
    best: tuple[int, list[Step], Any] | None = None
    for msg in run.messages:
        if not spec.matches(msg.format, msg.kind, msg.version):
            continue
        for scope, loc, label in _scopes(spec, msg, chain):
            tr = _Tracer(spec, msg, today)
            tr.log(0, "scope", f"{msg.label}: {label}")
            seen: list[SourceField] = []
            v = tr.value(site.rule, scope, loc, seen, 0)
            got = {(f.pos.file, f.pos.message, f.pos.line, f.pos.column) for f in seen}
            score = (2 if _same(v, row.value) else 0) + (1 if got == wanted else 0)
            if best is None or score > best[0]:
                best = (score, tr.steps, v)
            if score == 3:
                break
        if best is not None and best[0] == 3:
            break
    if best is not None:
        ex.steps, ex.result = best[1], best[2]
        ex.matches_dataset = best[0] >= 2
    return ex


def _same(v: Any, shown: str) -> bool:
    if isinstance(v, list):
        vals = [x for x in v if present(x)]
        return str(vals) == shown or (bool(vals) and vals[0] == shown) or shown in vals
    return str(v) == shown


def explain_text(ex: Explanation) -> str:
    lines = [f"{ex.xpath} = {ex.row.value!r}", f"  dataset field: {ex.row.field}"]
    if ex.message:
        lines.append("  " + ex.message)
        return "\n".join(lines) + "\n"
    lines.append(f"  rule: {ex.row.rule}")
    if ex.row.note:
        lines.append(f"  note: {ex.row.note}")
    for st in ex.steps:
        pad = "  " * (st.depth + 1)
        lines.append(f"{pad}- {st.text}" + (
            "" if st.value is None or st.kind in ("transform", "lookup", "selector",
                                                  "first_of", "scope")
            else f" = {_fmt(st.value)}"))
        for text, pos in st.sources[:6]:
            lines.append(f"{pad}    {where(pos)}: {text!r}")
    lines.append(f"  result: {_fmt(ex.result)}"
                 + ("" if ex.matches_dataset else "  (differs from the filing value: the "
                    "assembler or site data changed it afterwards)"))
    return "\n".join(lines) + "\n"

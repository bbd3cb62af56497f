"""Mapping specs: YAML written by analysts, checked and compiled once into rule objects.

A spec names its source message, what part of the ENS dataset it produces, and one rule per
dataset field. Rules read source paths (``_paths``), apply transforms from the documented
library (``_transforms``), look values up in code-list tables, and may carry a condition or an
expression evaluated in a Jinja sandbox (no Python in specs). Every error found while loading
cites the spec file, line and rule id (``SpecError``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..diagnostics import Diagnostic, RuleRef, SpecError, diag
from ._dataset import dataset_model
from ._expr import compile_expression
from ._paths import PathSyntaxError, SourcePath, compile_path
from ._transforms import TRANSFORMS, TransformDef, load_plugin_transforms
from ._yaml_lines import MarkedDict, MarkedList, line_of, load_marked

PRODUCES = ("master", "houses", "transport")
BUILTIN_VARS = ("today",)  # set by the engine: the processing date (ISO), anchors year-less dates
_RULE_KEYS = frozenset(
    ["from", "value", "var", "expr", "first_of", "transform", "lookup", "default", "when",
     "required", "note", "none"])
_GROUP_KEYS = frozenset(["for_each", "or_once", "fields", "each", "note"])
_TOP_KEYS = frozenset(
    ["ensgate-mapping", "id", "description", "source", "produces", "key", "fragments_from",
     "lookups", "let", "fields", "each"])


@dataclass(frozen=True, slots=True)
class TransformCall:
    fn: TransformDef
    args: tuple[tuple[str, Any], ...]  # literal values
    dynamic: tuple[tuple[str, Rule], ...]  # argument values computed by a sub-rule


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One compiled rule. ``ref`` cites spec file, line and rule id in diagnostics."""

    ref: RuleRef
    target: str
    paths: tuple[SourcePath, ...] = ()
    literal: Any = None
    var: str | None = None
    expr: Callable[..., Any] | None = None
    first_of: tuple[Rule, ...] = ()
    transforms: tuple[TransformCall, ...] = ()
    lookup: str | None = None
    default: Any = None
    when: Callable[..., Any] | None = None
    required: str | None = None  # message when no value results
    note: str = ""
    explicit_none: str | None = None  # ``none: reason``: deliberately not mapped
    expr_text: str = ""  # source text of ``expr`` / ``when`` (authoring tools: lint, explain)
    when_text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    ref: RuleRef
    target: str  # dataset group path relative to the parent scope, e.g. "houses"
    dataset_group: str  # name of the dataset group definition, e.g. "consignment"
    for_each: SourcePath
    or_once: bool
    rules: tuple[Rule, ...]
    groups: tuple[Group, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class MappingSpec:
    """A compiled mapping spec (immutable; safe to share between threads and processes)."""

    id: str
    file: str
    description: str
    source_format: str
    message: str
    versions: tuple[str, ...]
    produces: str
    key: Rule | None
    fragments_from: SourcePath | None
    lookups: dict[str, dict[str, str]]
    lets: tuple[Rule, ...]
    rules: tuple[Rule, ...]
    groups: tuple[Group, ...]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def matches(self, fmt: str, message: str, version: str) -> bool:
        return (fmt == self.source_format and message == self.message
                and (not self.versions or version in self.versions))


# ----------------------------------------------------------------------------- expressions
@cache
def _sandbox() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(autoescape=False)
    for name, tdef in TRANSFORMS.items():
        env.filters[name] = _as_filter(tdef)
    return env


def _as_filter(tdef: TransformDef) -> Callable[..., Any]:
    from ._transforms import Notes

    def run(value: Any, *args: Any, **kwargs: Any) -> Any:
        notes = Notes()
        if args:
            kwargs.update(zip(tdef.args, args, strict=False))
        if tdef.takes_list:
            seq = (list(value) if isinstance(value, list | tuple)
                   else ([] if value is None else [value]))
            return tdef.func(seq, notes, **kwargs)
        if value is None:
            return None
        if isinstance(value, list | tuple):
            return [tdef.func(str(v), notes, **kwargs) for v in value]
        return tdef.func(str(value), notes, **kwargs)

    return run


# ------------------------------------------------------------------------------ compiling
class _Compiler:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[Diagnostic] = []
        self.lookups: dict[str, dict[str, str]] = {}
        self.lets: set[str] = set(BUILTIN_VARS)

    def error(self, message: str, line: int | None, rule_id: str = "",
              expected: str | None = None, found: Any = None) -> None:
        self.errors.append(diag("MAP002", message, rule=RuleRef(spec=self.file, line=line,
                                                                  rule_id=rule_id),
                                expected=expected, found=found))

    def path(self, text: Any, line: int | None, rule_id: str) -> SourcePath | None:
        if not isinstance(text, str):
            self.error("a source path must be text", line, rule_id, "a path like awb.number",
                       text)
            return None
        try:
            return compile_path(text)
        except PathSyntaxError as exc:
            self.error(str(exc), line, rule_id, "a path like oci[info=CNE,control=T].text", text)
            return None

    def expression(self, text: Any, line: int | None, rule_id: str) -> Callable[..., Any] | None:
        if not isinstance(text, str):
            self.error("an expression must be text", line, rule_id, found=text)
            return None
        try:
            return compile_expression(text, _sandbox())
        except Exception as exc:  # jinja2 TemplateSyntaxError and friends
            self.error(f"expression does not compile: {exc}", line, rule_id, found=text)
            return None

    def rule(self, target: str, raw: Any, line: int | None) -> Rule | None:
        ref = RuleRef(spec=self.file, line=line, rule_id=target)
        if isinstance(raw, str):  # shorthand: a bare path
            p = self.path(raw, line, target)
            return None if p is None else Rule(ref=ref, target=target, paths=(p,))
        if not isinstance(raw, dict):
            self.error("a rule is a source path or a mapping of rule keys", line, target,
                       "from/value/expr/first_of ...", raw)
            return None
        unknown = sorted(set(raw) - _RULE_KEYS)
        if unknown:
            self.error(f"unknown rule key(s) {', '.join(unknown)}", line, target,
                       ", ".join(sorted(_RULE_KEYS)), ", ".join(unknown))
        kinds = [k for k in ("from", "value", "var", "expr", "first_of", "none") if k in raw]
        if len(kinds) != 1:
            self.error("a rule needs exactly one of from / value / var / expr / first_of / none",
                       line, target, "one value source", ", ".join(kinds) or "none")
            return None
        def kl(key: str) -> int | None:
            return line_of(raw, key) or line

        paths: list[SourcePath] = []
        if "from" in raw:
            items = raw["from"] if isinstance(raw["from"], list) else [raw["from"]]
            for item in items:
                p = self.path(item, kl("from"), target)
                if p is not None:
                    paths.append(p)
        var = raw.get("var")
        if var is not None and var not in self.lets:
            self.error(f"variable {var!r} is not defined in let (or is defined later)",
                       kl("var"), target, ", ".join(sorted(self.lets)), var)
        first_of: list[Rule] = []
        if "first_of" in raw:
            alts = raw["first_of"]
            if not isinstance(alts, list) or not alts:
                self.error("first_of needs a list of rules", kl("first_of"), target)
            else:
                for i, alt in enumerate(alts):
                    r = self.rule(f"{target}#{i + 1}", alt, line_of(alts) or kl("first_of"))
                    if r is not None:
                        first_of.append(r)
        transforms = self.transforms(raw.get("transform"), kl("transform"), target)
        lookup = raw.get("lookup")
        if lookup is not None and lookup not in self.lookups:
            self.error(f"lookup table {lookup!r} is not defined", kl("lookup"), target,
                       ", ".join(sorted(self.lookups)), lookup)
        required = raw.get("required")
        return Rule(
            ref=ref, target=target, paths=tuple(paths), literal=raw.get("value"), var=var,
            expr=self.expression(raw["expr"], kl("expr"), target) if "expr" in raw else None,
            first_of=tuple(first_of), transforms=transforms, lookup=lookup,
            default=raw.get("default"),
            when=self.expression(raw["when"], kl("when"), target) if "when" in raw else None,
            required=(None if not required else
                      required if isinstance(required, str) else f"{target} has no value"),
            note=str(raw.get("note", "")),
            explicit_none=str(raw["none"]) if "none" in raw else None,
            expr_text=str(raw.get("expr", "")), when_text=str(raw.get("when", "")),
        )

    def transforms(self, raw: Any, line: int | None, target: str) -> tuple[TransformCall, ...]:
        if raw is None:
            return ()
        steps = raw if isinstance(raw, list) else [raw]
        out: list[TransformCall] = []
        for step in steps:
            sline = line_of(step) or line
            args: dict[str, Any]
            if isinstance(step, str):
                name, args = step, {}
            elif isinstance(step, dict) and len(step) == 1:
                name, args = next(iter(step.items()))
                if not isinstance(args, dict):
                    tdef = TRANSFORMS.get(name)
                    first = tdef.args[0] if tdef and tdef.args else "arg"
                    args = {first: args}
            else:
                self.error("a transform step is a name or {name: {argument: value}}", sline,
                           target, found=step)
                continue
            tdef = TRANSFORMS.get(name)
            if tdef is None:
                self.error(f"unknown transform {name!r}", sline, target,
                           "one of: " + ", ".join(sorted(TRANSFORMS)), name)
                continue
            bad = sorted(set(args) - set(tdef.args))
            if bad:
                self.error(f"transform {name} has no argument(s) {', '.join(bad)}", sline, target,
                           ", ".join(tdef.args) or "no arguments", ", ".join(bad))
            missing = [a for a in tdef.required if a not in args]
            if missing:
                self.error(f"transform {name} needs argument(s) {', '.join(missing)}", sline,
                           target, ", ".join(tdef.required), "nothing")
            literal: list[tuple[str, Any]] = []
            dynamic: list[tuple[str, Rule]] = []
            for key, value in args.items():
                if isinstance(value, dict):
                    sub = self.rule(f"{target}.{name}.{key}", value, line_of(value) or sline)
                    if sub is not None:
                        dynamic.append((key, sub))
                else:
                    literal.append((key, value))
            out.append(TransformCall(tdef, tuple(literal), tuple(dynamic)))
        return tuple(out)

    def rules(self, raw: Any, prefix: str, line: int | None,
              allowed: dict[str, Any]) -> list[Rule]:
        if raw is None:
            return []
        if not isinstance(raw, dict):
            self.error("fields must be a mapping of dataset field -> rule", line, prefix)
            return []
        out = []
        for target, body in raw.items():
            full = prefix + target
            if full not in allowed:
                near = [k for k in allowed if k.endswith("." + target.split(".")[-1])][:3]
                self.error(f"{full!r} is not a field of the ENS dataset", line_of(raw, target),
                           target, "e.g. " + ", ".join(near) if near else "see dataset.yaml",
                           full)
                continue
            r = self.rule(target, body, line_of(raw, target))
            if r is not None:
                out.append(r)
        return out

    def groups(self, raw: Any, prefix: str, line: int | None) -> list[Group]:
        if raw is None:
            return []
        if not isinstance(raw, dict):
            self.error("each must be a mapping of dataset group -> group rule", line, prefix)
            return []
        model = dataset_model()
        out = []
        for target, body in raw.items():
            gline = line_of(raw, target)
            gpath = prefix + target
            gdef = model.groups.get(gpath)
            if gdef is None:
                self.error(f"{gpath!r} is not a repeated group of the ENS dataset", gline,
                           target, ", ".join(sorted(model.groups)), gpath)
                continue
            if not isinstance(body, dict) or "for_each" not in body:
                self.error("a group needs for_each (the source records to repeat over)", gline,
                           target, "for_each: <path>")
                continue
            unknown = sorted(set(body) - _GROUP_KEYS)
            if unknown:
                self.error(f"unknown group key(s) {', '.join(unknown)}", gline, target,
                           ", ".join(sorted(_GROUP_KEYS)), ", ".join(unknown))
            fe = self.path(body["for_each"], line_of(body, "for_each") or gline, target)
            item_prefix = gpath + "[]."
            rules = self.rules(body.get("fields"), item_prefix, line_of(body, "fields"),
                               {k: v for k, v in model.fields.items()
                                if k.startswith(item_prefix)})
            groups = self.groups(body.get("each"), item_prefix, line_of(body, "each"))
            if fe is not None:
                out.append(Group(
                    ref=RuleRef(spec=self.file, line=gline, rule_id=target), target=target,
                    dataset_group=gdef.group, for_each=fe, or_once=bool(body.get("or_once")),
                    rules=tuple(rules),
                    groups=tuple(groups)))
        return out


def _load_lookups(c: _Compiler, raw: Any) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        c.error("lookups must map a table name to a table", line_of(raw), "lookups")
        return
    for name, table in raw.items():
        tline = line_of(raw, name)
        if isinstance(table, dict) and set(table) == {"file"}:
            table = _codelist(str(table["file"]), c, tline, name)
        if not isinstance(table, dict):
            c.error(f"lookup {name!r} must be a mapping of code -> value", tline, name)
            continue
        c.lookups[name] = {str(k): str(v) for k, v in table.items()}


def _codelist(name: str, c: _Compiler, line: int | None, rule_id: str) -> Any:
    try:
        text = resources.files("ensgate.mapping").joinpath("codelists", name).read_text("utf-8")
    except (FileNotFoundError, OSError):
        c.error(f"code list file {name!r} not found", line, rule_id,
                "a file in ensgate/mapping/codelists/", name)
        return None
    data = yaml.safe_load(text)
    return data.get("codes") if isinstance(data, dict) else None


def use_plugin_transforms(*, refresh: bool = False) -> list[str]:
    """Load site transforms (entry point group ``ensgate.transforms``) before specs name them;
    the expression filters are rebuilt when the library changed."""
    added = load_plugin_transforms(refresh=refresh)
    if added:
        _sandbox.cache_clear()
    return added


def compile_spec(text: str, *, file: str = "<spec>") -> MappingSpec:
    """Check and compile a spec; raises :class:`SpecError` listing every problem found."""
    use_plugin_transforms()
    c = _Compiler(file)
    try:
        raw = load_marked(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SpecError([diag("MAP001", f"not valid YAML: {getattr(exc, 'problem', exc)}",
                              rule=RuleRef(spec=file, line=None if mark is None
                                           else mark.line + 1))]) from None
    if not isinstance(raw, MarkedDict):
        raise SpecError([diag("MAP002", "a spec is a YAML mapping", rule=RuleRef(spec=file))])
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        c.error(f"unknown top-level key(s) {', '.join(unknown)}", line_of(raw, unknown[0]), "",
                ", ".join(sorted(_TOP_KEYS)), ", ".join(unknown))
    if raw.get("ensgate-mapping") != 1:
        c.error("first key must be 'ensgate-mapping: 1' (the spec format version)",
                line_of(raw, "ensgate-mapping") or 1, "", "1", raw.get("ensgate-mapping"))
    src = raw.get("source")
    if not isinstance(src, dict) or "format" not in src or "message" not in src:
        c.error("source must give format and message", line_of(raw, "source"), "source",
                "source: {format: cargo-imp, message: FWB, versions: ['16', '17']}", src)
        src = {"format": "", "message": ""}
    produces = raw.get("produces")
    if produces not in PRODUCES:
        c.error("produces must say which part of the dataset the spec fills",
                line_of(raw, "produces"), "produces", " | ".join(PRODUCES), produces)
    _load_lookups(c, raw.get("lookups"))
    model = dataset_model()
    top_fields = {k: v for k, v in model.fields.items()}
    lets: list[Rule] = []
    let_raw = raw.get("let") or {}
    if not isinstance(let_raw, dict):
        c.error("let must map names to rules", line_of(raw, "let"), "let")
        let_raw = {}
    for name, body in let_raw.items():
        r = c.rule(f"let.{name}", body, line_of(let_raw, name))
        if r is not None:
            lets.append(r)
        c.lets.add(name)
    rules = c.rules(raw.get("fields"), "", line_of(raw, "fields"), top_fields)
    groups = c.groups(raw.get("each"), "", line_of(raw, "each"))
    key = c.rule("key", raw["key"], line_of(raw, "key")) if "key" in raw else None
    ff = (c.path(raw["fragments_from"], line_of(raw, "fragments_from"), "fragments_from")
          if "fragments_from" in raw else None)
    if c.errors:
        raise SpecError(c.errors)
    versions = src.get("versions") or []
    if not isinstance(versions, list | MarkedList):
        versions = [versions]
    return MappingSpec(
        id=str(raw.get("id") or Path(file).stem), file=file,
        description=str(raw.get("description", "")),
        source_format=str(src["format"]), message=str(src["message"]),
        versions=tuple(str(v) for v in versions), produces=str(produces), key=key,
        fragments_from=ff, lookups=dict(c.lookups), lets=tuple(lets), rules=tuple(rules),
        groups=tuple(groups), raw=raw)  # MarkedDict: line marks kept for authoring tools


def load_spec(path: str | Path) -> MappingSpec:
    """Load a spec from a file path (errors cite that path)."""
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except OSError as exc:
        raise SpecError([diag("MAP001", f"cannot read spec: {exc.strerror}",
                              rule=RuleRef(spec=str(p)))]) from None
    return compile_spec(text, file=str(p))


def find_spec(name: str) -> str | None:
    """The spec file a user means by ``name``: a path that exists, else a built-in spec by id
    (``cargoimp-fwb`` or ``cargoimp-fwb.yaml``), cited as ``mappings/<id>.yaml`` when run from
    a source checkout; None when there is neither."""
    if Path(name).exists():
        return name
    packaged = resources.files("ensgate.mappings").joinpath(
        name if name.endswith(".yaml") else name + ".yaml")
    if not packaged.is_file():
        return None
    try:
        return str(Path(str(packaged)).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(packaged)


@cache
def builtin_specs() -> tuple[MappingSpec, ...]:
    """The mapping specs shipped in ``mappings/`` (compiled once per process)."""
    out = []
    root = resources.files("ensgate.mappings")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            out.append(compile_spec(entry.read_text("utf-8"), file=f"mappings/{entry.name}"))
    return tuple(out)

"""``ensgate map lint``: what is wrong with a spec, said before it reaches production.

On top of the loader's own checks (YAML, unknown dataset fields, transforms and arguments,
undefined lookups and variables; MAP001/MAP002) lint checks the spec against the reader's
contract for its message type (unknown paths LNT001/LNT002, selectors that can never match
LNT003), against the ENS filings it feeds (mandatory fields with no rule and no ``none:``
LNT004), and against itself (unused lookups LNT005 and variables LNT006, expression filters
called with wrong arguments LNT007, undefined variables in expressions LNT009). Every finding
cites the spec file, line and rule id.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from ..config import EnsgateConfig, load_config
from ..diagnostics import Diagnostic, RuleRef, SpecError, diag
from ..mapping._spec import BUILTIN_VARS, MappingSpec, compile_spec, use_plugin_transforms
from ..mapping._transforms import TRANSFORMS
from ..mapping._yaml_lines import line_of
from ..render import normalise_filing_code
from ._known import KnownPaths, known_paths
from ._specinfo import PathUse, SpecInfo, all_path_uses, spec_info
from ._xpaths import mandatory_fields

# Which dataset parts a spec fills, by ``produces`` (the assembler joins the rest).
DOMAIN: dict[str, tuple[str, ...]] = {
    "master": ("master.", "transport."),
    "houses": ("houses[].",),
    "transport": ("transport.",),
}
# Fields the engine sets itself when a spec leaves them empty: the assembler
# (engine/mapping/_assemble.py) and the site data (engine/pipeline/_site.py).
ENGINE_SETS = frozenset(["houses[].master_document_number",
                         "transport.customs_office_first_entry"])
# Shipment shapes whose filing a spec producing this part takes part in (config ``filings``).
SHAPES: dict[str, tuple[str, ...]] = {
    "master": ("direct", "consolidation"),
    "houses": ("consolidation", "house"),
    "transport": ("direct", "consolidation", "house"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class LintReport:
    """The findings on one spec (``spec`` is None when it did not load)."""

    file: str
    spec: MappingSpec | None
    diagnostics: tuple[Diagnostic, ...]
    filings: tuple[str, ...] = ()
    paths_from: str = ""

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors


def default_filings(spec: MappingSpec, config: EnsgateConfig | None = None) -> tuple[str, ...]:
    """The filing types a spec's output goes into under the site configuration."""
    cfg = config or load_config()
    out: list[str] = []
    for shape in SHAPES.get(spec.produces, ()):
        code = normalise_filing_code(cfg.filings.get(shape, "") or "")
        if code and code not in out:
            out.append(code)
    return tuple(out)


def _reads_known(use: PathUse, known: KnownPaths) -> bool:
    """Whether every record and the field of ``use`` are in the reader's contract."""
    if use.record is None or any(rec not in known.records for rec in use.steps):
        return False
    return use.field is None or use.field in known.records.get(use.record, set())


class _Linter:
    def __init__(self, spec: MappingSpec, info: SpecInfo, known: KnownPaths | None) -> None:
        self.spec, self.info, self.known = spec, info, known
        self.out: list[Diagnostic] = []

    def add(self, code: str, message: str, line: int | None, rule_id: str,
            expected: object = None, found: object = None) -> None:
        self.out.append(diag(code, message, rule=RuleRef(spec=self.spec.file, line=line,
                                                         rule_id=rule_id),
                             expected=None if expected is None else str(expected),
                             found=None if found is None else str(found)))

    # -- source paths ---------------------------------------------------------------------
    def paths(self) -> None:
        known = self.known
        if known is None:
            self.add("LNT008", f"no list of source paths for {self.spec.source_format} "
                     f"{self.spec.message}: path checks skipped", None, "source",
                     "a reader that registers known_paths, or a corpus (--corpus)")
            return
        code = "LNT001" if known.declared else "LNT002"
        seen: set[tuple[str, int | None, str]] = set()
        for use in all_path_uses(self.info):
            key = (use.path.text, use.line, use.rule_id)
            if key in seen:
                continue
            seen.add(key)
            self.one_path(use, known, code)

    def one_path(self, use: PathUse, known: KnownPaths, code: str) -> None:
        if use.fallback is not None and not _reads_known(use, known) \
                and _reads_known(use.fallback, known):
            use = use.fallback  # meant for the enclosing scope of an or_once group
        where = f"{self.spec.message} message"
        if use.record is None:
            self.add(code, f"path {use.path.text!r} climbs (^.) above the message root",
                     use.line, use.rule_id, "fewer ^. steps", use.path.text)
            return
        for rec in use.steps:
            if rec not in known.records:
                parent, _, name = rec.rpartition(".")
                near = difflib.get_close_matches(name, sorted(known.children(parent)), 3)
                self.add(code, f"path {use.path.text!r}: no record {name!r} "
                         f"{'under ' + parent if parent else 'at the root'} of a {where}",
                         use.line, use.rule_id,
                         ", ".join(near) or ", ".join(sorted(known.children(parent)))[:200],
                         name)
                return
        if use.field is not None:
            fields = known.records.get(use.record, set())
            if use.field not in fields:
                near = difflib.get_close_matches(use.field, sorted(fields), 3)
                kids = known.children(use.record)
                hint = (f"{use.field} is a record: name one of its fields"
                        if use.field in kids else ", ".join(near or sorted(fields))[:200])
                self.add(code, f"path {use.path.text!r}: record "
                         f"{use.record or '(root)'} has no field {use.field!r}",
                         use.line, use.rule_id, hint, use.field)
                return
        self.selectors(use, known)

    def selectors(self, use: PathUse, known: KnownPaths) -> None:
        n = len(use.steps)
        for rec, step in zip(use.steps, use.path.steps[:n], strict=False):
            wanted: dict[str, str] = {}
            for key, want in step.conditions:
                if key in wanted and wanted[key] != want:
                    self.add("LNT003", f"selector [{key}={wanted[key]},{key}={want}] in "
                             f"{use.path.text!r} asks one field for two values",
                             use.line, use.rule_id, f"one value for {key}", want)
                wanted[key] = want
                fields = known.records.get(rec, set())
                if want and key not in fields:
                    self.add("LNT003", f"selector [{key}={want}] in {use.path.text!r}: "
                             f"{rec} records have no field {key!r}", use.line, use.rule_id,
                             ", ".join(sorted(fields))[:200], key)
                    continue
                pat = known.patterns.get((rec, key))
                if want and pat and not re.fullmatch(f"(?:{pat})", want):
                    self.add("LNT003", f"selector [{key}={want}] in {use.path.text!r}: "
                             f"{key} of {rec} always matches {pat}, never {want!r}",
                             use.line, use.rule_id, pat, want)

    # -- the filings ----------------------------------------------------------------------
    def mandatory(self, filings: tuple[str, ...], direct: set[str]) -> None:
        targets = self.info.targets()
        domain = DOMAIN.get(self.spec.produces, ())
        done: set[str] = set()
        fields_line = line_of(self.spec.raw, "fields") or line_of(self.spec.raw, "each")
        for filing in filings:
            for fld, xp in mandatory_fields(filing).items():
                own = fld
                if filing in direct and self.spec.produces == "master" \
                        and fld.startswith("houses[]."):
                    own = "master." + fld[len("houses[]."):]
                if own in ENGINE_SETS or fld in ENGINE_SETS \
                        or not own.startswith(domain) or own in done:
                    continue
                if own in targets:
                    continue
                if not self._group_exists(own):
                    continue
                done.add(own)
                self.add("LNT004", f"{own} is mandatory in {filing} ({xp}) but has no rule; "
                         "map it, or say why not with `none: <reason>`", fields_line, own,
                         f"{own}: <rule> or {{none: <reason>}}", "no rule")

    def _group_exists(self, target: str) -> bool:
        """A field inside a repeated group counts only when the spec fills that group (an
        optional group the spec never produces has no mandatory children)."""
        if "[]." not in target:
            return True
        group = target.rsplit("[].", 1)[0]
        return any(s.target.startswith(group + "[].") for s in self.info.sites)

    # -- the spec itself ------------------------------------------------------------------
    def unused(self) -> None:
        used_lookups = set().union(*(s.lookups for s in self.info.sites)) if self.info.sites \
            else set()
        raw_lookups = self.spec.raw.get("lookups") or {}
        for name in self.spec.lookups:
            if name not in used_lookups:
                self.add("LNT005", f"lookup table {name!r} is never used",
                         line_of(raw_lookups, name), f"lookups.{name}",
                         "a rule with `lookup: " + name + "`, or remove the table", "no use")
        for s in self.info.sites:
            if not s.target.startswith("let."):
                continue
            name = s.target[4:]
            if not any(name in o.vars for o in self.info.sites if o is not s):
                self.add("LNT006", f"variable {name!r} is never used", s.rule.ref.line,
                         s.target, f"`var: {name}` or `var.{name}` in an expression", "no use")

    def filters(self) -> None:
        defined = {r.target[4:] for r in self.spec.lets} | set(BUILTIN_VARS)
        for s in self.info.sites:
            for f in s.filters:
                tdef = TRANSFORMS.get(f.name)
                if tdef is None:
                    continue  # jinja built-in filter; the loader checked it compiles
                bad = [k for k in f.keywords if k not in tdef.args]
                given = set(tdef.args[:f.positional]) | set(f.keywords)
                missing = [a for a in tdef.required if a not in given]
                if f.positional > len(tdef.args) or bad or missing:
                    self.add("LNT007", f"filter {f.name} called with wrong arguments in an "
                             "expression", f.line, f.rule_id,
                             f"{f.name}({', '.join(tdef.args)})"
                             + (f" with {', '.join(tdef.required)} required"
                                if tdef.required else ""),
                             f"{f.positional} positional"
                             + (f", keywords {', '.join(f.keywords)}" if f.keywords else ""))
            for name in sorted(s.vars - defined):
                self.add("LNT009", f"variable {name!r} is not defined in let (an expression "
                         "reading it always gets nothing)", s.rule.ref.line, s.target,
                         ", ".join(sorted(defined)), name)
            for text in s.bad_expr_paths:
                self.add("LNT007", f"path() argument {text!r} is not a valid source path",
                         s.rule.ref.line, s.target, "a path like awb.number", text)


def lint_spec(source: str | Path, *, text: str | None = None,
              filings: tuple[str, ...] | None = None, config: EnsgateConfig | None = None,
              known: KnownPaths | None = None) -> LintReport:
    """Lint the spec file ``source`` (or ``text``, cited as ``source``). ``filings``: the
    filing types to check mandatory fields for (default: those the site configuration uses
    for the spec's part); ``known``: the source paths to check against (default: the reader's
    registry, see ``known_paths``)."""
    use_plugin_transforms()
    file = str(source)
    try:
        body = text if text is not None else Path(source).read_text("utf-8")
    except OSError as exc:
        return LintReport(file=file, spec=None, diagnostics=(diag(
            "MAP001", f"cannot read spec: {exc.strerror}", rule=RuleRef(spec=file)),))
    try:
        spec = compile_spec(body, file=file)
    except SpecError as exc:
        return LintReport(file=file, spec=None, diagnostics=tuple(exc.diagnostics))
    cfg = config or load_config()
    chosen = tuple(c for c in (normalise_filing_code(f) for f in (
        filings if filings is not None else default_filings(spec, cfg))) if c)
    direct = {c for c in [normalise_filing_code(cfg.filings.get("direct", "") or "")] if c}
    direct |= {"IE3F28", "IE3F29"} & set(chosen) if not direct else set()
    kp = known if known is not None else known_paths(spec.source_format, spec.message)
    linter = _Linter(spec, spec_info(spec), kp)
    linter.paths()
    linter.mandatory(chosen, direct)
    linter.unused()
    linter.filters()
    diags = sorted(linter.out, key=lambda d: (d.rule.line or 0) if d.rule else 0)
    return LintReport(file=file, spec=spec, diagnostics=tuple(diags), filings=chosen,
                      paths_from="" if kp is None else kp.origin)

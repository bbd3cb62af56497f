"""Walking a parsed Cargo-XML element tree into a source tree, table-driven.

One pass over the children of each element (no XPath query per field): the local name picks
the rule in the layout; namespaces are checked once per distinct tag (a small cache), so
``ns2:``, ``rsm:`` or default-namespace documents read the same way. Every field keeps the
file, message index, line (``sourceline``) and the element's path as ``SourcePos.xpath``.
"""

from __future__ import annotations

from typing import Any

from ...diagnostics import Diagnostic, SourcePos, diag
from .. import _fastbuild
from .._source import SourceField, SourceNode
from ._layouts import CARGO, FIELD, FLATTEN, LINES, RECORD, SKIP, Layout, Rule
from ._names import DATAMODEL_NS

_TAGS: dict[str, tuple[str, str]] = {}
_TAG_CACHE_MAX = 4096
_MAX_UNKNOWN_REPORTED = 20


def split_tag(tag: str) -> tuple[str, str]:
    """``{ns}Local`` -> ``(ns, Local)``; cached, since a document repeats few distinct tags."""
    got = _TAGS.get(tag)
    if got is not None:
        return got
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        got = (ns, local)
    else:
        got = ("", tag)
    if len(_TAGS) < _TAG_CACHE_MAX:
        _TAGS[tag] = got
    return got


_new = _fastbuild.new_object
_P_FILE, _P_MSG, _P_LINE, _P_COL, _P_SEG, _P_OFF, _P_XP = _fastbuild.POS_SETTERS
_F_TEXT, _F_POS = _fastbuild.FIELD_SETTERS


def _field_of(text: str, pos: SourcePos) -> SourceField:
    f: SourceField = _new(SourceField)
    _F_TEXT(f, text)
    _F_POS(f, pos)
    return f


class WalkContext:
    """Per-document state: where fields come from and what the walk noticed."""

    __slots__ = ("file", "index", "line_offset", "namespaces", "oci_seq", "odd_ns", "unknown")

    def __init__(self, *, file: str, index: int, line_offset: int, root_ns: str) -> None:
        self.file = file
        self.index = index
        self.line_offset = line_offset
        self.namespaces = frozenset({root_ns, DATAMODEL_NS})
        self.oci_seq = 0
        self.odd_ns: dict[str, tuple[str, int | None]] = {}
        self.unknown: dict[str, tuple[str, int | None, int]] = {}

    def pos(self, el: Any, xpath: str) -> SourcePos:
        """``SourcePos(file=, message=, line=, xpath=)`` built slot by slot: this is the
        hottest call of the reader, and the frozen-dataclass ``__init__`` costs 3x more."""
        line = el.sourceline
        p: SourcePos = _new(SourcePos)
        _P_FILE(p, self.file)
        _P_MSG(p, self.index)
        _P_LINE(p, None if line is None else line + self.line_offset)
        _P_COL(p, None)
        _P_SEG(p, None)
        _P_OFF(p, None)
        _P_XP(p, xpath)
        return p

    def diagnostics(self) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        for ns, (xpath, line) in self.odd_ns.items():
            out.append(diag(
                "CXM003", f"element in {repr(ns) if ns else 'no namespace'} read by its local name",
                source=SourcePos(file=self.file, message=self.index, line=line, xpath=xpath),
                expected=" or ".join(sorted(n for n in self.namespaces if n)), found=ns or "none"))
        for n, (local, (xpath, line, count)) in enumerate(self.unknown.items()):
            if n == _MAX_UNKNOWN_REPORTED:
                out.append(diag("CXM009", f"{len(self.unknown) - n} more unknown element "
                                "names ignored", source=SourcePos(file=self.file,
                                                                  message=self.index)))
                break
            times = f" ({count} times)" if count > 1 else ""
            out.append(diag("CXM009", f"element {local} ignored{times}",
                            source=SourcePos(file=self.file, message=self.index, line=line,
                                             xpath=xpath), found=local))
        return out


def walk(el: Any, node: SourceNode, layout: Layout, path: str, ctx: WalkContext) -> None:
    """Read the children of ``el`` into ``node`` following ``layout``.

    Fields (the common case) are read inline; sibling counts, for the ``[n]`` of repeated
    elements in the xpath, are kept only for records and unknown elements."""
    counts: dict[str, int] | None = None
    fields = node.fields
    namespaces = ctx.namespaces
    file, index, offset = ctx.file, ctx.index, ctx.line_offset
    for child in el:
        tag = child.tag
        if tag.__class__ is not str:  # comment or processing instruction
            continue
        ns, local = _TAGS.get(tag) or split_tag(tag)
        if ns not in namespaces:
            if ns and "iata" not in ns.lower():
                # a producer's extension (``acme:RoutingHint``): never read by its local name,
                # which may collide with ours (``acme:ID``); listed as CXM009 [I]
                _unknown(ctx, f"{{{ns}}}{local}", f"{path}/{local}", child)
                continue
            if ns not in ctx.odd_ns:
                ctx.odd_ns[ns] = (path + "/" + local, _line(child, ctx))
        rule = layout.get(local)
        if rule is not None and rule.kind == FIELD:
            text = child.text
            if len(child):  # a comment or PI inside the value (``ACME<!-- -->GMBH``)
                text = "".join(child.itertext())
            if text and (text := text.strip()):
                # WalkContext.pos and _field_of, inlined: the hottest lines of the reader
                line = child.sourceline
                p: SourcePos = _new(SourcePos)
                _P_FILE(p, file)
                _P_MSG(p, index)
                _P_LINE(p, None if line is None else line + offset)
                _P_COL(p, None)
                _P_SEG(p, None)
                _P_OFF(p, None)
                _P_XP(p, path + "/" + local)
                f: SourceField = _new(SourceField)
                _F_TEXT(f, text)
                _F_POS(f, p)
                fields[rule.name] = f
            if rule.attrs:
                _attrs(child, fields, rule, path + "/" + local, ctx)
            continue
        if counts is None:
            counts = {}
        n = counts[local] = counts.get(local, 0) + 1
        cpath = path + "/" + local if n == 1 else f"{path}/{local}[{n}]"
        if rule is None:
            _unknown(ctx, local, cpath, child)
            continue
        kind = rule.kind
        if kind == FLATTEN:
            walk(child, node, rule.layout or {}, cpath, ctx)
        elif kind == RECORD:
            _record(child, node, rule, cpath, ctx)
        elif kind == LINES:
            _lines(child, node, rule.name, cpath, ctx)
        elif kind == CARGO:
            _cargo(child, node, rule, cpath, ctx)
        elif kind != SKIP:  # pragma: no cover - a new rule kind without a branch
            raise AssertionError(kind)


def _unknown(ctx: WalkContext, name: str, xpath: str, el: Any) -> None:
    """Count an element the tables do not read (one CXM009 per name, first place kept)."""
    seen = ctx.unknown.get(name)
    ctx.unknown[name] = (xpath, _line(el, ctx), 1) if seen is None else \
        (seen[0], seen[1], seen[2] + 1)


def _line(el: Any, ctx: WalkContext) -> int | None:
    line = el.sourceline
    return None if line is None else line + ctx.line_offset


def _attrs(el: Any, fields: dict[str, SourceField], rule: Rule, path: str,
           ctx: WalkContext) -> None:
    """Attributes kept as fields of their own (``unitCode``, ``currencyID``, ``schemeID``)."""
    for attr, name in rule.attrs:
        value = el.get(attr)
        if value and (value := value.strip()):
            fields[name] = _field_of(value, ctx.pos(el, f"{path}/@{attr}"))


def _lines(el: Any, node: SourceNode, name: str, path: str, ctx: WalkContext) -> None:
    """A multi-line text (``Name``, ``StreetName``, ``Identification``): one record per
    non-blank line, each line stripped (README §9)."""
    text = el.text
    if len(el):  # comments or PIs inside the text
        text = "".join(el.itertext())
    if not text or not text.strip():
        return
    pos = ctx.pos(el, path)
    kids = node.children.setdefault(name, [])
    for line in text.split("\n"):
        line = line.strip()
        if line:
            rec = SourceNode(name, pos, {"text": _field_of(line, pos)})
            kids.append(rec)
    if not kids:
        del node.children[name]


def _record(el: Any, node: SourceNode, rule: Rule, path: str, ctx: WalkContext) -> None:
    pos = ctx.pos(el, path)
    rec = SourceNode(rule.name, pos)
    for k, v in rule.const:
        rec.fields[k] = _field_of(v, pos)
    walk(el, rec, rule.layout or {}, path, ctx)
    if not rec.children and len(rec.fields) == len(rule.const):
        return  # an empty element (``<DefinedTradeContact/>``) gives no record
    if rule.name == "oci":
        ctx.oci_seq += 1
        rec.fields["seq"] = _field_of(str(ctx.oci_seq), pos)
    kids = node.children.setdefault(rule.name, [])
    kids.append(rec)
    if rule.name == "item" and "hs_code" in rec.children:
        kids.extend(_split_item(rec))


def _split_item(item: SourceNode) -> list[SourceNode]:
    """An item's HS codes (``TypeCode``, repeatable as RTD ``/NH/`` lines are): the first is
    the item's ``hs`` field; each further code becomes an item record of its own after it,
    holding ``hs``, ``split_from`` (the first item's ``seq``, else 1) and the same
    ``description[]`` and ``origin_country`` objects, so that one code gives one goods item
    and the weight and pieces are counted once [I]."""
    codes = item.children.pop("hs_code")
    item.fields["hs"] = codes[0].fields["text"]
    extras = []
    for code in codes[1:]:
        f = code.fields["text"]
        extra = SourceNode("item", f.pos, {"hs": f})
        seq = item.fields.get("seq")
        extra.fields["split_from"] = seq if seq is not None else _field_of("1", item.pos)
        origin = item.fields.get("origin_country")
        if origin is not None:
            extra.fields["origin_country"] = origin
        if "description" in item.children:
            extra.children["description"] = item.children["description"]
        extras.append(extra)
    return extras


def _cargo(el: Any, node: SourceNode, rule: Rule, path: str, ctx: WalkContext) -> None:
    """XFFM ``AssociatedTransportCargo`` (one ULD or bulk, with its consignments) is folded
    into the unloading record as in the FFM tree: ``uld[]`` and ``consignment[]`` with a
    ``uld`` field holding the ULD's ``id`` field (missing for bulk)."""
    tmp = SourceNode(rule.name, ctx.pos(el, path))
    walk(el, tmp, rule.layout or {}, path, ctx)
    ulds = tmp.all("uld")
    uld_id = ulds[0].fields.get("id") if ulds else None
    loading = tmp.fields.get("loading_type")
    for u in ulds:
        if loading is not None:
            u.fields.setdefault("loading_type", loading)
        node.add(u)
    for c in tmp.all("consignment"):
        if uld_id is not None:
            c.fields.setdefault("uld", uld_id)
        if loading is not None:
            c.fields.setdefault("loading_type", loading)
        node.add(c)

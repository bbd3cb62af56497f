"""From a message's segments to the source tree: groups nested, qualifiers resolved.

Every segment becomes a record (``RECORD_NAMES``) with its fields; qualified segments also set
named fields on the record that owns them (``RFF+AWB`` -> ``awb`` on the consignment). Every
field keeps the position of its element: segment index, byte offset, line and column.
"""

from __future__ import annotations

import re

from ...diagnostics import SourcePos
from .._source import SourceNode
from . import _layout as L
from ._lexer import Segment
from ._syntax import Delimiters


class Positions:
    """Source positions of segments and of their elements."""

    def __init__(self, text: str, delims: Delimiters, file: str, message: int,
                 single_byte: bool) -> None:
        self.text = text
        self.d = delims
        self.file = file
        self.message = message
        self.single_byte = single_byte

    def segment(self, seg: Segment) -> SourcePos:
        return SourcePos(file=self.file, message=self.message, line=seg.line,
                         column=seg.column, segment=seg.number, offset=seg.offset)

    def elements(self, seg: Segment) -> list[ElementPos]:
        """One position finder per element (index 0 is the tag)."""
        body = self.text[seg.start:seg.end]
        starts = [0]
        rel, esep = self.d.release, self.d.element
        if rel and rel in body:
            i, n = 0, len(body)
            while i < n:
                ch = body[i]
                if ch == rel:
                    i += 2
                    continue
                if ch == esep:
                    starts.append(i + 1)
                i += 1
        else:
            acc = 0
            for part in body.split(esep)[:-1]:
                acc += len(part) + 1
                starts.append(acc)
        ends = [s - 1 for s in starts[1:]] + [len(body)]
        if self.single_byte:
            byte_starts = starts
        else:  # byte offsets of the element starts, in one pass over the segment
            byte_starts, acc, prev = [], 0, 0
            for s in starts:
                acc += len(body[prev:s].encode("utf-8"))
                prev = s
                byte_starts.append(acc)
        return [ElementPos(self, seg, body, s, e, b)
                for s, e, b in zip(starts, ends, byte_starts, strict=True)]


class ElementPos:
    """Positions inside one element: the element itself, or one of its components. The
    component starts are found once, in one pass, the first time a component is asked for:
    an element of thousands of components is read in linear time (each lookup used to scan
    from the element's start)."""

    __slots__ = ("_components", "body", "byte_start", "end", "owner", "seg", "start")

    def __init__(self, owner: Positions, seg: Segment, body: str, start: int, end: int,
                 byte_start: int) -> None:
        self.owner, self.seg, self.body, self.start, self.end = owner, seg, body, start, end
        self.byte_start = byte_start
        self._components: list[tuple[int, int]] | None = None

    def _component_starts(self) -> list[tuple[int, int]]:
        """(character index, byte offset in the segment) of each component start."""
        if self._components is None:
            d, body, single = self.owner.d, self.body, self.owner.single_byte
            out = [(self.start, self.byte_start)]
            i, n = self.start, self.end
            prev, acc = self.start, self.byte_start
            while i < n:
                ch = body[i]
                if d.release and ch == d.release:
                    i += 2
                    continue
                if ch == d.component:
                    s = i + 1
                    if single:
                        acc = s
                    else:
                        acc += len(body[prev:s].encode("utf-8"))
                        prev = s
                    out.append((s, acc))
                i += 1
            self._components = out
        return self._components

    def at(self, component: int = 0) -> SourcePos:
        """Position of ``component`` (0-based) of this element (of the element when the
        component does not exist)."""
        s, delta = self.start, self.byte_start
        if component:
            starts = self._component_starts()
            if component < len(starts):
                s, delta = starts[component]
        o = self.owner
        return SourcePos(file=o.file, message=o.message, line=self.seg.line,
                         column=self.seg.column + s, segment=self.seg.number,
                         offset=self.seg.offset + delta)


def _record(seg: Segment, pos: Positions) -> tuple[SourceNode, list[ElementPos]]:
    eps = pos.elements(seg)
    node = SourceNode(L.RECORD_NAMES.get(seg.tag, seg.tag.lower()), eps[0].at())
    layout = L.FIELDS.get(seg.tag)
    if layout is None:
        # A segment the reader has no layout for: generic fields e<n> / e<n>_<m> (1-based).
        for e in range(len(seg.elements)):
            for c, text in enumerate(seg.components(e)):
                if text:
                    node.set(f"e{e + 1}" if c == 0 else f"e{e + 1}_{c + 1}", text,
                             eps[e + 1].at(c))
        return node, eps
    numeric = L.NUMERIC.get(seg.tag, frozenset())
    for name, e, c in layout:
        text = seg.get(e, c)
        if text:
            node.set(name, decimal_point(text) if name in numeric else text, eps[e + 1].at(c))
    if seg.tag == "GID":
        _gid_packages(seg, node, eps)
    for child, e in L.LINES.get(seg.tag, ()):
        if e < len(seg.elements):
            for c, text in enumerate(seg.components(e)):
                if text:
                    at = eps[e + 1].at(c)
                    node.add(SourceNode(child, at)).set("text", text, at)
    return node, eps


def _gid_packages(seg: Segment, node: SourceNode, eps: list[ElementPos]) -> None:
    """GID may give up to five package levels (C213: count, type, code list, agency). ICS2
    wants UN/ECE Rec. 21 types, so the first level whose type is not from another agency's
    list (3055 empty or ``6`` UN/ECE) is read: ``GID+1+1:09::9+8:CT`` (a GS1 pallet holding
    eight cartons) gives 8 ``CT`` [I: EANCOM puts its own codes on the outer level]."""
    for e in range(1, min(len(seg.elements), 6)):
        count, kind, agency = seg.get(e, 0), seg.get(e, 1), seg.get(e, 3)
        if (count or kind) and agency in ("", "6"):
            if e == 1:
                return  # the layout has read it already
            node.fields.pop("packages", None)
            node.fields.pop("package_type", None)
            if count:
                node.set("packages", count, eps[e + 1].at(0))
            if kind:
                node.set("package_type", kind, eps[e + 1].at(1))
            return
    node.fields.pop("package_type", None)  # only other agencies' codes: no Rec. 21 type


_COMMA_DECIMAL = re.compile(r"^[+-]?\d*,\d+$")


def decimal_point(text: str) -> str:
    """``486,5`` -> ``486.5``: a decimal comma (ISO 9735 allows either mark) becomes a point, so
    the mappings read one number syntax; anything else is left as sent."""
    return text.replace(",", ".") if "," in text and _COMMA_DECIMAL.match(text) else text


def _qualified(owner: SourceNode, seg: Segment, node: SourceNode,
               eps: list[ElementPos]) -> None:
    """Name what a qualified segment means on the record that owns it."""
    tag = seg.tag
    if tag == "RFF":
        name = L.RFF_FIELDS.get(seg.get(0, 0))
        if name and name not in owner.fields and seg.get(0, 1):
            owner.set(name, seg.get(0, 1), eps[1].at(1))
    elif tag == "LOC":
        name = L.LOC_FIELDS.get(seg.get(0, 0))
        if name and name not in owner.fields and seg.get(1, 0):
            owner.set(name, seg.get(1, 0), eps[2].at(0))
    elif tag == "DTM":
        name = L.DTM_FIELDS.get(seg.get(0, 0))
        if name and name not in owner.fields and seg.get(0, 1):
            owner.set(name, seg.get(0, 1), eps[1].at(1))
            if seg.get(0, 2):
                owner.set(name + "_format", seg.get(0, 2), eps[1].at(2))
    elif tag == "MEA":
        pair = L.MEA_FIELDS.get((seg.get(0, 0), seg.get(1, 0)))
        if pair and pair[0] not in owner.fields and seg.get(2, 1):
            owner.set(pair[0], decimal_point(seg.get(2, 1)), eps[3].at(1))
            if pair[1] and seg.get(2, 0):
                owner.set(pair[1], seg.get(2, 0), eps[3].at(0))
    elif tag == "CNT":
        pair = L.CNT_FIELDS.get(seg.get(0, 0))
        if pair and pair[0] not in owner.fields and seg.get(0, 1):
            owner.set(pair[0], decimal_point(seg.get(0, 1)), eps[1].at(1))
            if pair[1] and seg.get(0, 2):
                owner.set(pair[1], seg.get(0, 2), eps[1].at(2))
    elif tag == "FTX":
        child = L.FTX_CHILDREN.get(seg.get(0, 0))
        if child:
            for line in node.all("text"):
                owner.add(SourceNode(child, line.pos)).set("text", line.fields["text"].text,
                                                           line.fields["text"].pos)
    elif tag == "PIA":
        # Every C212 with item type HS gives an ``hs[] -> code`` on the owner (goods item).
        for e in range(1, len(seg.elements)):
            if seg.get(e, 1) in ("HS", "CN", "CG") and seg.get(e, 0):
                at = eps[e + 1].at(0)
                owner.add(SourceNode("hs", at)).set("code", seg.get(e, 0), at)
    elif tag == "COM":
        if seg.get(0, 1) and seg.get(0, 0):
            owner.set("contact_" + seg.get(0, 1).lower(), seg.get(0, 0), eps[1].at(0))
    elif tag == "CTA" and seg.get(1, 1):
        owner.set("contact_name", seg.get(1, 1), eps[2].at(1))


def build_tree(kind: str, segments: list[Segment], pos: Positions,
               root: SourceNode) -> SourceNode:
    """Attach the message's segments (UNH and UNT excluded) under ``root`` by segment group."""
    groups = L.GROUPS[kind]
    stack: list[tuple[str, SourceNode]] = [("", root)]
    for seg in segments:
        tag = seg.tag
        level = len(stack) - 1
        while level > 0 and tag not in groups.get(stack[level][0], ()):
            level -= 1
        if level == 0 and tag not in groups[""]:
            level = len(stack) - 1  # unknown here: keep it with the innermost group [I]
        del stack[level + 1:]
        owner = stack[-1][1]
        node, eps = _record(seg, pos)
        if tag == "NAD":
            role = L.PARTY_ROLES.get(seg.get(0, 0))
            if role is not None:
                node.tag = role
        owner.add(node)
        _qualified(owner, seg, node, eps)
        if tag in L.TRIGGERS:
            stack.append((tag, node))
    _settle(root)
    return root


_DIGITS = re.compile(r"^\d{1,4}[A-Z]?$")
_CARRIER = re.compile(r"^[A-Z0-9]{2,3}$")


def _settle(root: SourceNode) -> None:
    """What other MIGs say another way, made to read like the common layout [I]:

    * a party role given with another 3035 code (``NAD+SH`` for the consignor, ``NAD+NI`` for
      the notify party) when the record has no party with the usual code;
    * a flight number sent without its carrier (``TDT+20+0862+4++KL``) gets the carrier's
      code in front (``KL0862``, the conveyance reference ICS2 asks for); the number as sent
      stays in ``number_as_sent``;
    * a flight with ``LOC+125`` (last place of loading) and no ``LOC+5`` departs from there.
    """
    for node in root.walk():
        parties = node.children.get("party")
        if parties:
            for role, codes in L.PARTY_ALIASES.items():
                if role in node.children:
                    continue
                for code in codes:
                    hit = next((p for p in parties if p.value("qualifier") == code), None)
                    if hit is not None:
                        parties.remove(hit)
                        hit.tag = role
                        node.add(hit)
                        break
            if not parties:
                del node.children["party"]
        if node.tag == "flight":
            f = node.fields
            number, carrier = f.get("number"), f.get("carrier")
            if (number is not None and carrier is not None and _DIGITS.match(number.text)
                    and _CARRIER.match(carrier.text)):
                f["number_as_sent"] = number
                digits = number.text.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                node.set("number", carrier.text + digits.zfill(4) + number.text[len(digits):],
                         number.pos)
            if "departure" not in f and "last_loading" in f:
                f["departure"] = f["last_loading"]

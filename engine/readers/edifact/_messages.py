"""Message-type specifics after the generic tree: CUSCAR consignments, IFTMIN waybill.

CUSCAR: each ``CNI`` is a consignment. One with a house waybill (``RFF+HWB``) is a house and is
moved under the consignment of its master AWB (``RFF+MWB``, else ``RFF+AWB`` [I]) as
``house[]``; a master AWB named only by houses gets a record of its own. A top-level
consignment is ``level=master`` when it names a consignor or consignee (it declares the AWB's
data), else ``level=reference`` (it only places the AWB on the flight, like an FFM line) [I].

IFTMIN: the air waybill data go under one ``waybill`` record (``level=master`` for an AWB,
``level=house`` for a house waybill with its master AWB); flights stay on the root.
"""

from __future__ import annotations

import re

from ...diagnostics import Diagnostic, diag
from .._source import SourceField, SourceNode

_KEY = re.compile(r"[^0-9A-Z]")


def _key(text: str) -> str:
    return _KEY.sub("", text.upper())


def _has_parties(node: SourceNode) -> bool:
    return "consignor" in node.children or "consignee" in node.children


def _mark(node: SourceNode, level: str) -> None:
    node.fields["level"] = SourceField(level, node.pos)


def shape_cuscar(root: SourceNode, diags: list[Diagnostic]) -> str:
    """Resolve master/house consignments; returns the message key (first AWB)."""
    cons = root.children.pop("consignment", [])
    if not cons:
        diags.append(diag("EDI014", "CUSCAR has no consignment (CNI group)", source=root.pos,
                          expected="CNI+<seq>+<AWB>", found="no CNI"))
    tops: list[SourceNode] = []
    houses: list[SourceNode] = []
    for c in cons:
        f = c.fields
        if "hawb" in f:
            if not _link_master(f, diags, "house"):
                continue
            c.tag = "house"
            _mark(c, "house")
            houses.append(c)
            continue
        awb = f.get("awb") or f.get("mawb") or f.get("document")
        if awb is None:
            diags.append(diag("EDI014", "consignment has no air waybill number", source=c.pos,
                              expected="RFF+AWB:<AWB number> or CNI+<seq>+<AWB number>",
                              found="none"))
            continue
        f["awb"] = awb
        _mark(c, "master" if _has_parties(c) else "reference")
        tops.append(c)
    index = {_key(c.fields["awb"].text): c for c in tops}
    for h in houses:
        mawb = h.fields["mawb"]
        top = index.get(_key(mawb.text))
        if top is None:
            top = SourceNode("consignment", mawb.pos)
            top.fields["awb"] = mawb
            _mark(top, "reference")
            tops.append(top)
            index[_key(mawb.text)] = top
        top.add(h)
        if "consolidation" not in top.fields:
            top.fields["consolidation"] = SourceField("Y", h.pos)
    if tops:
        root.children["consignment"] = tops
        return tops[0].fields["awb"].text
    return ""


_ROOT_KEEP = frozenset(["interchange", "flight"])


def shape_iftmin(root: SourceNode, diags: list[Diagnostic]) -> str:
    """Move the waybill data under ``waybill``; returns the key (master AWB)."""
    bgm = root.child("bgm")
    wb = SourceNode("waybill", root.pos if bgm is None else bgm.pos)
    for tag in [t for t in root.children if t not in _ROOT_KEEP]:
        wb.children[tag] = root.children.pop(tag)
    for name in [n for n in root.fields if n not in _ROOT_FIELDS]:
        wb.fields[name] = root.fields.pop(name)
    root.children["waybill"] = [wb]
    f = wb.fields
    if "hawb" in f:
        if not _link_master(f, diags, "house waybill"):
            return ""
        _mark(wb, "house")
        return f["mawb"].text
    awb = f.get("awb") or f.get("mawb")
    if awb is None and bgm is not None and "number" in bgm.fields:
        awb = bgm.fields["number"]
    if awb is None:
        diags.append(diag("EDI014", "IFTMIN has no air waybill number", source=wb.pos,
                          expected="RFF+AWB:<AWB number> or BGM+740+<AWB number>",
                          found="none"))
        return ""
    f["awb"] = awb
    _mark(wb, "master")
    return awb.text


_ROOT_FIELDS = frozenset(["reference", "type", "version", "release", "agency"])


def _link_master(f: dict[str, SourceField], diags: list[Diagnostic], what: str) -> bool:
    """A house names its master AWB by RFF+MWB, or by RFF+AWB when that is all it gives: set
    ``mawb``; without either, EDI017 and False (the house cannot be joined)."""
    master = f.get("mawb") or f.get("awb")
    if master is None:
        diags.append(diag("EDI017", f"{what} {f['hawb'].text} names no master AWB",
                          source=f["hawb"].pos, expected="RFF+MWB:<AWB number>",
                          found="no RFF+MWB or RFF+AWB"))
        return False
    f["mawb"] = master
    return True

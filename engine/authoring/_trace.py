"""``ensgate map trace``: for every element of the ENS filing, the rule and the source text.

Rows come from a :class:`~._run.Run`: the concrete XPath of each value (from marker
rendering), the value, the lineage of the dataset field (spec file, line, rule id, note) and the
source fields it read (file, message, line/segment, column, raw text).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..diagnostics import RuleRef, SourcePos
from ..mapping import Lineage
from ._run import Run, ShipmentRun

_ITEM = re.compile(r"\[(\d+)\]$")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceRow:
    filing: str
    shipment: str
    xpath: str
    value: str
    field: str  # concrete dataset path: houses[1].consignee.name
    rule: RuleRef | None
    note: str
    sources: tuple[tuple[str, SourcePos], ...]

    @property
    def origin(self) -> str:
        if self.rule is None:
            return "engine"
        if self.rule.rule_id == "site" or self.rule.spec.startswith("<"):
            return "site configuration"
        if self.rule.rule_id.startswith("reference."):
            return "reference data"
        return "spec"

    def to_dict(self) -> dict[str, Any]:
        return {
            "filing": self.filing, "shipment": self.shipment, "xpath": self.xpath,
            "value": self.value, "field": self.field,
            "rule": None if self.rule is None else self.rule.to_dict(), "origin": self.origin,
            "note": self.note,
            "sources": [{"text": t, **p.to_dict()} for t, p in self.sources],
        }


def value_at(data: Any, path: str) -> Any:
    """The value at a concrete dataset path (``houses[1].goods_items[2].hs6``)."""
    node = data
    for part in path.split("."):
        m = re.match(r"^(\w+)(?:\[(\d+)\])?$", part)
        if m is None or not isinstance(node, dict):
            return None
        node = node.get(m.group(1))
        if m.group(2) is not None:
            i = int(m.group(2)) - 1
            if not isinstance(node, list) or i >= len(node):
                return None
            node = node[i]
    return node


def lineage_for(ship: ShipmentRun, path: str) -> Lineage | None:
    lin = ship.lineage.get(path)
    if lin is None and _ITEM.search(path):  # an item of a list field
        lin = ship.lineage.get(_ITEM.sub("", path))
    return lin


def _doc_order(xml: str) -> dict[str, int]:
    from ._xpaths import _element_path

    if not xml:
        return {}
    root = etree.fromstring(xml.encode("utf-8"), _PARSER)
    return {_element_path(el): i for i, el in enumerate(root.iter())
            if isinstance(el.tag, str)}


def trace_rows(run: Run) -> list[TraceRow]:
    """One row per value written to a filing, in document order, shipment by shipment."""
    rows: list[TraceRow] = []
    for ship in run.shipments:
        if ship.filing is None:
            continue
        order = _doc_order(ship.xml)
        items: list[tuple[int, str, str]] = []
        for path, xps in ship.xpaths.items():
            for xp in xps:
                items.append((order.get(xp.split("/@")[0], 1 << 30), xp, path))
        items.sort()
        for _, xp, path in items:
            lin = lineage_for(ship, path)
            rows.append(TraceRow(
                filing=ship.filing, shipment=ship.shipment.document_number, xpath=xp,
                value=str(value_at(ship.data, path)), field=path,
                rule=None if lin is None else lin.rule, note="" if lin is None else lin.note,
                sources=() if lin is None else lin.sources))
    return rows


def where(pos: SourcePos) -> str:
    """``file msg 1 line 12 col 5`` (or segment / offset for segment formats)."""
    bits = [pos.file or "<input>"]
    if pos.message is not None:
        bits.append(f"msg {pos.message + 1}")
    if pos.line is not None:
        bits.append(f"line {pos.line}")
    if pos.segment is not None:
        bits.append(f"segment {pos.segment}")
    if pos.column is not None:
        bits.append(f"col {pos.column}")
    if pos.offset is not None and pos.line is None:
        bits.append(f"byte {pos.offset}")
    if pos.xpath:
        bits.append(pos.xpath)
    return " ".join(bits)


def rule_text(row: TraceRow) -> str:
    if row.rule is None:
        return "(engine)"
    if row.origin == "site configuration":
        return "site configuration"
    return str(row.rule)


def sources_text(row: TraceRow, *, limit: int = 4) -> str:
    parts = [f"{where(p)} {t!r}" for t, p in row.sources[:limit]]
    if len(row.sources) > limit:
        parts.append(f"... {len(row.sources) - limit} more")
    return "; ".join(parts) or (row.note or "-")


def as_json(rows: list[TraceRow]) -> str:
    return json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False)


def annotated_xml(run: Run) -> str:
    """The filings with an XML comment before every traced element naming rule and source
    (several filings are wrapped in one ``<filings>`` element so the output stays one XML
    document)."""
    from ._xpaths import _element_path

    out: list[str] = []
    rows = trace_rows(run)
    for ship in run.shipments:
        if ship.filing is None or not ship.xml:
            continue
        root = etree.fromstring(ship.xml.encode("utf-8"), _PARSER)
        by_path = {_element_path(el): el for el in root.iter() if isinstance(el.tag, str)}
        for row in rows:
            if row.shipment != ship.shipment.document_number or row.filing != ship.filing:
                continue
            el = by_path.get(row.xpath.split("/@")[0])
            if el is None or el.getparent() is None:
                continue
            text = f" {row.field} <- {rule_text(row)} <- {sources_text(row)} "
            el.addprevious(etree.Comment(text.replace("--", "- -")))
        etree.indent(root, space="  ")
        out.append(etree.tostring(root, encoding="unicode"))
    if len(out) > 1:  # several filings: one well-formed document holding them all
        body = "\n".join(out).replace("\n", "\n  ")
        return f'<filings xmlns="urn:ensgate:trace">\n  {body}\n</filings>\n'
    return "\n".join(out) + ("\n" if out else "")

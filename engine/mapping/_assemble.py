"""Joining fragments of one shipment: master (FWB) + houses (FHL/FZB) + flight (FFM).

Legacy feeds spread one shipment over several messages. Fragments are joined by AWB number:
houses by their master AWB number and house number (a check-list FHL and single-house FHLs
describe the same houses: the richer record wins, the other fills its gaps), the flight by the
AWB numbers on the manifest (FFM values are more precise than FWB booking data and replace them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic, diag
from ..readers._source import SourceMessage
from ._dataset import Lineage, dataset_skeleton
from ._engine import Fragment

_KEY = re.compile(r"[^0-9A-Z]")


def awb_key(text: str) -> str:
    """``160-52817343`` and ``16052817343`` give the same key."""
    return _KEY.sub("", text.upper())


@dataclass(slots=True, kw_only=True)
class Shipment:
    """One shipment ready for a filing: its dataset, lineage and the messages behind it."""

    key: str
    shape: str  # "direct" | "consolidation" | "house"
    data: dict[str, Any]
    lineage: dict[str, Lineage] = field(default_factory=dict)
    messages: list[SourceMessage] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def document_number(self) -> str:
        return str(self.data["master"]["document_number"] or self.key)


def copy_tree(node: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy`` for dataset trees (dicts and lists of str, None, bool), about ten
    times faster: only dicts and lists are copied, and one shared within the tree stays shared
    in the copy, as deepcopy keeps it."""
    if memo is None:
        memo = {}
    if isinstance(node, dict):
        hit = memo.get(id(node))
        if hit is not None:
            return hit
        out: dict[str, Any] = {}
        memo[id(node)] = out
        for k, v in node.items():
            out[k] = copy_tree(v, memo) if isinstance(v, dict | list) else v
        return out
    if isinstance(node, list):
        hit = memo.get(id(node))
        if hit is not None:
            return hit
        items: list[Any] = []
        memo[id(node)] = items
        items.extend(copy_tree(v, memo) if isinstance(v, dict | list) else v for v in node)
        return items
    return node


def _richness(house: dict[str, Any]) -> int:
    score = 0
    if house["consignee"]["name"]:
        score += 2
    if house["consignor"]["name"]:
        score += 2
    score += sum(1 for g in house["goods_items"] if g["hs6"])
    return score


def _fill(into: dict[str, Any], other: dict[str, Any]) -> None:
    for k, v in other.items():
        cur = into.get(k)
        if isinstance(cur, dict) and isinstance(v, dict):
            _fill(cur, v)
        elif cur is None or cur == []:
            into[k] = v


def _by_item(lineage: dict[str, Lineage], group: str) -> dict[str, dict[str, Lineage]]:
    """Lineage of one fragment or shipment split by item of ``group`` in one pass:
    ``{"houses[3].": {"consignee.name": ...}}`` (copying a house's lineage by scanning all of
    it, once per house, made assembly quadratic in the houses of a message)."""
    out: dict[str, dict[str, Lineage]] = {}
    for path, lin in lineage.items():
        if path.startswith(group):
            end = path.find("].", len(group))
            if end > 0:
                out.setdefault(path[:end + 2], {})[path[end + 2:]] = lin
    return out


def assemble(fragments: list[Fragment]) -> list[Shipment]:
    """Group fragments into shipments. Transport fragments that match no shipment (flight
    manifest lines for AWBs this batch does not declare) are left out; the batch counts their
    messages as supporting."""
    masters: dict[str, Fragment] = {}
    houses: dict[str, dict[str, tuple[dict[str, Any], Fragment, str]]] = {}
    transports: dict[str, list[Fragment]] = {}
    superseded: dict[str, list[Diagnostic]] = {}
    payments: dict[str, Fragment] = {}  # by AWB: the last master message that gives one
    for frag in fragments:
        key = awb_key(frag.key)
        if frag.produces == "master":
            if frag.data["master"]["method_of_payment"]:
                payments[key] = frag
            if key in masters:
                # A retransmitted or corrected FWB: the later one wins; the earlier message
                # ends as "supporting" and the filing says which one was used.
                superseded.setdefault(key, []).append(diag(
                    "MAP012", f"AWB {frag.key} appears in two FWB messages; the later one "
                    f"({frag.message.label}) is used", source=masters[key].message.pos(
                        masters[key].message.first_line)))
            masters[key] = frag
        elif frag.produces == "houses":
            bucket = houses.setdefault(key, {})
            for i, house in enumerate(frag.data["houses"], start=1):
                hkey = awb_key(house["document_number"] or f"?{i}")
                old = f"houses[{i}]."
                if hkey in bucket:
                    kept = bucket[hkey][0]
                    if _richness(house) > _richness(kept):
                        _fill(house, kept)
                        bucket[hkey] = (house, frag, old)
                    else:
                        _fill(kept, house)
                else:
                    bucket[hkey] = (house, frag, old)
        else:
            transports.setdefault(key, []).append(frag)

    shipments: list[Shipment] = []
    lineage_by_house: dict[int, dict[str, dict[str, Lineage]]] = {}  # per fragment, by id
    for key in list(masters) + [k for k in houses if k not in masters]:
        master = masters.get(key)
        ship = Shipment(key=key, shape="direct", data=dataset_skeleton())
        if master is not None:
            ship.data = master.data
            ship.lineage.update(master.lineage)
            ship.messages.append(master.message)
            ship.diagnostics.extend(master.diagnostics)
            payer = payments.get(key)
            if not ship.data["master"]["method_of_payment"] and payer is not None:
                _payment_from(ship, payer)
        house_items = houses.get(key, {})
        seen_msgs: set[int] = {id(m) for m in ship.messages}
        for n, (house, frag, old) in enumerate(house_items.values(), start=1):
            ship.data["houses"].append(house)
            split = lineage_by_house.get(id(frag))
            if split is None:
                split = lineage_by_house[id(frag)] = _by_item(frag.lineage, "houses[")
            new = f"houses[{n}]."
            ship.lineage.update({new + rest: lin for rest, lin in split.get(old, {}).items()})
            if id(frag.message) not in seen_msgs:
                seen_msgs.add(id(frag.message))
                ship.messages.append(frag.message)
                ship.diagnostics.extend(frag.diagnostics)
        if house_items:
            ship.shape = "consolidation" if master is not None else "house"
            if master is None:
                # No FWB: what the house specs set outside ``houses`` (transport mode...) is
                # the best master-level data there is.
                first_frag = next(iter(house_items.values()))[1]
                for part, value in first_frag.data.items():
                    if part != "houses":
                        ship.data[part] = copy_tree(value)
                first = next(iter(house_items.values()))[0]
                ship.data["master"]["document_number"] = first["master_document_number"]
            ship.data["master"]["document_type"] = "N741"
        if not house_items and master is not None:
            _direct_as_house(ship)
        elif house_items:
            _master_goods_from_houses(ship)
        for tfrag in transports.get(key, []):
            _overlay_transport(ship, tfrag)
            if id(tfrag.message) not in seen_msgs:
                seen_msgs.add(id(tfrag.message))
                ship.messages.append(tfrag.message)
            ship.diagnostics.extend(tfrag.diagnostics)
        ship.diagnostics.extend(superseded.get(key, ()))
        shipments.append(ship)
    return shipments


def _payment_from(ship: Shipment, other: Fragment) -> None:
    """A master message without a method of payment (real CUSCARs omit the CPI the specs make
    mandatory) takes it from another master message of the same AWB, usually its FWB."""
    ship.data["master"]["method_of_payment"] = other.data["master"]["method_of_payment"]
    was = other.lineage.get("master.method_of_payment")
    ship.lineage["master.method_of_payment"] = Lineage(
        rule=None if was is None else was.rule, sources=() if was is None else was.sources,
        note=f"from {other.message.label}: the same AWB's other message")
    ship.diagnostics.append(diag(
        "MAP013", f"method of payment {ship.data['master']['method_of_payment']!r} taken from "
        f"{other.message.label} of the same AWB", expected="the method of payment in this "
        "message", found="absent", source=other.message.pos(other.message.first_line),
        xpath="/consignmentMasterLevel/transportCharges/methodOfPayment"))


def _overlay_transport(ship: Shipment, frag: Fragment) -> None:
    src_t = frag.data["transport"]
    dst_t = ship.data["transport"]
    for k, v in src_t.items():
        if v not in (None, []):
            dst_t[k] = v
    unloading = frag.data["master"]["place_of_unloading"]
    if unloading["airport"]:
        ship.data["master"]["place_of_unloading"] = unloading
    for p, lin in frag.lineage.items():
        if p.startswith(("transport.", "master.place_of_unloading.")):
            ship.lineage[p] = lin


def _direct_as_house(ship: Shipment) -> None:
    """A direct AWB has no houses, but the direct-AWB filings (IE3F28/F29) carry the parties and
    goods at house level with the AWB as house transport document (dictionary: IE3A28/IE3F29
    tail). The AWB's consignment is therefore also presented as the one house consignment, with
    document type N740 (air waybill) at both levels [I: the ICS2 table rows for the F28/F29
    master level are reconstructed, see the dictionary README, discrepancy 9]."""
    master = ship.data["master"]
    master["document_type"] = "N740"
    house = copy_tree(master)
    house["master_document_number"] = master["document_number"]
    ship.data["houses"] = [house]
    ship.lineage.update({"houses[1]." + p[len("master."):]: lin
                         for p, lin in list(ship.lineage.items()) if p.startswith("master.")})


def _master_goods_from_houses(ship: Shipment) -> None:
    """A consolidation's FWB describes its goods as ``CONSOLIDATION`` with no HS code, but the
    complete filings want master-level goods items with commodity codes (C3048) and customs
    rejects "consolidation" as a description. The master's goods are the houses' goods, so when
    the master has no commodity code they are listed again at master level, renumbered
    [I: a derivation; no ICS2 text prescribes it, see docs/mapping-guide.md]."""
    master = ship.data["master"]
    if any(g["hs6"] for g in master["goods_items"]):
        return
    items: list[dict[str, Any]] = []
    new_lineage: dict[str, Lineage] = {}
    by_house = _by_item(ship.lineage, "houses[")
    for h, house in enumerate(ship.data["houses"], start=1):
        by_goods = _by_item(by_house.get(f"houses[{h}].", {}), "goods_items[")
        for g, item in enumerate(house["goods_items"], start=1):
            copy_ = copy_tree(item)
            copy_["number"] = str(len(items) + 1)
            items.append(copy_)
            new = f"master.goods_items[{len(items)}]."
            new_lineage.update({new + rest: lin
                                for rest, lin in by_goods.get(f"goods_items[{g}].", {}).items()})
    if not items:
        return
    ship.lineage = {p: v for p, v in ship.lineage.items()
                    if not p.startswith("master.goods_items[")}
    ship.lineage.update(new_lineage)
    master["goods_items"] = items

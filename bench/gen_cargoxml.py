"""Writes Cargo-XML (XFWB, XFZB, XFHL, XFFM 3.00) equivalents of Cargo-IMP messages.

Used by ``bench_cargoxml.py`` (XFWB + XFFM traffic from ``gen_messages``) and to write the
equivalents of the Cargo-IMP samples in ``samples/cargo-xml/`` (``python bench/gen_cargoxml.py
[OUT_DIR]``; the written samples were reviewed and are kept as data). Element order
and names follow ``shared/reference/cargo-xml`` (XFWB/XFZB [V-S]; XFHL/XFFM [I]).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from lxml import etree

from ensgate.mapping._transforms import TRANSFORMS, Notes
from ensgate.readers._source import SourceMessage, SourceNode
from ensgate.readers.cargoimp import read_cargoimp

DM = "iata:datamodel:3"
ROOTS = {"XFWB": ("Waybill", "iata:waybill:1", "Master Air Waybill"),
         "XFZB": ("HouseWaybill", "iata:housewaybill:1", "House Waybill"),
         "XFHL": ("HouseManifest", "iata:housemanifest:1", "House Manifest"),
         "XFFM": ("FlightManifest", "iata:flightmanifest:1", "Flight Manifest")}
_MONTHS = {m: i for i, m in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}


def _t(name: str, *args: Any, **kw: Any) -> Any:
    return TRANSFORMS[name].func(*args, Notes(), **kw)


def _vals(node: SourceNode | None, path: str) -> list[str]:
    if node is None:
        return []
    head, _, rest = path.partition(".")
    if not rest:
        v = node.value(head)
        return [] if v is None else [v]
    return [x for kid in node.all(head) for x in _vals(kid, rest)]


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _v(node: SourceNode | None, name: str) -> str | None:
    return None if node is None else node.value(name)


class _W:
    """A tiny element builder: business elements in the data-model default namespace."""

    def __init__(self, kind: str, prefix: str) -> None:
        local, self.ns, self.title = ROOTS[kind]
        # "rsm" (the IATA documentation's prefixes) writes business elements as ram:...
        dm = "ram" if prefix == "rsm" else None
        self.root = etree.Element(f"{{{self.ns}}}{local}", nsmap={dm: DM, prefix: self.ns})

    def top(self, name: str) -> Any:
        return etree.SubElement(self.root, f"{{{self.ns}}}{name}")


def sub(parent: Any, name: str, text: str | None = None, **attrs: str) -> Any:
    el = etree.SubElement(parent, f"{{{DM}}}{name}", **attrs)
    if text is not None:
        el.text = text
    return el


def opt(parent: Any, name: str, text: str | None, **attrs: str) -> None:
    if text:
        sub(parent, name, text, **attrs)


def _unit(imp: str | None) -> str:
    return "LBR" if (imp or "K").upper() == "L" else "KGM"


def _header(w: _W, kind: str, ident: str, issued: str, type_code: str) -> None:
    h = w.top("MessageHeaderDocument")
    sub(h, "ID", ident)
    sub(h, "Name", w.title)
    sub(h, "TypeCode", type_code)
    sub(h, "IssueDateTime", issued)
    sub(h, "PurposeCode", "Creation")
    sub(h, "VersionID", "3.00")
    sub(sub(h, "SenderParty"), "PrimaryID", "ENSGATESAMPLES", schemeID="C")
    sub(sub(h, "RecipientParty"), "PrimaryID", "CCSPROVIDER", schemeID="C")


def _isu(msg_root: SourceNode) -> str | None:
    d = _v(msg_root.child("isu"), "date")
    return _t("isu_date", d) if d else None


def party(parent: Any, tag: str, p: SourceNode | None, *, account: bool = True) -> None:
    if p is None:
        return
    el = sub(parent, tag)
    sub(el, "Name", "\n".join(_vals(p, "name.text")))
    if account:
        opt(el, "AccountID", _v(p, "account"))
    a = sub(el, "PostalStructuredAddress")
    opt(a, "PostcodeCode", _v(p, "postcode"))
    streets = _vals(p, "street.text")
    if streets:
        sub(a, "StreetName", "\n".join(streets))
    opt(a, "CityName", _v(p, "place"))
    opt(a, "CountryID", _v(p, "country"))
    opt(a, "CountrySubDivisionID", _v(p, "state"))
    phones = [c.value("number") for c in p.all("contact") if c.value("type") == "TE"]
    if phones:
        c = sub(el, "DefinedTradeContact")
        for n in phones:
            sub(sub(c, "DirectTelephoneCommunication"), "CompleteNumber", n)


def notes(parent: Any, root: SourceNode | None) -> None:
    for o in [] if root is None else root.all("oci"):
        n = sub(parent, "IncludedCustomsNote")
        sub(n, "ContentCode", o.value("control") or "")
        sub(n, "Content", o.value("text") or "")
        opt(n, "SubjectCode", o.value("info"))
        opt(n, "CountryID", o.value("country"))


def _customs_value(parent: Any, cvd: SourceNode | None) -> None:
    value = _v(cvd, "customs_value")
    if value in (None, "", "NCV"):
        sub(parent, "NilCustomsValueIndicator", "true")
    else:
        sub(parent, "NilCustomsValueIndicator", "false")
        sub(parent, "DeclaredValueForCustomsAmount", value, currencyID=_v(cvd, "currency") or "")
    pay = (_v(cvd, "payment") or "").strip()
    if pay:
        sub(parent, "TotalChargePrepaidIndicator", "true" if pay[0] == "P" else "false")


def _items(parent: Any, tag: str, codes: list[str], desc: str | None, *, weight: str | None,
           unit: str | None, packages: str | None, pieces: str | None,
           origin: str | None = None, dims: list[SourceNode] | None = None) -> None:
    for i, code in enumerate(codes or [""], start=1):
        it = sub(parent, tag)
        sub(it, "SequenceNumeric", str(i))
        opt(it, "TypeCode", code)
        if i == 1:
            opt(it, "GrossWeightMeasure", weight, unitCode=_unit(unit))
            opt(it, "PackageQuantity", packages)
            opt(it, "PieceQuantity", pieces)
        if desc:
            sub(sub(it, "NatureIdentificationTransportCargo"), "Identification", desc)
        if origin:
            sub(sub(it, "OriginCountry"), "ID", origin)
        for d in dims or [] if i == 1 else []:
            p = sub(it, "TransportLogisticsPackage")
            opt(p, "ItemQuantity", d.value("pieces"))
            lsd = sub(p, "LinearSpatialDimension")
            u = "INH" if (d.value("unit") or "") == "INH" else "CMT"
            for k, name in (("width", "WidthMeasure"), ("length", "LengthMeasure"),
                            ("height", "HeightMeasure")):
                opt(lsd, name, d.value(k), unitCode=u)


def _goods_text(goods: SourceNode | None) -> str | None:
    for kind in ("NG", "NC"):
        chunks = [d.value("text") or "" for d in ([] if goods is None else goods.all("description"))
                  if d.value("kind") == kind]
        if chunks:
            return _t("concat", chunks, width=20)  # type: ignore[no-any-return]
    return None


def xfwb(msg: SourceMessage, prefix: str = "ns2") -> bytes:
    r = msg.root
    awb = r.child("awb")
    assert awb is not None
    goods = r.child("goods")
    nc = any(d.value("kind") == "NC" for d in ([] if goods is None else goods.all("description")))
    w = _W("XFWB", prefix)
    number = awb.value("number") or ""
    issued = _isu(r) or "2026-11-16"
    _header(w, "XFWB", f"{number}_XFWB", f"{issued}T09:00:00", "741" if nc else "740")
    b = w.top("BusinessHeaderDocument")
    sub(b, "ID", number)
    isu = r.child("isu")
    if isu is not None:
        s = sub(b, "SignatoryCarrierAuthentication")
        sub(s, "ActualDateTime", f"{issued}T00:00:00")
        opt(s, "Signatory", isu.value("signature"))
        if isu.value("place"):
            sub(sub(s, "IssueAuthenticationLocation"), "Name", isu.value("place"))
    m = w.top("MasterConsignment")
    _customs_value(m, r.child("cvd"))
    sub(m, "IncludedTareGrossWeightMeasure", awb.value("weight") or "0",
        unitCode=_unit(awb.value("weight_unit")))
    if awb.value("volume") and awb.value("volume_unit") == "MC":
        sub(m, "GrossVolumeMeasure", awb.value("volume"), unitCode="MTQ")
    opt(m, "TotalPieceQuantity", awb.value("pieces"))
    party(m, "ConsignorParty", r.child("shipper"))
    party(m, "ConsigneeParty", r.child("consignee"))
    party(m, "NotifyParty", r.child("notify"))
    agent = r.child("agent")
    if agent is not None:
        fp = sub(m, "FreightForwarderParty")
        opt(fp, "Name", agent.value("name"))
        opt(fp, "CargoAgentID", agent.value("iata_code"))
        if agent.value("place"):
            sub(sub(fp, "FreightForwarderAddress"), "CityName", agent.value("place"))
        if agent.value("cass"):
            sub(sub(fp, "SpecifiedCargoAgentLocation"), "ID", agent.value("cass"))
    sub(sub(m, "OriginLocation"), "ID", awb.value("origin") or "")
    sub(sub(m, "FinalDestinationLocation"), "ID", awb.value("destination") or "")
    airports = [awb.value("origin") or "", *_vals(r, "route.airport")]
    for i, fl in enumerate(r.all("flight"), start=1):
        mv = sub(m, "SpecifiedLogisticsTransportMovement")
        sub(mv, "StageCode", "Main-Carriage")
        sub(mv, "ModeCode", "4")
        sub(mv, "ID", fl.value("flight") or "")
        sub(mv, "SequenceNumeric", str(i))
        opt(sub(mv, "UsedLogisticsTransportMeans"), "Name", fl.value("carrier"))
        if i < len(airports):
            sub(sub(sub(mv, "ArrivalEvent"), "OccurrenceArrivalLocation"), "ID", airports[i])
        dep = sub(mv, "DepartureEvent")
        if fl.value("day"):
            day = _t("day_to_date", fl.value("day"), anchor=issued)
            sub(dep, "ScheduledOccurrenceDateTime", f"{day}T00:00:00")
        sub(sub(dep, "OccurrenceDepartureLocation"), "ID", airports[min(i - 1, len(airports) - 1)])
    for s in r.all("sph"):
        sub(sub(m, "HandlingSPHInstructions"), "DescriptionCode", s.value("code") or "")
    for o in r.all("osi"):
        sub(sub(m, "HandlingOSIInstructions"), "Description", o.value("text") or "")
    notes(m, r)
    if r.child("cor") is not None:
        sub(sub(m, "AssociatedConsignmentCustomsProcedure"), "GoodsStatusCode",
            _v(r.child("cor"), "code") or "")
    if _v(r.child("cvd"), "currency"):
        sub(sub(m, "ApplicableOriginCurrencyExchange"), "SourceCurrencyCode",
            _v(r.child("cvd"), "currency") or "")
    rating = sub(m, "ApplicableRating")
    sub(rating, "TypeCode", "F")
    codes = _vals(goods, "hs.code")
    sub(rating, "ConsignmentItemQuantity", str(max(1, len(codes))))
    _items(rating, "IncludedMasterConsignmentItem", codes, _goods_text(goods),
           weight=awb.value("weight"), unit=awb.value("weight_unit"),
           packages=_first(_vals(goods, "slac.count")), pieces=awb.value("pieces"),
           origin=_first(_vals(goods, "origin.country")),
           dims=[] if goods is None else goods.all("dims"))
    return _out(w)


def _house(m: Any, h: SourceNode, *, number: str | None, weight: str | None,
           unit: str | None, pieces: str | None, packages: str | None, origin: str | None,
           destination: str | None, summary: str | None, shipper: SourceNode | None,
           consignee: SourceNode | None, cvd: SourceNode | None, sph: list[str],
           oci_root: SourceNode | None, codes: list[str], item_desc: str | None,
           item_origin: str | None) -> None:
    hc = sub(m, "IncludedHouseConsignment")
    sub(hc, "ID", number or "")
    _customs_value(hc, cvd)
    opt(hc, "IncludedTareGrossWeightMeasure", weight, unitCode=_unit(unit))
    opt(hc, "PackageQuantity", packages)
    opt(hc, "TotalPieceQuantity", pieces)
    opt(hc, "SummaryDescription", summary)
    party(hc, "ConsignorParty", shipper)
    party(hc, "ConsigneeParty", consignee)
    if origin:
        sub(sub(hc, "OriginLocation"), "ID", origin)
    if destination:
        sub(sub(hc, "FinalDestinationLocation"), "ID", destination)
    for code in sph:
        sub(sub(hc, "HandlingSPHInstructions"), "DescriptionCode", code)
    notes(hc, oci_root)
    _items(hc, "IncludedHouseConsignmentItem", codes, item_desc, weight=None, unit=unit,
           packages=None, pieces=None, origin=item_origin)


def _master_head(w: _W, master: SourceNode) -> Any:
    m = w.top("MasterConsignment")
    opt(m, "IncludedTareGrossWeightMeasure", master.value("weight"),
        unitCode=_unit(master.value("weight_unit")))
    opt(m, "TotalPieceQuantity", master.value("pieces"))
    sub(sub(m, "TransportContractDocument"), "ID", master.value("number")
        or master.value("master_number") or "")
    if master.value("origin"):
        sub(sub(m, "OriginLocation"), "ID", master.value("origin"))
    if master.value("destination"):
        sub(sub(m, "FinalDestinationLocation"), "ID", master.value("destination"))
    return m


def xfzb(msg: SourceMessage, prefix: str = "ns2") -> bytes:
    r = msg.root
    hcd = r.child("hcd")
    assert hcd is not None
    goods = r.child("goods")
    w = _W("XFZB", prefix)
    issued = _isu(r) or "2026-11-16"
    _header(w, "XFZB", f"{hcd.value('number')}_XFZB", f"{issued}T09:00:00", "703")
    sub(w.top("BusinessHeaderDocument"), "ID", hcd.value("number") or "")
    m = w.top("MasterConsignment")
    sub(sub(m, "TransportContractDocument"), "ID", hcd.value("master_number") or "")
    _house(m, hcd, number=hcd.value("number"), weight=hcd.value("weight"),
           unit=hcd.value("weight_unit"), pieces=hcd.value("pieces"),
           packages=_first(_vals(goods, "slac.count")), origin=hcd.value("origin"),
           destination=hcd.value("destination"), summary=None, shipper=r.child("shipper"),
           consignee=r.child("consignee"), cvd=r.child("cvd"), sph=_vals(r, "sph.code"),
           oci_root=r, codes=_vals(goods, "hs.code"), item_desc=_goods_text(goods),
           item_origin=_first(_vals(goods, "origin.country")))
    # item 1 carries the house totals, as the FZB mapping does
    return _out(w)


def xfhl(msgs: list[SourceMessage], prefix: str = "rsm") -> bytes:
    first = msgs[0].root.child("master")
    assert first is not None
    w = _W("XFHL", prefix)
    _header(w, "XFHL", f"{first.value('number')}_XFHL", "2026-11-16T10:00:00", "785")
    sub(w.top("BusinessHeaderDocument"), "ID", f"{first.value('number')}_HOUSES")
    m = _master_head(w, first)
    for msg in msgs:
        for h in msg.root.all("house"):
            txt = _vals(h, "txt.text")
            _house(m, h, number=h.value("number"), weight=h.value("weight"),
                   unit=h.value("weight_unit"), pieces=h.value("pieces"),
                   packages=h.value("slac"), origin=h.value("origin"),
                   destination=h.value("destination"),
                   summary=_t("concat", txt, width=65) if txt else None,
                   shipper=h.child("shipper"), consignee=h.child("consignee"),
                   cvd=h.child("cvd"), sph=_vals(h, "sph.code"), oci_root=h,
                   codes=_vals(h, "hs.code"), item_desc=h.value("description"),
                   item_origin=None)
    return _out(w)


def _ffm_time(text: str | None, anchor: dt.date, offset: str = "") -> str | None:
    if not text:
        return None
    day, mon, hhmm = int(text[:2]), _MONTHS[text[2:5]], text[5:9] or "0000"
    d = dt.date(anchor.year, mon, day)
    return f"{d.isoformat()}T{hhmm[:2]}:{hhmm[2:]}:00{offset}"


def xffm(msg: SourceMessage, prefix: str = "ns0", anchor: dt.date = dt.date(2026, 11, 20),
         offsets: dict[str, str] | None = None) -> bytes:
    """``offsets`` (airport -> ``+09:00``) writes those airports' times with their UTC
    offset instead of as local times, to exercise both forms."""
    offsets = offsets or {}
    r = msg.root
    fl = r.child("flight")
    assert fl is not None
    w = _W("XFFM", prefix)
    dep = _ffm_time(fl.value("date"), anchor, offsets.get(fl.value("loading") or "", ""))
    _header(w, "XFFM", f"{fl.value('flight')}_XFFM", (dep or "2026-11-20T00:00:00")[:19], "122")
    sub(w.top("BusinessHeaderDocument"), "ID", f"{fl.value('flight')}/{fl.value('date')}")
    mv = w.top("LogisticsTransportMovement")
    sub(mv, "StageCode", "Main-Carriage")
    sub(mv, "ModeCode", "4")
    sub(mv, "ID", fl.value("flight") or "")
    means = sub(mv, "UsedLogisticsTransportMeans")
    opt(means, "Name", fl.value("carrier"))
    opt(means, "ID", fl.value("registration"))
    de = sub(mv, "DepartureEvent")
    opt(de, "DepartureOccurrenceDateTime", dep)
    sub(de, "DepartureDateTimeTypeCode", "S")
    sub(sub(de, "OccurrenceDepartureLocation"), "ID", fl.value("loading") or "")
    if fl.value("arrival_airport"):
        ae = sub(mv, "ArrivalEvent")
        ap = fl.value("arrival_airport") or ""
        opt(ae, "ArrivalOccurrenceDateTime",
            _ffm_time(fl.value("arrival_date"), anchor, offsets.get(ap, "")))
        sub(ae, "ArrivalDateTimeTypeCode", "S")
        loc = sub(ae, "OccurrenceArrivalLocation")
        sub(loc, "ID", ap)
        opt(loc, "CountryID", fl.value("arrival_country"))
    for u in r.all("unloading"):
        ev = w.top("ArrivalEvent")
        ap = u.value("airport") or ""
        opt(ev, "ArrivalOccurrenceDateTime",
            _ffm_time(u.value("arrival"), anchor, offsets.get(ap, "")))
        if u.value("arrival"):
            sub(ev, "ArrivalDateTimeTypeCode", "S")
        sub(sub(ev, "OccurrenceArrivalLocation"), "ID", ap)
        groups: dict[str | None, list[SourceNode]] = {}
        for c in u.all("consignment"):
            groups.setdefault(c.value("uld"), []).append(c)
        ulds = {x.value("id"): x for x in u.all("uld")}
        for uld_id, cons in groups.items():
            cargo = sub(ev, "AssociatedTransportCargo")
            sub(cargo, "TypeCode", "BLK" if uld_id is None else "ULD")
            if uld_id is not None:
                x = ulds.get(uld_id)
                eq = sub(cargo, "UtilizedUnitLoadTransportEquipment")
                sub(eq, "ID", _v(x, "serial") or uld_id)
                opt(eq, "CharacteristicCode", _v(x, "type"))
                if _v(x, "owner"):
                    sub(sub(eq, "OperatingParty"), "PrimaryID", _v(x, "owner"))
            for c in cons:
                ic = sub(cargo, "IncludedMasterConsignment")
                opt(ic, "GrossWeightMeasure", c.value("weight"),
                    unitCode=_unit(c.value("weight_unit")))
                if c.value("volume_unit") == "MC":
                    opt(ic, "GrossVolumeMeasure", c.value("volume"), unitCode="MTQ")
                opt(ic, "TotalPieceQuantity", c.value("pieces"))
                opt(ic, "SummaryDescription", c.value("description"))
                opt(ic, "TransportSplitDescription", c.value("shipment_code"))
                sub(sub(ic, "TransportContractDocument"), "ID", c.value("number") or "")
                sub(sub(ic, "OriginLocation"), "ID", c.value("origin") or "")
                sub(sub(ic, "FinalDestinationLocation"), "ID", c.value("destination") or "")
                for s in c.all("sph"):
                    sub(sub(ic, "HandlingSPHInstructions"), "DescriptionCode",
                        s.value("code") or "")
    return _out(w)


def _out(w: _W) -> bytes:
    etree.indent(w.root, space="    ")
    return etree.tostring(w.root, xml_declaration=True, encoding="UTF-8",  # type: ignore[no-any-return]
                          standalone=True) + b"\n"


def convert(msg: SourceMessage, **kw: Any) -> bytes:
    """One Cargo-IMP message as Cargo-XML (FHL: one XFHL of its houses)."""
    writer = {"FWB": xfwb, "FZB": xfzb, "FFM": xffm}.get(msg.kind)
    if writer is not None:
        return writer(msg, **kw)
    if msg.kind == "FHL":
        return xfhl([msg], **kw)
    raise ValueError(f"no Cargo-XML writer for {msg.kind}")


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def write_samples(out: Path = SAMPLES / "cargo-xml") -> list[Path]:
    """(Re)write ``samples/cargo-xml/``: the S1, S3 and S5 Cargo-IMP shipments as Cargo-XML,
    with the prefixes and time forms each file is meant to exercise (see samples/README.md)."""
    def rd(name: str) -> SourceMessage:
        (msg,) = read_cargoimp((SAMPLES / "cargo-imp" / name).read_bytes(), file=name)
        return msg

    s1_houses = [rd(f"s1-fhl5-house-{h}.txt") for h in (
        "HXSHA2611045-bicycle-parts-be", "HXSHA2611046-connectors-nl",
        "HXSHA2611047-kitchenware-de")]
    files = {
        "s1-xfwb-master-781-60482133-pvg-bru.xml":
            xfwb(rd("s1-fwb17-master-781-60482133-pvg-bru.txt"), prefix="ns2"),
        "s1-xfhl-three-houses-781-60482133-pvg-bru.xml": xfhl(s1_houses, prefix="rsm"),
        "s1-xffm-MU0553-pvg-bru-first-arrival-be.xml":
            xffm(rd("s1-ffm8-MU0553-pvg-bru-first-arrival-be.txt"), prefix="ns0"),
        "s3-xfwb-direct-180-88351270-icn-vie-security.xml":
            xfwb(rd("s3-fwb17-direct-180-88351270-icn-vie-security.txt"), prefix="rsm"),
        "s3-xffm-KE0933-icn-vie-utc-offsets.xml":
            xffm(rd("s3-ffm8-KE0933-icn-vie-first-arrival-at.txt"), prefix="ns2",
                 offsets={"ICN": "+09:00", "VIE": "+01:00"}),
        "s5-xfwb-master-217-51290746-bkk-mxp.xml":
            xfwb(rd("s5-fwb17-master-217-51290746-bkk-mxp.txt"), prefix="ns2"),
        "s5-xfzb-house-SOF2611180334-tableware-it.xml":
            xfzb(rd("s5-fzb6-house-SOF2611180334-tableware-it.txt"), prefix="ns2"),
        "s5-xffm-TG0940-bkk-mxp-first-arrival-it.xml":
            xffm(rd("s5-ffm8-TG0940-bkk-mxp-first-arrival-it.txt"), prefix="ns0"),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    return [out / name for name in files]


if __name__ == "__main__":
    for path in write_samples(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLES / "cargo-xml"):
        print(path)

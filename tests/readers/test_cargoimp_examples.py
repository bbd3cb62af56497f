"""Every shared and synthetic example parsed, with assertions on real values and positions."""

from __future__ import annotations

from collections.abc import Callable

from ensgate.diagnostics import SourcePos
from ensgate.readers._source import SourceMessage, SourceNode

Read = Callable[[str], SourceMessage]


def at(node: SourceNode, name: str) -> tuple[str, int | None, int | None]:
    f = node.fields[name]
    return f.text, f.pos.line, f.pos.column


def codes(msg: SourceMessage) -> list[str]:
    return [d.code for d in msg.diagnostics]


def test_fwb17_synthetic_full_ics2(example: Read) -> None:
    m = example("fwb17-eu-ics2-hkg-fra.txt")
    assert (m.kind, m.version, m.key, m.is_ens_input, m.index, m.first_line) == (
        "FWB", "17", "160-52817343", True, 0, 1)
    assert codes(m) == []
    awb = m.root.child("awb")
    assert awb is not None
    assert at(awb, "number") == ("160-52817343", 2, 1)
    assert at(awb, "origin") == ("HKG", 2, 13)
    assert at(awb, "pieces") == ("12", 2, 21)
    assert at(awb, "weight") == ("486.5", 2, 24)
    assert at(awb, "volume") == ("2.96", 2, 31)
    assert awb.fields["weight"].pos == SourcePos(
        file="fwb17-eu-ics2-hkg-fra.txt", message=0, line=2, column=24)
    shp = m.root.child("shipper")
    assert shp is not None
    assert shp.value("account") == "CN1183204"
    assert [n.value("text") for n in shp.all("name")] == [
        "SHENZHEN LUMOPTIK PRECISION", "INSTRUMENTS CO LTD"]
    assert at(shp.all("name")[1], "text") == ("INSTRUMENTS CO LTD", 7, 2)
    assert [s.value("text") for s in shp.all("street")] == [
        "BLDG 7 NANSHAN SCIENCE PARK", "12 KEJI SOUTH ROAD"]
    assert (shp.value("place"), shp.value("state")) == ("SHENZHEN", "GD")
    assert at(shp, "country") == ("CN", 11, 2)
    assert at(shp, "postcode") == ("518057", 11, 5)
    assert [(c.value("type"), c.value("number")) for c in shp.all("contact")] == [
        ("TE", "8675586012345"), ("FX", "8675586012399")]
    cne = m.root.child("consignee")
    assert cne is not None
    assert cne.value("place") == "FRANKFURT AM MAIN"
    assert "account" not in cne.fields
    agent = m.root.child("agent")
    assert agent is not None
    assert "account" not in agent.fields  # AGT//3346512: empty element, no field
    assert at(agent, "iata_code") == ("3346512", 18, 6)
    assert agent.value("name") == "PEARL DELTA LOGISTICS LTD"
    assert at(agent, "place") == ("HONG KONG", 20, 2)
    cvd = m.root.child("cvd")
    assert cvd is not None
    assert "charge_code" not in cvd.fields
    assert cvd.value("customs_value") == "18450.00"
    goods = m.root.child("goods")
    assert goods is not None
    desc = goods.all("description")
    assert "".join(d.value("text") or "" for d in desc) == (
        "UNMOUNTED GLASS OPTICAL LENSES AND MICROSCOPE SPARE PARTS")
    assert [(d.value("line_no"), d.value("kind")) for d in desc] == [
        ("1", "NG"), ("2", "NG"), ("3", "NG")]
    assert at(desc[1], "text") == ("CAL LENSES AND MICRO", 29, 7)
    assert [h.value("code") for h in goods.all("hs")] == ["900190", "901190"]
    assert goods.all("origin")[0].value("country") == "CN"
    assert [d.value("length") for d in goods.all("dims")] == ["120", "60"]
    assert goods.all("slac")[0].value("count") == "12"
    rate = m.root.all("rate")
    assert len(rate) == 1
    assert (rate[0].value("pieces"), rate[0].value("rate_class"), rate[0].value("total")) == (
        "12", "Q", "2483.20")
    isu = m.root.child("isu")
    assert isu is not None and isu.value("date") == "14MAR26"
    oci = m.root.all("oci")
    assert len(oci) == 12
    assert oci[3].to_dict() == {"seq": "4", "country": "DE", "info": "CNE", "control": "T",
                                "text": "DE274916300"}
    assert at(oci[3], "text") == ("DE274916300", 48, 11)
    assert oci[8].to_dict() == {"seq": "9", "control": "ED", "text": "0627"}
    assert at(oci[8], "control") == ("ED", 53, 4)
    assert [f.value("flight") for f in m.root.all("flight")] == ["CX0289"]
    assert [(r.value("airport"), r.value("carrier")) for r in m.root.all("route")] == [
        ("FRA", "CX")]


def test_fwb16_untagged_parties(example: Read) -> None:
    m = example("fwb16-untagged-parties-ord-mxp.txt")
    assert (m.kind, m.version, m.key) == ("FWB", "16", "001-73204191")
    assert codes(m) == []
    shp = m.root.child("shipper")
    assert shp is not None
    assert shp.value("account") == "LKH20417"
    assert [n.value("text") for n in shp.all("name")] == ["LAKESHORE HYDRAULICS INC"]
    assert [n.value("text") for n in shp.all("street")] == ["2150 W FULTON ST"]
    assert (shp.value("place"), shp.value("state"), shp.value("country"),
            shp.value("postcode")) == ("CHICAGO", "IL", "US", "60612")
    cne = m.root.child("consignee")
    assert cne is not None
    assert at(cne.all("name")[0], "text") == ("OFFICINE MECCANICHE BRIANZA SRL", 11, 2)
    assert at(cne, "state") == ("MB", 13, 8)
    assert [(r.value("airport"), r.value("carrier")) for r in m.root.all("route")] == [
        ("JFK", "AA"), ("MXP", "AA")]
    assert [(f.value("flight"), f.value("day")) for f in m.root.all("flight")] == [
        ("AA0086", "09"), ("AA0198", "09")]
    oci = m.root.all("oci")
    assert oci[1].to_dict() == {"seq": "2", "info": "CNE", "control": "T",
                                "text": "IT03927150968"}


def test_fwb17_kitchen_sink(example: Read) -> None:
    m = example("fwb17-01.txt")
    assert (m.key, codes(m)) == ("555-64264793", [])
    awb = m.root.child("awb")
    assert awb is not None and awb.value("dg_count") == "6"
    route = m.root.all("route")
    assert [(r.value("airport"), r.value("carrier")) for r in route] == [
        ("SVO", "RU"), ("AMS", "RU"), ("LGG", None)]
    nfy = m.root.child("notify")
    assert nfy is not None
    assert len(nfy.all("name")) == 2 and len(nfy.all("street")) == 2
    assert nfy.value("state") == "RUSSIA"
    agent = m.root.child("agent")
    assert agent is not None
    assert (agent.value("account"), agent.value("iata_code"), agent.value("cass")) == (
        "083 0041 0101", "0830041", "0101")
    assert [s.value("text") for s in m.root.all("ssr")] == [
        "SHIPPERS CERTIFICATION FOR LIVE ANIMALS ATTACHED",
        "DO NOT FEED BUT FRESH WATER TO BE PROVIDED"]
    assert m.root.all("acc")[0].value("text") == "DSV AIR   SEA CO.  LTD"
    rates = m.root.all("rate")
    assert [r.value("line_no") for r in rates] == ["1", "2", "3", "4", "5", "6"]
    assert rates[1].to_dict() == {"line_no": "2", "weight_unit": "K", "weight": "120.01",
                                  "rate_class": "X", "commodity_item": "3"}
    assert rates[3].value("rcp") == "NYC"
    goods = m.root.child("goods")
    assert goods is not None
    assert goods.all("uld")[0].to_dict() == {"line_no": "2", "id": "P1C0037XX"}
    assert [d.value("kind") for d in goods.all("description")] == ["NG", "NC", "NC", "NC"]
    assert [s.value("code") for s in m.root.all("sph")] == [
        "OHG", "MOW", "DGR", "ENG", "PAX", "RFL", "AOG", "DDX"]
    ref = m.root.child("ref")
    assert ref is not None and "sender" not in ref.fields
    assert ref.value("file_ref") == "FRA111020090112"
    assert m.root.child("cor") is not None and m.root.all("cor")[0].value("code") == "T1"
    assert len(m.root.all("opi")) == 10
    oci = m.root.all("oci")
    assert [(o.value("country"), o.value("info"), o.value("control")) for o in oci] == [
        ("GB", "ISS", "RA"), (None, None, "ED"), ("US", "AGT", "A"), (None, "DNR", "D"),
        (None, "DNR", "D"), (None, None, "L"), ("IT", "IMP", "M")]
    assert at(oci[6], "text") == ("07IT9876AB88901235", 87, 11)


def test_fwb17_consolidation_security_block(example: Read) -> None:
    m = example("fwb17-02.txt")
    assert codes(m) == []
    goods = m.root.child("goods")
    assert goods is not None
    assert [d.value("text") for d in goods.all("description")] == [
        "CONSOLIDATION", "AS PER ATTACHED LIST"]
    assert goods.all("dims")[0].to_dict() == {"line_no": "4", "nda": "NDA"}
    oci = m.root.all("oci")
    assert [o.value("control") for o in oci] == ["A", "F", "RA", "ED", "ST", "ST", "ST", "ST"]
    assert oci[7].value("text") == " GRAMS TRANSFERRING THIS COUNTRY"  # leading space kept
    assert at(oci[7], "text") == (" GRAMS TRANSFERRING THIS COUNTRY", 36, 7)


def test_fhl5_single_house_parties_move_into_the_house(example: Read) -> None:
    m = example("fhl5-single-house-hkg-ams.txt")
    assert (m.kind, m.version, m.key, codes(m)) == ("FHL", "5", "160-52817450", [])
    (house,) = m.root.all("house")
    assert house.to_dict()["number"] == "PDL26031408"
    assert at(house, "weight") == ("212.5", 3, 27)
    assert (house.value("slac"), house.value("description")) == ("16", "LED GROW LIGHTS")
    assert [s.value("code") for s in house.all("sph")] == ["EAW", "SPX"]
    txt = [t.value("text") for t in house.all("txt")]
    assert txt[0].endswith("REMOVABLE P") and txt[1].startswith("OWER DRIVERS")
    assert [h.value("code") for h in house.all("hs")] == ["940542", "850440"]
    assert at(house.all("hs")[1], "code") == ("850440", 8, 2)
    assert [o.value("seq") for o in house.all("oci")] == ["1", "2", "3", "4", "5"]
    shp, cne, cvd = house.child("shipper"), house.child("consignee"), house.child("cvd")
    assert shp is not None and cne is not None and cvd is not None
    assert [n.value("text") for n in shp.all("name")] == [
        "DONGGUAN VERDANT LIGHTING", "TECHNOLOGY CO LTD"]
    assert cne.value("postcode") == "2671CK"
    assert cvd.value("customs_value") == "9800.00" and "charge_code" not in cvd.fields
    assert "unassigned" not in m.root.children and "shipper" not in m.root.children


def test_fhl4_name_on_identifier_line(example: Read) -> None:
    m = example("fhl4-single-house-yul-cdg.txt")
    assert (m.version, codes(m)) == ("4", [])
    (house,) = m.root.all("house")
    shp, cne = house.child("shipper"), house.child("consignee")
    assert shp is not None and cne is not None
    assert at(shp.all("name")[0], "text") == ("ERABLIERE DU VAL-BRUME INC", 10, 5)
    assert [s.value("text") for s in shp.all("street")] == ["1875 RANG SAINT-JOSEPH"]
    assert (shp.value("place"), shp.value("state"), shp.value("postcode")) == (
        "SAINT-HYACINTHE", "QC", "J2R1H4")
    assert (cne.value("place"), cne.value("country")) == ("PARIS", "FR")
    assert "state" not in cne.fields
    txt = [t.value("text") for t in house.all("txt")]
    assert txt[0].endswith("12 X 5") and txt[1].startswith("00ML")


def test_fhl5_examples(example: Read) -> None:
    one = example("fhl5-01.txt")
    (house,) = one.root.all("house")
    shp = house.child("shipper")
    assert shp is not None and shp.value("place") == "AIRLINES ROAD"
    assert shp.all("contact")[0].to_dict() == {"type": "FX", "number": "651234567"}
    two = example("fhl5-02.txt")
    houses = two.root.all("house")
    assert [h.value("number") for h in houses] == ["AEI12345678", "AEI12345679", "AEI12345680"]
    assert all("slac" not in h.fields for h in houses)  # `//` slac: no field
    assert houses[2].all("txt")[0].value("text") == "MODEL 5 SCREENS AND OTHER ASSORTED PARTS"
    three = example("fhl5-03.txt")
    assert [h.value("pieces") for h in three.root.all("house")] == ["1000", "200", "34"]
    assert [s.value("code") for s in three.root.all("house")[2].all("sph")] == ["VAL"]


def test_fzb6_house_waybill(example: Read) -> None:
    m = example("fzb6-house-sin-vie.txt")
    assert (m.kind, m.version, m.key, codes(m)) == (
        "FZB", "6", "618-20933570/STG2603110042", [])
    hcd = m.root.child("hcd")
    assert hcd is not None
    assert at(hcd, "master_number") == ("618-20933570", 2, 5)
    assert at(hcd, "number") == ("STG2603110042", 2, 18)
    assert (hcd.value("origin"), hcd.value("destination"), hcd.value("weight")) == (
        "SIN", "VIE", "318")
    hah = m.root.child("hah")
    assert hah is not None
    assert hah.all("name")[0].value("text") == "STRAITS GLOBAL FORWARDING PTE LTD"
    assert hah.all("street")[0].value("text") == "18 CHANGI SOUTH STREET 2"
    assert (hah.value("place"), hah.value("country"), hah.value("postcode")) == (
        "SINGAPORE", "SG", "486165")
    rate = m.root.all("rate")[0]
    assert "chargeable_weight" not in rate.fields
    oci = m.root.all("oci")
    assert oci[1].value("text") == "ATEOS1000047213"


def test_ffm8_synthetic_unloading_uld_and_splits(example: Read) -> None:
    m = example("ffm8-first-arrival-hkg-ams-fra.txt")
    assert (m.kind, m.key, codes(m)) == ("FFM", "CX0289/14MAR2355/HKG", [])
    flight = m.root.child("flight")
    assert flight is not None
    assert flight.to_dict() == {
        "part": "1", "flight": "CX0289", "carrier": "CX", "number": "0289",
        "date": "14MAR2355", "day": "14", "month": "MAR", "time": "2355", "loading": "HKG",
        "registration": "BLXA", "arrival_country": "NL", "arrival_date": "15MAR0640",
        "arrival_airport": "AMS"}
    assert at(flight, "arrival_airport") == ("AMS", 2, 42)
    ams, fra = m.root.all("unloading")
    assert (ams.value("airport"), ams.value("arrival")) == ("AMS", "15MAR0640")
    bulk, in_uld = ams.all("consignment")
    assert "uld" not in bulk.fields
    assert in_uld.value("uld") == "PMC52817CX"
    assert in_uld.fields["uld"].pos.line == 6  # the ULD line the id was read from
    splits = [c for c in fra.all("consignment") if c.value("number") == "160-52817343"]
    assert [(c.value("pieces"), c.value("total_pieces"), c.value("uld")) for c in splits] == [
        ("4", "12", None), ("8", "12", "PMC52904CX")]
    dims = splits[1].all("dims")
    assert [(d.value("weight"), d.value("pieces")) for d in dims] == [("330", "2"), ("72.1", "6")]
    watch = fra.all("consignment")[2]
    assert watch.all("cor")[0].value("code") == "X"
    assert [u.value("id") for u in fra.all("uld")] == ["PMC52904CX"]
    end = m.root.child("end")
    assert end is not None and end.value("marker") == "LAST"


def test_ffm8_manual_example_with_splits(example: Read) -> None:
    m = example("ffm8-02.txt")
    assert codes(m) == []  # S1 + S12 = T13 for 014-23511810
    (yyz,) = m.root.all("unloading")
    cons = yyz.all("consignment")
    assert len(cons) == 13
    twice = [c for c in cons if c.value("number") == "014-23511810"]
    assert [(c.value("pieces"), c.value("uld")) for c in twice] == [
        ("1", "DVA1234AC"), ("12", "DVA3456AC")]
    uld = yyz.all("uld")
    assert uld[0].to_dict() == {"id": "DVA1234AC", "type": "DVA", "serial": "1234",
                                "owner": "AC", "position": "M"}
    assert uld[1].value("remarks") == "HANDLE WITH CARE"
    assert [s.value("code") for s in cons[7].all("sph")] == ["HEA", "MAG"]


def test_ffm8_part_two_alone_is_incomplete(example: Read) -> None:
    m = example("ffm8-01.txt")
    assert codes(m) == ["IMP016"]
    (jfk,) = m.root.all("unloading")
    first_uld = jfk.all("uld")[0]
    assert first_uld.value("remarks") == "HT180WT985.0IND OS 50 CM LAT IND OS 60 CM"
    assert first_uld.value("volume_code") == "2"
    assert [o.value("airport") for o in first_uld.all("onward")] == ["PVG", "PMC"]
    cons = jfk.all("consignment")
    assert [c.value("uld") for c in cons] == ["PMC01473R7", "PMC01473R7", "PGF09987R7"]
    assert len(cons[2].all("sph")) == 6

"""Cargo-XML reader on the public examples and the bundled samples: trees, positions,
namespaces, versions, type codes, several documents per file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from ensgate.diagnostics import Severity
from ensgate.pipeline._inputs import read_messages
from ensgate.readers._source import SourceMessage
from ensgate.readers.cargoxml import looks_like_cargoxml, read_cargoxml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "data" / "cargoxml"  # copies of ../shared/reference/cargo-xml/examples
SAMPLES = ROOT / "samples" / "cargo-xml"
XFWB = EXAMPLES / "888-11111111_XFWB.xml"
XFZB = EXAMPLES / "SEL22222222_XFZB.xml"


def read_one(data: bytes, file: str = "t.xml") -> SourceMessage:
    msgs = read_cargoxml(data, file=file)
    assert len(msgs) == 1
    return msgs[0]


def codes(msg: SourceMessage) -> set[str]:
    return {d.code for d in msg.diagnostics}


def line_of(data: bytes, needle: str) -> int:
    """1-based line of the first occurrence of ``needle`` (expected values come from the file)."""
    text = data.decode("utf-8")
    return text[:text.index(needle)].count("\n") + 1


def test_xfwb_example_tree() -> None:
    data = XFWB.read_bytes()
    msg = read_one(data, "x.xml")
    assert (msg.format, msg.kind, msg.version, msg.key) == ("cargo-xml", "XFWB", "3.00",
                                                            "888-11111111")
    assert msg.is_ens_input and not msg.diagnostics
    cons = msg.root.child("consignment")
    assert cons is not None
    assert (cons.value("gross_weight"), cons.value("gross_weight_unit")) == ("1042.0", "KGM")
    consignee = cons.child("consignee")
    assert consignee is not None
    # multi-line Name and StreetName become one record per line
    assert [n.value("text") for n in consignee.all("name")] == [
        "FORWARDER COMPANY SHANGHAI LTD", "ROOM 123 SPECIAL BUILDING. NR 987"]
    assert [n.value("text") for n in consignee.all("street")] == [
        "SUHANG RD. PUDONG AIRPORT", "AIRPORT ROAD"]
    assert [(c.value("type"), c.value("number")) for c in consignee.all("contact")] == [
        ("TE", "861234567890")]
    oci = [(o.value("info"), o.value("control"), o.value("text")) for o in cons.all("oci")]
    assert oci[0] == ("SHP", "T", "IE1234567N")
    assert ("CNE", "CT", "862123454321") in oci
    assert oci[-1] == (None, "SD", "13APR211147")  # security qualifier without SubjectCode
    assert [o.value("seq") for o in cons.all("oci")] == [str(i) for i in range(1, 10)]
    moves = [(m.value("flight"), m.value("departure_airport"), m.value("arrival_airport"))
             for m in cons.all("movement")]
    assert moves == [("XX8012", "ORK", "DUB"), ("XX345", "DUB", "AUH")]
    item = cons.child("item")
    assert item is not None
    assert (item.value("hs"), item.value("volume"), item.value("volume_unit")) == (
        "000111", "2602000", "CMQ")
    assert item.all("description")[0].value("text") == "CONSOLIDATION"
    assert len(item.all("package")) == 2


def test_positions_carry_line_and_xpath() -> None:
    data = XFWB.read_bytes()
    msg = read_one(data, "f.xml")
    cons = msg.root.child("consignment")
    assert cons is not None
    name = cons.all("consignee")[0].all("name")[0].fields["text"]
    assert name.pos.file == "f.xml" and name.pos.message == 0
    assert name.pos.line == line_of(data, "<Name>FORWARDER COMPANY SHANGHAI")
    assert name.pos.xpath == "/Waybill/MasterConsignment/ConsigneeParty/Name"
    second = cons.all("movement")[1].fields["flight"]
    assert second.pos.xpath == ("/Waybill/MasterConsignment/"
                                "SpecifiedLogisticsTransportMovement[2]/ID")
    assert second.pos.line == line_of(data, "<ID>XX345</ID>")
    unit = cons.fields["gross_weight_unit"]
    assert unit.pos.xpath.endswith("IncludedTareGrossWeightMeasure/@unitCode")
    # the xpath really selects the element (local names, 1-based positions)
    tree = etree.fromstring(data)
    steps = second.pos.xpath.strip("/").split("/")[1:]
    expr = "/".join(re.sub(r"^(\w+)(\[\d+\])?$", r"*[local-name()='\1']\2", s) for s in steps)
    assert tree.xpath(expr)[0].text == "XX345"


def test_xfzb_example_tree() -> None:
    msg = read_one(XFZB.read_bytes())
    assert (msg.kind, msg.key) == ("XFZB", "888-11111111")
    assert msg.root.value("awb") == "888-11111111"
    cons = msg.root.child("consignment")
    assert cons is not None
    house = cons.child("house")
    assert house is not None
    assert house.value("id") == "SEL22222222"
    assert [i.value("hs") for i in house.all("item")] == ["1133557799"]
    assert house.all("summary")[0].value("text").startswith("SPARE PARTS F345732-D")
    consignee = house.child("consignee")
    assert consignee is not None and not consignee.all("contact")  # empty DefinedTradeContact
    assert not msg.diagnostics


def _reprefix(data: bytes, root_prefix: str | None, dm_prefix: str | None) -> bytes:
    """The same document with other namespace prefixes (content unchanged)."""
    src = etree.fromstring(data)
    root_ns = etree.QName(src).namespace
    nsmap = {root_prefix: root_ns, dm_prefix: "iata:datamodel:3"}
    out = etree.Element(src.tag, nsmap=nsmap)

    def copy(a: etree._Element, b: etree._Element) -> None:
        for kid in a:
            if not isinstance(kid.tag, str):
                continue
            k = etree.SubElement(b, kid.tag, dict(kid.attrib))
            k.text = kid.text
            copy(kid, k)

    copy(src, out)
    data: bytes = etree.tostring(out, xml_declaration=True, encoding="UTF-8")
    return data


@pytest.mark.parametrize(("root_prefix", "dm_prefix"), [("rsm", "ram"), ("ns0", None),
                                                        (None, "x")])
def test_prefixes_do_not_matter(root_prefix: str | None, dm_prefix: str | None) -> None:
    original = read_one(XFWB.read_bytes())
    other = read_one(_reprefix(XFWB.read_bytes(), root_prefix, dm_prefix))
    assert other.root.to_dict() == original.root.to_dict()
    assert not other.diagnostics


def _xfwb_with(**repl: str) -> bytes:
    text = (SAMPLES / "s3-xfwb-direct-180-88351270-icn-vie-security.xml").read_text("utf-8")
    for old, new in repl.items():
        assert old in text or old == "", old
        text = text.replace(old, new)
    return text.encode("utf-8")


def test_later_versions_read_without_warning() -> None:
    msg = read_one(_xfwb_with(**{"<ram:VersionID>3.00<": "<ram:VersionID>5.00<"}))
    assert msg.version == "5.00" and not msg.diagnostics


@pytest.mark.parametrize("old", ["2.00", "abc"])
def test_old_or_odd_version_warns(old: str) -> None:
    msg = read_one(_xfwb_with(**{"<ram:VersionID>3.00<": f"<ram:VersionID>{old}<"}))
    assert codes(msg) == {"CXM006"} and msg.is_ens_input


def test_missing_version_warns() -> None:
    msg = read_one(_xfwb_with(**{"<ram:VersionID>3.00</ram:VersionID>": ""}))
    assert codes(msg) == {"CXM006"} and msg.version == ""


def test_unknown_namespace_version_is_read_with_warning() -> None:
    msg = read_one(_xfwb_with(**{'"iata:waybill:1"': '"iata:waybill:2"',
                                 '"iata:datamodel:3"': '"iata:datamodel:4"'}))
    assert msg.kind == "XFWB" and msg.is_ens_input
    cxm003 = [d for d in msg.diagnostics if d.code == "CXM003"]
    assert len(cxm003) == 2  # the root's namespace and the data model's, once each
    assert all(d.severity == Severity.WARNING for d in cxm003)
    assert msg.root.value("awb") == "180-88351270"


def test_document_without_namespaces_is_read_with_warning() -> None:
    data = etree.tostring(etree.fromstring(
        (SAMPLES / "s3-xfwb-direct-180-88351270-icn-vie-security.xml").read_bytes()))
    plain = re.sub(rb'\sxmlns(:\w+)?="[^"]+"', b"", data)
    plain = re.sub(rb"<(/?)\w+:", rb"<\1", plain)
    msg = read_one(plain)
    assert msg.kind == "XFWB" and msg.key == "180-88351270"
    assert "CXM003" in codes(msg) and not any(d.is_error for d in msg.diagnostics)


def test_type_code_of_another_message_is_an_error() -> None:
    msg = read_one(_xfwb_with(**{"<ram:TypeCode>740<": "<ram:TypeCode>703<"}))
    d = next(d for d in msg.diagnostics if d.code == "CXM005")
    assert d.severity == Severity.ERROR and d.found == "703"
    assert d.source is not None and d.source.xpath == "/Waybill/MessageHeaderDocument/TypeCode"


def test_unknown_elements_are_reported_once_with_position() -> None:
    data = _xfwb_with(**{"<ram:TotalPieceQuantity>": "<ram:FancyNewElement>x</ram:FancyNewElement>"
                         "<ram:FancyNewElement>y</ram:FancyNewElement><ram:TotalPieceQuantity>"})
    msg = read_one(data)
    found = [d for d in msg.diagnostics if d.code == "CXM009"]
    assert len(found) == 1 and "2 times" in found[0].message
    assert found[0].source is not None
    assert found[0].source.xpath == "/Waybill/MasterConsignment/FancyNewElement"
    assert found[0].source.line == line_of(data, "<ram:FancyNewElement>x")
    assert msg.root.child("consignment").value("pieces") == "5"


def test_awb_check_digit_warns() -> None:
    msg = read_one(_xfwb_with(**{">180-88351270<": ">180-88351271<"}))
    assert "CXM008" in codes(msg) and msg.key == "180-88351271"


def test_several_documents_in_one_file() -> None:
    a = (SAMPLES / "s3-xfwb-direct-180-88351270-icn-vie-security.xml").read_bytes()
    b = (SAMPLES / "s3-xffm-KE0933-icn-vie-utc-offsets.xml").read_bytes()
    data = a + b
    msgs = read_cargoxml(data, file="two.xml")
    assert [(m.index, m.kind) for m in msgs] == [(0, "XFWB"), (1, "XFFM")]
    assert msgs[1].first_line == a.count(b"\n") + 1
    flight = msgs[1].root.child("flight")
    assert flight is not None
    assert flight.fields["flight"].pos.line == line_of(data, "<ID>KE0933</ID>")
    assert flight.fields["flight"].pos.message == 1


def test_trailing_noise_is_cut_with_warning() -> None:
    data = (SAMPLES / "s3-xfwb-direct-180-88351270-icn-vie-security.xml").read_bytes()
    msg = read_one(data + b"NNNN\n")
    assert codes(msg) == {"CXM011"} and msg.key == "180-88351270"


def test_xffm_tree_folds_cargo_into_unloading() -> None:
    msg = read_one((SAMPLES / "s3-xffm-KE0933-icn-vie-utc-offsets.xml").read_bytes())
    assert (msg.kind, msg.key) == ("XFFM", "KE0933/2026-11-18/ICN")
    flight = msg.root.child("flight")
    assert flight is not None
    assert (flight.value("departure_time"), flight.value("arrival_airport"),
            flight.value("registration")) == ("2026-11-18T12:55:00+09:00", "VIE", "HL8517")
    unloading = msg.root.all("unloading")
    assert [u.value("airport") for u in unloading] == ["VIE"]
    cons = unloading[0].all("consignment")
    assert [(c.value("awb"), c.value("uld")) for c in cons] == [
        ("180-88351270", None), ("180-88361475", None), ("180-88374020", "47311")]
    assert [u.value("type") for u in unloading[0].all("uld")] == ["PMC"]


def test_xfhl_sample_has_three_houses_with_parties() -> None:
    msg = read_one((SAMPLES / "s1-xfhl-three-houses-781-60482133-pvg-bru.xml").read_bytes())
    assert (msg.kind, msg.key) == ("XFHL", "781-60482133")
    houses = msg.root.child("consignment").all("house")
    assert [h.value("id") for h in houses] == ["HXSHA2611045", "HXSHA2611046", "HXSHA2611047"]
    assert all(h.child("consignee") is not None for h in houses)
    assert [i.value("hs") for i in houses[0].all("item")] == ["871494", "871499"]


def test_detection_by_content() -> None:
    samples = sorted(SAMPLES.glob("*.xml"))
    assert samples
    for p in samples:
        assert looks_like_cargoxml(p.read_bytes()[:4096].decode("latin-1")), p.name
    imp = ROOT / "samples" / "cargo-imp" / "s3-fwb17-direct-180-88351270-icn-vie-security.txt"
    assert not looks_like_cargoxml(imp.read_bytes()[:4096].decode("latin-1"))
    assert not looks_like_cargoxml("<html><body>hello</body></html>")
    assert looks_like_cargoxml('<?xml version="1.0"?>\n'
                               '<x:StatusMessage xmlns:x="iata:statusmessage:1"/>')
    # a file name says nothing: content decides
    msgs = read_messages((SAMPLES / "s5-xfzb-house-SOF2611180334-tableware-it.xml").read_bytes(),
                         file="whatever.txt")
    assert msgs[0].format == "cargo-xml" and msgs[0].kind == "XFZB"


def test_status_message_is_routed_as_not_ens() -> None:
    msg = read_one(b'<?xml version="1.0"?><s:StatusMessage xmlns:s="iata:statusmessage:1" '
                   b'xmlns="iata:datamodel:3"><s:MessageHeaderDocument/></s:StatusMessage>')
    assert msg.kind == "XFSU" and not msg.is_ens_input and codes(msg) == {"CXM004"}


def test_every_sample_reads_cleanly() -> None:
    samples = sorted(SAMPLES.glob("*.xml"))
    assert samples
    for p in samples:
        msg = read_one(p.read_bytes(), p.name)
        assert msg.is_ens_input and not msg.diagnostics, (p.name, msg.diagnostics)
        assert msg.version == "3.00"


def test_utf16_document_is_detected_and_read() -> None:
    text = (SAMPLES / "s5-xfzb-house-SOF2611180334-tableware-it.xml").read_text("utf-8")
    data = text.replace("encoding='UTF-8'", "encoding='UTF-16'").encode("utf-16")
    msgs = read_messages(data, file="wide.xml")
    assert len(msgs) == 1 and msgs[0].kind == "XFZB" and msgs[0].key == "217-51290746"
    assert not msgs[0].diagnostics
    assert "CASA DELLE CERAMICHE MILANO SRL" in msgs[0].raw  # raw text in its own encoding


def test_xfwb_awb_from_transport_contract_document() -> None:
    """Some senders put a message id in BusinessHeaderDocument/ID and the AWB only in
    MasterConsignment/TransportContractDocument/ID: the one with the AWB form wins."""
    data = _xfwb_with(**{
        "<ram:ID>180-88351270</ram:ID>": "<ram:ID>MSG-0001</ram:ID>",
        "<rsm:MasterConsignment>": "<rsm:MasterConsignment><ram:TransportContractDocument>"
                                   "<ram:ID>180-88351270</ram:ID></ram:TransportContractDocument>"})
    msg = read_one(data)
    assert msg.key == "180-88351270" and not msg.diagnostics
    assert msg.root.fields["awb"].pos.xpath == \
        "/Waybill/MasterConsignment/TransportContractDocument/ID"


def test_inferred_type_code_disagreement_is_only_a_warning() -> None:
    text = (SAMPLES / "s1-xfhl-three-houses-781-60482133-pvg-bru.xml").read_text("utf-8")
    msg = read_one(text.replace("<ram:TypeCode>785<", "<ram:TypeCode>703<", 1).encode())
    d = next(d for d in msg.diagnostics if d.code == "CXM005")
    assert d.severity == Severity.WARNING and msg.is_ens_input


def test_item_with_several_hs_codes_gives_one_item_per_code() -> None:
    """RTD-style: one rate line (item) with two TypeCode elements, as some producers write
    several /NH/ codes; weight and pieces stay on the first item only."""
    text = (SAMPLES / "s3-xfwb-direct-180-88351270-icn-vie-security.xml").read_text("utf-8")
    start = text.index("<ram:IncludedMasterConsignmentItem>", text.index(
        "<ram:IncludedMasterConsignmentItem>") + 1)
    end = text.index("</ram:IncludedMasterConsignmentItem>", start) + len(
        "</ram:IncludedMasterConsignmentItem>")
    merged = text[:start] + text[end:]  # drop item 2 ...
    merged = merged.replace("<ram:TypeCode>902780</ram:TypeCode>",
                            "<ram:TypeCode>902780</ram:TypeCode>"
                            "<ram:TypeCode>382219</ram:TypeCode>")  # ... and give its code to 1
    data = merged.encode()
    msg = read_one(data)
    items = msg.root.child("consignment").all("item")
    assert [(i.value("hs"), i.value("split_from"), i.value("gross_weight")) for i in items] == [
        ("902780", None, "212.4"), ("382219", "1", None)]
    assert items[1].all("description") == items[0].all("description")
    assert items[1].fields["hs"].pos.line == line_of(data, ">382219<")

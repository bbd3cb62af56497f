"""Real-world-shaped Cargo-XML (tests/data/cargoxml-realworld/, written for ensgate after the
variants public producers show): each document gives the filing or the precise reject stated
here, never an exception. The expectations are the data's, worked out by hand (README of the
folder: what each file exercises)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ensgate import TranslateOptions, load_config, translate
from ensgate.config import FilingPolicy
from ensgate.diagnostics import Severity
from ensgate.readers.cargoxml import read_cargoxml

DATA = Path(__file__).resolve().parents[1] / "data" / "cargoxml-realworld"
# Houses without their master FWB file their PLACI filing at once (house_wait 0): these tests
# check what the reader and the specs make of each document; the waiting itself is the
# policy's, tested in tests/store.
OPTIONS = TranslateOptions(
    issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20",
    config=replace(load_config(), filing_policy=FilingPolicy(house_wait=0.0)))

# file -> (filing type, or None for a reject, or "pending: ..." / "not-ens"; error codes of the
#          reject, reader diagnostics at warning level or above, as (code, line))
EXPECTED: dict[str, tuple[str | None, set[str], set[tuple[str, int]]]] = {
    "01-xfwb-rsm-ram-lbr-multi-hs.xml": ("IE3F28", set(), set()),
    "02-xfwb-v5-default-ns-inline-nonascii.xml": ("IE3F28", set(), set()),
    "03-xfzb-utf16le-bom-ns0.xml": ("IE3F26", set(), set()),
    "04-xfhl-dotnet-utf16-label-utf8-bytes-oneline.xml": (
        "IE3F26", set(), {("CXM012", 1), ("CXM006", 1)}),
    "05-xfwb-consignee-without-address.xml": (None, {"MAP003"}, set()),
    "06-xfwb-padded-empty-nil-extension.xml": ("IE3F28", set(), set()),
    "07-xffm-dotnet-ulds-bulk-two-stops.xml": (None, set(), set()),  # supporting: no master
    # no arrival time without its XFFM: the shipment waits for it
    "08-xfwb-roses-nbo-ams-for-xffm.xml": ("pending: flight times: FFM (or schedule)", set(),
                                           set()),
    "09-xfwb-in-soap-envelope.xml": ("IE3F28", set(), {("CXM013", 13)}),
    "10-xfzb-cp1252-bytes-declared-utf8.xml": ("IE3F26", set(), {("CXM012", 30)}),
    "11-xfsu-status-not-ens.xml": ("not-ens", {"CXM004"}, {("CXM004", 2)}),
    "12-xfwb-typecode-703-contradicts-root.xml": (None, {"CXM005"}, {("CXM005", 11)}),
    "13-xfhl-datamodel-root-eight-houses-lbr-long-text.xml": ("IE3F26", set(), {("CXM003", 3)}),
    "14-xfwb-truncated-transfer.xml": (None, {"CXM001"}, {("CXM001", 123)}),
    "15-xfzb-two-houses-concatenated-comments-in-values.xml": ("IE3F26", set(), {("CXM011", 99)}),
    "16-xfwb-no-namespaces-utf8-bom.xml": ("IE3F28", set(), {("CXM003", 2)}),
    "17-xfwb-weight-units-lbs-kgs.xml": ("IE3F28", set(), set()),
    # the unit fails (MAP004); "gross weight missing" (MAP003) on the same element is folded in
    "18-xfwb-weight-unit-ton-ambiguous.xml": (None, {"MAP004"}, set()),
}
DOCUMENTS = {"15-xfzb-two-houses-concatenated-comments-in-values.xml": 2}
"""Files holding more than one document (default: one)."""


def _one(name: str) -> tuple[str | None, set[str]]:
    result = translate([DATA / name], OPTIONS)
    assert result.messages_in == DOCUMENTS.get(name, 1)
    assert result.check() == []
    assert (len(result.filings) + len(result.rejects) + len(result.supporting)
            + len(result.pending) + len(result.not_ens)) == 1
    if result.filings:
        return result.filings[0].filing, set()
    if result.supporting:
        return None, set()
    if result.pending:
        return "pending: " + result.pending[0].waiting_for, set()
    if result.not_ens:
        return "not-ens", {d.code for d in result.not_ens[0].diagnostics}
    reject = result.rejects[0]
    for d in reject.diagnostics:  # a reject explains itself
        assert d.message
    return None, {d.code for d in reject.diagnostics if d.is_error}


def test_every_document_has_an_expectation() -> None:
    assert sorted(p.name for p in DATA.glob("*.xml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_outcome(name: str) -> None:
    filing, codes = _one(name)
    want_filing, want_codes, _ = EXPECTED[name]
    assert filing == want_filing
    assert want_codes <= codes
    if want_filing in (None, "not-ens") and want_codes:
        assert codes  # a reject (or a routed message) names its reason


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reader_diagnostics_are_precise(name: str) -> None:
    msgs = read_cargoxml((DATA / name).read_bytes(), file=name)
    assert len(msgs) == DOCUMENTS.get(name, 1)
    diags = [d for m in msgs for d in m.diagnostics]
    got = {(d.code, d.source.line) for d in diags
           if d.severity >= Severity.WARNING and d.source is not None and d.source.line}
    assert got == EXPECTED[name][2]
    for d in diags:
        assert d.source is not None and d.source.file == name
        if d.severity >= Severity.WARNING:
            assert d.expected and d.found


def _tag(xml: bytes, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>([^<]*)</{tag}>", xml.decode("utf-8"))


def _filing(*names: str) -> bytes:
    result = translate([DATA / n for n in names], OPTIONS)
    assert len(result.filings) == 1, [r.reason for r in result.rejects]
    return result.filings[0].xml


def test_pounds_are_converted_per_item() -> None:
    xml = _filing("01-xfwb-rsm-ram-lbr-multi-hs.xml")
    masses = [Decimal(m) for m in _tag(xml, "grossMass")]
    lb = Decimal("0.45359237")
    assert masses == [(Decimal(w) * lb).quantize(Decimal("0.001"))
                      for w in ("640", "310.5", "152")]
    assert _tag(xml, "harmonizedSystemSubHeadingCode") == ["848210", "848230", "848299"]


def test_inline_default_namespaces_repeated_hs_codes_and_non_ascii() -> None:
    xml = _filing("02-xfwb-v5-default-ns-inline-nonascii.xml")
    text = xml.decode("utf-8")
    assert "ÖZGÜR TEKSTİL SANAYİ VE TİCARET A.Ş." in text
    assert "Groothandel Van der Velde &amp; Zonen B.V." in text
    # one item with three TypeCode elements gives three goods items
    assert _tag(xml, "harmonizedSystemSubHeadingCode") == ["610910", "620342", "611020"]
    # 12:10+01:00 arrival, 09:25+03:00 departure (7-digit fractions as .NET writes them)
    assert "2026-11-20T11:10:00Z" in text and "2026-11-20T06:25:00Z" in text


def test_house_number_from_transport_contract_and_awb_normalised() -> None:
    xml = _filing("04-xfhl-dotnet-utf16-label-utf8-bytes-oneline.xml")
    docs = _tag(xml, "documentNumber")
    assert "047-33106721" in docs
    assert {"CWB26110871", "CWB26110872", "CWB26110873"} <= set(docs)
    assert _tag(xml, "methodOfPayment") == ["Z", "Z", "Z"]  # the master's indicator


def test_padding_empty_elements_and_extensions() -> None:
    msg = read_cargoxml((DATA / "06-xfwb-padded-empty-nil-extension.xml").read_bytes())[0]
    cons = msg.root.child("consignment")
    assert cons is not None and msg.key == "131-28833475"
    assert cons.value("gross_weight") == "96.5" and cons.value("pieces") == "4"
    assert cons.value("id") is None  # xsi:nil
    infos = {d.found for d in msg.diagnostics if d.code == "CXM009"}
    assert infos == {"{urn:acme-forwarding:cargo-ext:2}RoutingHint",
                     "{urn:acme-forwarding:cargo-ext:2}LineReference"}
    assert len(cons.all("oci")) == 1  # the empty IncludedCustomsNote gives none
    xml = _filing("06-xfwb-padded-empty-nil-extension.xml")
    assert "OPTIQUE DE PRÉCISION SAINT-ÉTIENNE SAS" in xml.decode("utf-8")
    assert _tag(xml, "harmonizedSystemSubHeadingCode") == ["900211"]


def test_xffm_joins_its_master_and_gives_the_eu_arrival() -> None:
    result = translate([DATA / "07-xffm-dotnet-ulds-bulk-two-stops.xml",
                        DATA / "08-xfwb-roses-nbo-ams-for-xffm.xml"], OPTIONS)
    assert result.messages_in == 2 and not result.rejects
    (filing,) = result.filings
    assert filing.filing == "IE3F28" and len(filing.messages) == 2
    text = filing.xml.decode("utf-8")
    assert "EK9906" in text
    arrival = re.search(r"<estimatedDateAndTimeOfArrival>\s*<\w+>([^<]+)<", text)
    # the flight has no ArrivalEvent of its own: the arrival at its first EU stop, MXP
    # 13:05+01:00 (the consignment itself is unloaded later, at AMS)
    assert arrival is not None and arrival.group(1) == "2026-11-20T12:05:00Z"
    routing = re.findall(r"<countriesOfRoutingOfMeansOfTransport>.*?<country>(\w+)</country>",
                         text, re.S)
    assert routing[:2] == ["KE", "AE"]  # loaded in Nairobi before the flight from Dubai


def test_xffm_reads_every_uld_and_bulk_consignment() -> None:
    msg = read_cargoxml((DATA / "07-xffm-dotnet-ulds-bulk-two-stops.xml").read_bytes())[0]
    stops = msg.root.all("unloading")
    assert [s.value("airport") for s in stops] == ["MXP", "AMS"]
    ams = stops[1]
    assert [u.value("id") for u in ams.all("uld")] == ["07733"]
    assert [(c.value("awb"), c.value("uld"), c.value("loading_type"))
            for c in ams.all("consignment")] == [
        ("176-33012346", "07733", "ULD"), ("176-98765435", "07733", "ULD"),
        ("176-33012346", None, "BLK")]


def test_envelope_position_and_cp1252_names() -> None:
    msg = read_cargoxml((DATA / "09-xfwb-in-soap-envelope.xml").read_bytes())[0]
    (d,) = [d for d in msg.diagnostics if d.code == "CXM013"]
    assert d.source is not None and d.source.xpath == "/Envelope/Body/SubmitMessage/Waybill"
    xml = _filing("10-xfzb-cp1252-bytes-declared-utf8.xml")
    text = xml.decode("utf-8")
    assert "Hörgeräte Müller &amp; Söhne GmbH" in text
    assert "Landsberger Straße" in text


def test_long_description_cut_with_a_warning_and_pounds_per_house() -> None:
    result = translate([DATA / "13-xfhl-datamodel-root-eight-houses-lbr-long-text.xml"],
                       OPTIONS)
    (filing,) = result.filings
    descriptions = _tag(filing.xml, "descriptionOfGoods")
    assert max(len(x) for x in descriptions) == 512
    assert any(d.code == "MAP005" and "512" in d.message for d in filing.diagnostics)
    houses = [d for d in _tag(filing.xml, "documentNumber") if d.startswith("JFK4471")]
    assert len(houses) == 8
    # house 1 weighs 157 lb
    assert str((Decimal(157) * Decimal("0.45359237")).quantize(Decimal("0.001"))) in \
        _tag(filing.xml, "grossMass")


def test_whole_folder_accounting() -> None:
    result = translate([DATA], OPTIONS)
    carried = sum(len(f.messages) for f in result.filings)
    assert (carried + len(result.rejects) + len(result.supporting)
            + len(result.pending_messages) + len(result.not_ens)) == result.messages_in
    assert result.check() == []
    assert result.messages_in == len(EXPECTED) + 1  # file 15 holds two documents
    assert sorted(f.filing for f in result.filings) == sorted(
        ["IE3F28"] * 7 + ["IE3F26"] * 5)


def test_comments_pis_cdata_and_character_references_inside_values() -> None:
    xml = _filing("15-xfzb-two-houses-concatenated-comments-in-values.xml")
    assert _tag(xml, "descriptionOfGoods") == ["MERINO WOOL KNITWEAR",
                                               "MANUKA HONEY IN GLASS JARS"]
    assert "Strickwaren Grünberger KG" in xml.decode("utf-8")
    assert _tag(xml, "methodOfPayment") == ["Y", "Z"]


def test_plain_unit_codes_warn_and_an_ambiguous_one_is_refused() -> None:
    result = translate([DATA / "17-xfwb-weight-units-lbs-kgs.xml"], OPTIONS)
    (filing,) = result.filings
    warned = [d for d in filing.diagnostics if d.code == "MAP005" and "'LBS'" in d.message]
    assert len(warned) == 2 and all(d.source is not None and d.source.line for d in warned)
    assert any(d.code == "MAP005" and "'KGS'" in d.message for d in filing.diagnostics)
    assert "68.946" in _tag(filing.xml, "grossMass")
    assert str((Decimal(640) * Decimal("0.45359237")).quantize(Decimal("0.001"))) in \
        _tag(filing.xml, "grossMass")
    (reject,) = translate([DATA / "18-xfwb-weight-unit-ton-ambiguous.xml"], OPTIONS).rejects
    (d,) = [d for d in reject.diagnostics if d.code == "MAP004"]
    assert d.source is not None and d.source.line == 39
    assert d.source.xpath == "/Waybill/MasterConsignment/IncludedTareGrossWeightMeasure/@unitCode"
    assert "'TON'" in d.message and d.expected == "KGM or LBR"


def test_iata_looking_root_uri_is_read_with_a_warning_other_xml_is_not() -> None:
    text = (DATA / "01-xfwb-rsm-ram-lbr-multi-hs.xml").read_text("utf-8")
    urn = read_cargoxml(text.replace('"iata:waybill:1"', '"urn:iata:waybill:1"', 1).encode())[0]
    assert urn.is_ens_input and urn.key == "176-12345675"
    assert [d.code for d in urn.diagnostics if d.severity >= Severity.WARNING] == ["CXM003"]
    other = read_cargoxml(text.replace('"iata:waybill:1"', '"urn:example:waybill"', 1)
                          .encode())[0]
    assert not other.is_ens_input and "CXM002" in {d.code for d in other.diagnostics}
    soap = (b'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/'
            b'envelope/"><s:Body><Waybill xmlns="urn:example:waybill"/></s:Body></s:Envelope>')
    (msg,) = read_cargoxml(soap)
    assert not msg.is_ens_input and "CXM002" in {d.code for d in msg.diagnostics}


def test_a_utf16_label_on_real_utf16_bytes_is_left_alone() -> None:
    data = (DATA / "03-xfzb-utf16le-bom-ns0.xml").read_bytes()
    assert data.startswith(b"\xff\xfe")
    (msg,) = read_cargoxml(data)
    assert not [d for d in msg.diagnostics if d.code == "CXM012"]
    (no_bom,) = read_cargoxml(data[2:].decode("utf-16-le").encode("utf-16-le"))
    assert no_bom.key == "172-77880121"

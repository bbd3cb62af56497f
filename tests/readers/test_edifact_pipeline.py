"""EDIFACT through the whole pipeline: IFTMIN + CUSCAR into ENS filings, joined with each other
and with Cargo-IMP by AWB number; broken interchanges rejected while the batch goes on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lxml import etree
from test_edifact_support import ROOT, S1, S3, SAMPLES, interchange

from ensgate import TranslateOptions, translate
from ensgate.pipeline._batch import translate_messages
from ensgate.pipeline._inputs import read_messages
from ensgate.validate import check_schema

NS = {"e": "urn:wco:datamodel:eu:ics2:2"}
OPTS = TranslateOptions(issued=datetime(2026, 11, 20, 8, 0, tzinfo=UTC), today="2026-11-20")


def _text(root: etree._Element, path: str) -> list[str]:
    return [e.text or "" for e in root.iterfind(path, NS)]


def test_samples_give_valid_filings_and_every_message_is_counted() -> None:
    result = translate([SAMPLES], OPTS)
    assert result.messages_in == 4 and not result.rejects and not result.supporting
    assert sorted(f.filing for f in result.filings) == ["IE3F20", "IE3F28"]
    for f in result.filings:
        assert check_schema(etree.fromstring(f.xml)) == []
        assert not any(d.is_error for d in f.diagnostics)


def test_s1_consolidation_joins_iftmin_master_and_cuscar_houses() -> None:
    result = translate(S1, OPTS)
    (f,) = result.filings
    root = etree.fromstring(f.xml)
    assert _text(root, "e:consignmentMasterLevel/e:transportDocumentMasterLevel/"
                 "e:documentNumber") == ["781-60482144"]
    houses = _text(root, ".//e:consignmentHouseLevel/e:transportDocumentHouseLevel/"
                   "e:documentNumber")
    assert houses == ["HXSHA2611055", "HXSHA2611056", "HXSHA2611057"]
    abtm = "e:activeBorderTransportMeans/"
    assert _text(root, abtm + "e:conveyanceReferenceNumber") == ["MU0553"]
    # DTM 203 local times: 01:35 Shanghai, 07:10 Brussels
    assert _text(root, abtm + "e:estimatedDateAndTimeOfDeparture/e:DateTime") == [
        "2026-11-16T17:35:00Z"]
    assert _text(root, abtm + "e:estimatedDateAndTimeOfArrival/e:DateTime") == [
        "2026-11-17T06:10:00Z"]
    # one goods item per GID, with its own weight and HS code
    assert _text(root, ".//e:consignmentHouseLevel[1]/e:goodsItem/e:weight/e:grossMass") == [
        "301.5", "100.5"]
    lin = f.lineage["houses[2].consignee.name"]
    assert lin.rule is not None and lin.rule.spec.endswith("edifact-cuscar-houses.yaml")
    text, pos = lin.sources[0]
    assert text == "BRABANT EMBEDDED SYSTEMS BV"
    data = Path(S1[0]).read_bytes()  # the CUSCAR file
    assert pos.file.endswith("s1-cuscar-MU0553-pvg-bru-three-houses.edi")
    assert pos.segment is not None and data[pos.offset:].startswith(text.encode())  # type: ignore[index]


def test_s3_direct_awb_files_with_cuscar_flight() -> None:
    (f,) = translate(S3, OPTS).filings
    assert f.filing == "IE3F28" and len(f.messages) == 2
    root = etree.fromstring(f.xml)
    assert _text(root, "e:activeBorderTransportMeans/e:estimatedDateAndTimeOfArrival/"
                 "e:DateTime") == ["2026-11-18T17:30:00Z"]
    assert _text(root, ".//e:notifyParty/e:name") == ["DONAU ZOLLSERVICE GMBH"]


def test_cuscar_flight_joins_a_cargo_imp_fwb() -> None:
    """A CUSCAR that only places the AWB of a Cargo-IMP FWB on its flight gives the flight's
    dates to that filing: the formats meet in one pipeline, joined by AWB number."""
    fwb = ROOT / "samples" / "cargo-imp" / "s3-fwb17-direct-180-88351270-icn-vie-security.txt"
    cuscar = interchange(["BGM+85+KE0933-ICN+9", "TDT+20+KE0933+4++KE", "LOC+5+ICN",
                          "LOC+60+VIE", "DTM+133:202611181300:203", "DTM+132:202611181845:203",
                          "CNI+1+180-88351270", "RFF+AWB:180-88351270"])
    msgs = [*read_messages(fwb.read_bytes(), file=fwb.name),
            *read_messages(cuscar.encode(), file="flight.edi")]
    result = translate_messages(msgs, OPTS)
    (f,) = result.filings
    root = etree.fromstring(f.xml)
    assert _text(root, "e:activeBorderTransportMeans/e:estimatedDateAndTimeOfArrival/"
                 "e:DateTime") == ["2026-11-18T17:45:00Z"]
    assert any("flight.edi" in m for m in f.messages)


def test_iftmin_house_waybill_joins_its_master() -> None:
    house = interchange([
        "UNH+1+IFTMIN:D:99B:UN", "BGM+703+HXSHA2611099+9", "RFF+HWB:HXSHA2611099",
        "RFF+MWB:781-60482144", "LOC+9+PVG", "LOC+8+BRU", "CPI+11++P", "CNT+7:55:KGM", "CNT+11:3",
        "TDT+20+MU0553+4++MU", "LOC+5+PVG", "LOC+60+BRU",
        "NAD+CZ+++YIWU SMALL GOODS CO LTD+18 FUTIAN ROAD+YIWU++322000+CN",
        "COM+8657985551234:TE",
        "NAD+CN+BE0412345678::ZZZ++KADO WINKEL BV+MEIR 12+ANTWERPEN++2000+BE",
        "COM+3232001122:TE",
        "GID+1+3:CT", "FTX+AAA+++CERAMIC MUGS", "PIA+5+691200:HS", "MEA+AAE+G+KGM:55"])
    msgs = [*read_messages(house.encode(), file="house.edi")]
    for p in S1:
        msgs.extend(read_messages(p.read_bytes(), file=p.name))
    (f,) = translate_messages(msgs, OPTS).filings
    root = etree.fromstring(f.xml)
    houses = _text(root, ".//e:consignmentHouseLevel/e:transportDocumentHouseLevel/"
                   "e:documentNumber")
    assert sorted(houses) == ["HXSHA2611055", "HXSHA2611056", "HXSHA2611057", "HXSHA2611099"]


def test_broken_interchanges_are_rejected_and_the_batch_goes_on(tmp_path: Path) -> None:
    good = S3
    bad_count = tmp_path / "bad-count.edi"
    bad_count.write_bytes(S1[1].read_bytes().replace(b"UNT+26+1", b"UNT+25+1"))
    truncated = tmp_path / "truncated.edi"
    truncated.write_bytes(S1[0].read_bytes()[:1500])
    unknown = tmp_path / "unknown.edi"
    unknown.write_text(interchange(["UNH+1+PAYMUL:D:96A:UN", "BGM+452+P1+9"]))
    result = translate([*good, bad_count, truncated, unknown], OPTS)
    assert [f.filing for f in result.filings] == ["IE3F28"]
    reasons = {Path(r.message.file).name: {d.code for d in r.diagnostics}
               for r in result.rejects}
    assert "EDI008" in reasons["bad-count.edi"]
    assert {"EDI005", "EDI006"} & reasons["truncated.edi"]
    assert "EDI011" in reasons["unknown.edi"]
    assert result.check() == []


def test_complete_cuscar_files_on_its_own() -> None:
    """A CNI that names its parties declares the AWB (level=master): the CUSCAR alone gives
    master, goods and flight of a direct-AWB filing."""
    text = interchange([
        "BGM+85+HKG1116A+9", "TDT+20+CX0289+4++CX", "LOC+5+HKG", "LOC+60+AMS",
        "DTM+133:202611161405:203", "DTM+132:202611170640:203",
        "CNI+1+160-52817354", "RFF+AWB:160-52817354", "LOC+9+HKG", "LOC+8+AMS", "CPI+11++P",
        "NAD+CZ+++SHENZHEN LUMOPTIK PRECISION+12 KEJI SOUTH ROAD+SHENZHEN++518057+CN",
        "COM+8675586001234:TE",
        "NAD+CN+NL001234567B01::ZZZ++NORDLICHT OPTIEK BV+KEIZERSGRACHT 291+AMSTERDAM++1016 ED+NL",
        "COM+31201234567:TE",
        "GID+1+12:PK", "FTX+AAA+++UNMOUNTED GLASS OPTICAL LENSES", "PIA+5+900190:HS",
        "MEA+AAE+G+KGM:486.5"])
    result = translate_messages(read_messages(text.encode(), file="cuscar.edi"), OPTS)
    (f,) = result.filings
    assert f.filing == "IE3F28" and not result.rejects
    root = etree.fromstring(f.xml)
    assert _text(root, ".//e:consignee/e:name") == ["NORDLICHT OPTIEK BV"]
    assert _text(root, ".//e:goodsItem/e:commodity/e:commodityCode/"
                 "e:harmonizedSystemSubHeadingCode") == ["900190"]
    assert _text(root, "e:activeBorderTransportMeans/e:estimatedDateAndTimeOfArrival/"
                 "e:DateTime") == ["2026-11-17T05:40:00Z"]  # 06:40 Amsterdam (CET)
    lin = f.lineage["master.document_number"]
    assert lin.rule is not None and lin.rule.spec.endswith("edifact-cuscar-master.yaml")

"""Issue 12: one missing fact gives one diagnostic; a check-list FHL is a list of house
references, never houses that each fail; a CUSCAR without CPI takes the method of payment from
the FWB of the same AWB, else the configuration."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from ensgate import TranslateOptions, translate
from ensgate.config import FilingPolicy, FillPolicy, load_config
from ensgate.diagnostics import collapse_cascades, diag

ROOT = Path(__file__).resolve().parents[2]
S6 = ROOT / "samples" / "cargo-imp"
CHECKLIST = S6 / "s6-fhl5-checklist-057-77403185-four-houses.txt"
S6_FWB = S6 / "s6-fwb17-master-057-77403185-hkg-cdg.txt"
S6_FFM = S6 / "s6-ffm8-AF0185-hkg-cdg-first-arrival-fr.txt"
DATA = ROOT / "tests" / "data"
CUSCAR = DATA / "fidelity" / "cuscar-without-cpi-055-20202022-gru-mxp.edi"
FWB = DATA / "fidelity" / "fwb17-same-awb-with-cvd-055-20202022-gru-mxp.txt"
NS = {"e": "urn:wco:datamodel:eu:ics2:2"}
NOW = TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20")
AT_ONCE = replace(NOW, config=replace(load_config(), filing_policy=FilingPolicy(house_wait=0.0)))


def errors(result) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return [(d.code, d.xpath) for r in result.rejects for d in r.diagnostics if d.is_error]


def test_consignee_without_address_is_one_diagnostic() -> None:
    # The XFWB's consignee has a name and nothing else: city and country missing (MAP003),
    # the schema's missing city (XSD002), R3002 and C3034 on the same address were five.
    result = translate([DATA / "cargoxml-realworld" / "05-xfwb-consignee-without-address.xml"],
                       NOW)
    (reject,) = result.rejects
    (only,) = [d for d in reject.diagnostics if d.is_error]
    assert (only.code, only.xpath) == (
        "MAP003", "/IE3F28/consignmentMasterLevel/consignmentHouseLevel/consignee/address/city")
    folded = dict(only.context)["folded"]
    for part in ("country missing", "XSD002", "ICS001 R3002", "ICS002 C3034"):
        assert part in folded


def test_collapse_keeps_unrelated_errors_apart() -> None:
    base = "/IE3F20/consignmentMasterLevel"
    cus = diag("ICS001", "CUS code", xpath=f"{base}/goodsItem[2]/commodity/cusCode")
    numbering = diag("ICS001", "numbers", xpath=base)
    missing = diag("XSD002", "Element 'address': Missing child element(s). Expected is ( city ).",
                   xpath=f"{base}/consignee/address")
    mapped = diag("MAP003", "consignee city missing", xpath=f"{base}/consignee/address/city")
    rule = diag("ICS001", "R3002", xpath=f"{base}/consignee[1]/address")
    warning = diag("ICS003", "format", xpath=f"{base}/consignee/address")
    got = collapse_cascades([cus, numbering, missing, mapped, rule, warning])
    assert [(d.code, d.message) for d in got] == [
        ("ICS001", "CUS code"), ("ICS001", "numbers"), ("MAP003", "consignee city missing"),
        ("ICS003", "format")]
    assert "XSD002" in dict(got[2].context)["folded"]


def test_checklist_alone_waits_for_the_house_fhls() -> None:
    result = translate([CHECKLIST], AT_ONCE)
    assert result.rejects == [] and result.filings == []
    (pending,) = result.pending
    assert pending.waiting_for == ("house data: FHL for VHL261119011, VHL261119012, "
                                   "VHL261119013, VHL261119014")


def test_checklist_links_the_houses_for_the_mawb_reference_filing() -> None:
    result = translate([CHECKLIST, S6_FWB, S6_FFM], replace(NOW, filing="IE3F25"))
    assert result.rejects == []
    (filing,) = result.filings
    root = etree.fromstring(filing.xml)
    houses = root.findall(".//e:consignmentHouseLevel", NS)
    assert [h.findtext("e:transportDocumentHouseLevel/e:documentNumber", namespaces=NS)
            for h in houses] == ["VHL261119011", "VHL261119012", "VHL261119013",
                                 "VHL261119014"]
    assert {h.findtext("e:transportDocumentMasterLevel/e:documentNumber", namespaces=NS)
            for h in houses} == {"057-77403185"}


def test_checklist_and_single_house_fhls_still_file_s6() -> None:
    result = translate(sorted(S6.glob("s6-*")), NOW)
    assert result.rejects == [] and [f.filing for f in result.filings] == ["IE3F20"]


def test_cuscar_without_cpi_alone_is_one_map003() -> None:
    result = translate([CUSCAR], NOW)
    assert errors(result) == [("MAP003", "/IE3F28/consignmentMasterLevel/"
                                         "consignmentHouseLevel[1]/transportCharges/"
                                         "methodOfPayment")]


def _payment(filing) -> str | None:  # type: ignore[no-untyped-def]
    return etree.fromstring(filing.xml).findtext(".//e:methodOfPayment", namespaces=NS)


def test_cuscar_without_cpi_takes_the_payment_from_the_fwb_of_the_awb() -> None:
    (filing,) = translate([FWB, CUSCAR], NOW).filings  # CVD/USD//CC: collect -> Z
    assert _payment(filing) == "Z"
    (note,) = [d for d in filing.diagnostics if d.code == "MAP013"]
    assert "fwb17-same-awb-with-cvd" in note.message


def test_cuscar_without_cpi_takes_the_configured_payment() -> None:
    config = replace(load_config(), fill_policy=FillPolicy(method_of_payment="Y"))
    (filing,) = translate([CUSCAR], replace(NOW, config=config)).filings
    assert _payment(filing) == "Y"
    assert [d.code for d in filing.diagnostics if d.code == "MAP013"] == ["MAP013"]

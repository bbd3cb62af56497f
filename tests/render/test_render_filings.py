"""Every filing template rendered with the complete HKG-FRA consolidation dataset: well-formed,
valid against the provisional XSD (or failing exactly on a known dataset gap), and carrying the
data where the dictionary puts it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from lxml import etree

from ensgate.render import FILINGS, Renderer

NS = "urn:wco:datamodel:eu:ics2:2"

Q = f"{{{NS}}}"
N = {"e": NS}

# Mandatory elements the dataset cannot fill (see the template headers): none left.
KNOWN_GAPS: dict[str, str] = {}


def render(renderer: Renderer, code: str, dataset: dict[str, Any]) -> etree._Element:
    dataset["declaration"]["specific_circumstance"] = FILINGS[code].specific_circumstance
    text = renderer.render(code, dataset)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return etree.fromstring(text.encode("utf-8"))


@pytest.mark.parametrize("code", sorted(FILINGS))
def test_fixture_renders_and_validates(
        renderer: Renderer, consol: dict[str, Any], code: str,
        schema: Callable[[str], etree.XMLSchema]) -> None:
    root = render(renderer, code, consol)
    assert root.tag == Q + code
    xsd = schema(code)
    valid = xsd.validate(etree.ElementTree(root))
    errors = [e.message for e in xsd.error_log]
    if code in KNOWN_GAPS:
        assert not valid
        assert len(errors) == 1 and f"Expected is ( {Q}{KNOWN_GAPS[code]} )" in errors[0], errors
    else:
        assert valid, errors


@pytest.mark.parametrize("code", sorted(FILINGS))
def test_no_empty_elements_and_no_none_text(
        renderer: Renderer, consol: dict[str, Any], code: str) -> None:
    root = render(renderer, code, consol)
    for el in root.iter():
        assert len(el) or (el.text or "").strip(), f"empty element {el.tag}"
        assert el.text != "None"


@pytest.mark.parametrize("code", ["IE3F20", "IE3F27"])
def test_complete_filing_content(renderer: Renderer, consol: dict[str, Any], code: str) -> None:
    root = render(renderer, code, consol)
    x = root.xpath
    assert x("e:SpecificCircumstanceIndicator/text()", namespaces=N) == [code[3:]]
    assert x("e:reEntryIndicator/text()", namespaces=N) == ["0"]
    assert x("e:representative/e:status/text()", namespaces=N) == ["2"]
    abtm = "e:activeBorderTransportMeans/"
    assert x(abtm + "e:conveyanceReferenceNumber/text()", namespaces=N) == ["CX0289"]
    assert x(abtm + "e:estimatedDateAndTimeOfDeparture/e:DateTime/text()",
             namespaces=N) == ["2026-03-14T15:55:00Z"]
    routing = x(abtm + "e:countriesOfRoutingOfMeansOfTransport", namespaces=N)
    assert [(r.findtext(Q + "sequenceNumber"), r.findtext(Q + "country")) for r in routing] == [
        ("1", "HK"), ("2", "NL"), ("3", "DE")]
    master = root.find(Q + "consignmentMasterLevel")
    assert master is not None
    assert master.findtext(f"{Q}transportDocumentMasterLevel/{Q}documentNumber") == "160-52817623"
    assert master.findtext(f"{Q}carrier/{Q}name") == "CATHAY PACIFIC AIRWAYS LIMITED"
    assert [g.findtext(f"{Q}weight/{Q}grossMass") for g in master.findall(Q + "goodsItem")] == [
        "212.5", "96"]
    houses = master.findall(Q + "consignmentHouseLevel")
    assert [h.findtext(f"{Q}transportDocumentHouseLevel/{Q}documentNumber") for h in houses] == [
        "PDL26031411", "PDL26031412"]
    assert [len(h.findall(Q + "goodsItem")) for h in houses] == [3, 2]
    assert houses[0].findtext(f"{Q}goodsItem/{Q}commodity/{Q}commodityCode/"
                              f"{Q}combinedNomenclatureCode") == "10"
    # the house carries its own consignee address in dictionary order
    address = houses[0].find(f"{Q}consignee/{Q}address")
    assert address is not None
    assert [etree.QName(c).localname for c in address] == [
        "city", "country", "subDivision", "street", "postCode", "streetAdditionalLine", "number"]
    assert root.findtext(f"{Q}customsOfficeOfFirstEntry/{Q}referenceNumber") == "NL000396"
    # top-level order of the message
    assert [etree.QName(c).localname for c in root] == [
        "LRN", "documentIssueDate", "SpecificCircumstanceIndicator", "reEntryIndicator",
        "splitConsignment", "representative", "activeBorderTransportMeans",
        "consignmentMasterLevel", "declarant", "customsOfficeOfFirstEntry"]


def test_master_only_filing_has_no_house_level(renderer: Renderer, consol: dict[str, Any]) -> None:
    root = render(renderer, "IE3F21", consol)
    assert root.find(f".//{Q}consignmentHouseLevel") is None
    assert len(root.findall(f"{Q}consignmentMasterLevel/{Q}goodsItem")) == 2
    sup = root.find(f"{Q}consignmentMasterLevel/{Q}supplementaryDeclarant")
    assert sup is not None
    assert [(etree.QName(c).localname, c.text) for c in sup] == [
        ("identificationNumber", "NL123456789"), ("supplementaryFilingType", "2")]


def test_arrival_notification_carries_actual_arrival_and_notifier(
        renderer: Renderer, consol: dict[str, Any]) -> None:
    root = render(renderer, "IE3N06", consol)
    assert root.xpath("e:activeBorderTransportMeans/e:actualDateAndTimeOfArrival/e:DateTime/"
                      "text()", namespaces=N) == ["2026-03-15T05:52:00Z"]
    person = root.find(f"{Q}personNotifyingTheArrival")
    assert person is not None
    assert [etree.QName(c).localname for c in person] == ["identificationNumber", "communication"]
    assert person.findtext(f"{Q}identificationNumber") == "NL987654321"


@pytest.mark.parametrize("code", ["IE3F22", "IE3F24", "IE3F25", "IE3F26"])
def test_house_filings_carry_master_document_and_carrier_in_each_house(
        renderer: Renderer, consol: dict[str, Any], code: str) -> None:
    root = render(renderer, code, consol)
    master = root.find(Q + "consignmentMasterLevel")
    assert master is not None
    assert master.find(Q + "transportDocumentMasterLevel") is None
    assert master.find(Q + "carrier") is None
    for house in master.findall(Q + "consignmentHouseLevel"):
        assert house.findtext(f"{Q}transportDocumentMasterLevel/{Q}documentNumber") == (
            "160-52817623")
        assert house.findtext(f"{Q}transportDocumentMasterLevel/{Q}type") == "N741"
        carrier = house.find(Q + "carrier")
        assert carrier is not None
        assert [etree.QName(c).localname for c in carrier] == ["identificationNumber"]


@pytest.mark.parametrize("code", ["IE3F28", "IE3F29"])
def test_direct_awb_master_level_is_reduced(
        renderer: Renderer, consol: dict[str, Any], code: str) -> None:
    root = render(renderer, code, consol)
    master = root.find(Q + "consignmentMasterLevel")
    assert master is not None
    names = [etree.QName(c).localname for c in master]
    assert names == ["containerIndicator", "totalGrossMass", "placeOfAcceptance",
                     "additionalSupplyChainActor", "carrier", "consignmentHouseLevel",
                     "consignmentHouseLevel", "placeOfLoading", "transportDocumentMasterLevel",
                     "placeOfUnloading"]


def test_placi_goods_items_carry_only_the_package_count(
        renderer: Renderer, consol: dict[str, Any]) -> None:
    root = render(renderer, "IE3F23", consol)
    for item in root.iter(Q + "goodsItem"):
        packaging = item.find(Q + "packaging")
        assert packaging is not None
        assert [etree.QName(c).localname for c in packaging] == ["numberOfPackages"]


def test_every_date_time_has_the_datetime_wrapper(
        renderer: Renderer, consol: dict[str, Any]) -> None:
    root = render(renderer, "IE3F20", consol)
    stamps = [el for el in root.iter() if (el.text or "").startswith("2026-03-1")]
    assert len(stamps) == 3
    assert all(etree.QName(el).localname == "DateTime" for el in stamps)

"""Small ICS2 filings built for the rule tests (our own data, written for these tests), and
helpers to edit a parsed filing by path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

NS = "urn:wco:datamodel:eu:ics2:2"
DATA = Path(__file__).resolve().parents[1] / "data" / "ics2"
SAMPLE_F26 = DATA / "IE3F26-phase4-base-example.xml"


_POSTCODES = {"DE": "10115", "CN": "200120"}  # each country's own format (C3034 checks it)


def _party(tag: str, name: str, country: str, person: str, extra: str = "") -> str:
    return f"""
    <{tag}>
      <name>{name}</name>{extra}
      <typeOfPerson>{person}</typeOfPerson>
      <address>
        <city>Town</city><country>{country}</country><street>Main Street</street>
        <postCode>{_POSTCODES[country]}</postCode><number>7</number>
      </address>
    </{tag}>"""


# A complete air filing (IE3F20 shape: master and house data, routing, office of first entry)
# that passes every rule; each test breaks one thing.
F20 = f"""<?xml version="1.0" encoding="UTF-8"?>
<IE3F20 xmlns="{NS}">
  <LRN>TEST-F20-0001</LRN>
  <documentIssueDate><DateTime>2024-04-12T11:13:57Z</DateTime></documentIssueDate>
  <SpecificCircumstanceIndicator>F20</SpecificCircumstanceIndicator>
  <reEntryIndicator>0</reEntryIndicator>
  <splitConsignment><splitConsignmentIndicator>0</splitConsignmentIndicator></splitConsignment>
  <representative>
    <name>Forwarding Agent BV</name>
    <identificationNumber>NL004495445</identificationNumber>
    <status>2</status>
    <address>
      <city>Amsterdam</city><country>NL</country><street>Kade</street>
      <postCode>1011AB</postCode><number>12</number>
    </address>
    <communication><identifier>+31 20 1234567</identifier><type>TE</type></communication>
  </representative>
  <activeBorderTransportMeans>
    <ModeOfTransport>4</ModeOfTransport>
    <conveyanceReferenceNumber>LH8401</conveyanceReferenceNumber>
    <estimatedDateAndTimeOfDeparture>
      <DateTime>2024-04-12T22:00:00Z</DateTime></estimatedDateAndTimeOfDeparture>
    <estimatedDateAndTimeOfArrival>
      <DateTime>2024-04-13T06:00:00Z</DateTime></estimatedDateAndTimeOfArrival>
    <countriesOfRoutingOfMeansOfTransport><sequenceNumber>1</sequenceNumber>
      <country>CN</country></countriesOfRoutingOfMeansOfTransport>
    <countriesOfRoutingOfMeansOfTransport><sequenceNumber>2</sequenceNumber>
      <country>KZ</country></countriesOfRoutingOfMeansOfTransport>
    <countriesOfRoutingOfMeansOfTransport><sequenceNumber>3</sequenceNumber>
      <country>DE</country></countriesOfRoutingOfMeansOfTransport>
  </activeBorderTransportMeans>
  <consignmentMasterLevel>
    <containerIndicator>0</containerIndicator>
    <totalGrossMass>120.5</totalGrossMass>
    <placeOfAcceptance>
      <UNLOCODE>CNPVG</UNLOCODE></placeOfAcceptance>
    {_party("consignee", "Autoteile Handel GmbH", "DE", "2")}
    <goodsItem>
      <goodsItemNumber>1</goodsItemNumber>
      <commodity>
        <descriptionOfGoods>brake discs for passenger cars</descriptionOfGoods>
        <cusCode>0012345-6</cusCode>
        <commodityCode>
          <harmonizedSystemSubHeadingCode>870830</harmonizedSystemSubHeadingCode></commodityCode>
      </commodity>
      <packaging><shippingMarks>BD-1</shippingMarks><numberOfPackages>4</numberOfPackages>
        <typeOfPackages>PK</typeOfPackages></packaging>
    </goodsItem>{_party("consignor", "Shanghai Brake Works Ltd", "CN", "2")}
    <placeOfDelivery><UNLOCODE>DEFRA</UNLOCODE></placeOfDelivery>
    <placeOfLoading><UNLOCODE>CNPVG</UNLOCODE></placeOfLoading>
    <consignmentHouseLevel>
      <containerIndicator>0</containerIndicator>
      <totalGrossMass>60.2</totalGrossMass>
      <placeOfAcceptance>
        <UNLOCODE>CNSHA</UNLOCODE></placeOfAcceptance>
    {_party("consignee", "Autoteile Handel GmbH", "DE", "2")}
      <goodsItem>
        <goodsItemNumber>1</goodsItemNumber>
        <commodity>
          <descriptionOfGoods>brake discs for passenger cars</descriptionOfGoods>
          <commodityCode>
            <harmonizedSystemSubHeadingCode>870830</harmonizedSystemSubHeadingCode></commodityCode>
        </commodity>
        <packaging><shippingMarks>BD-1</shippingMarks><numberOfPackages>2</numberOfPackages>
          <typeOfPackages>PK</typeOfPackages></packaging>
      </goodsItem>
      <goodsItem>
        <goodsItemNumber>2</goodsItemNumber>
        <commodity>
          <descriptionOfGoods>men's cotton shirts</descriptionOfGoods>
          <commodityCode>
            <harmonizedSystemSubHeadingCode>620520</harmonizedSystemSubHeadingCode></commodityCode>
        </commodity>
        <packaging><shippingMarks>SH-1</shippingMarks><numberOfPackages>1</numberOfPackages>
          <typeOfPackages>CT</typeOfPackages></packaging>
      </goodsItem>{_party("consignor", "Shanghai Brake Works Ltd", "CN", "2")}
      <placeOfDelivery><location>Frankfurt Airport Cargo City</location><address>
        <country>DE</country></address></placeOfDelivery>
      <countriesOfRoutingOfConsignment><sequenceNumber>1</sequenceNumber>
        <country>CN</country></countriesOfRoutingOfConsignment>
      <countriesOfRoutingOfConsignment><sequenceNumber>2</sequenceNumber>
        <country>DE</country></countriesOfRoutingOfConsignment>
      <transportDocumentHouseLevel><documentNumber>HAWB0001</documentNumber>
        <type>N703</type></transportDocumentHouseLevel>
    </consignmentHouseLevel>
    <consignmentHouseLevel>
      <containerIndicator>0</containerIndicator>
      <totalGrossMass>60.3</totalGrossMass>
      <placeOfAcceptance>
        <UNLOCODE>CNSHA</UNLOCODE></placeOfAcceptance>
    {_party("consignee", "Maria Muster", "DE", "1")}
      <goodsItem>
        <goodsItemNumber>1</goodsItemNumber>
        <commodity><descriptionOfGoods>ceramic coffee mugs</descriptionOfGoods></commodity>
        <packaging><typeOfPackages>NE</typeOfPackages></packaging>
      </goodsItem>{_party("consignor", "Li Wei", "CN", "1")}
      <placeOfDelivery><UNLOCODE>DEBER</UNLOCODE></placeOfDelivery>
      <countriesOfRoutingOfConsignment><sequenceNumber>1</sequenceNumber>
        <country>CN</country></countriesOfRoutingOfConsignment>
      <countriesOfRoutingOfConsignment><sequenceNumber>2</sequenceNumber>
        <country>DE</country></countriesOfRoutingOfConsignment>
      <transportDocumentHouseLevel><documentNumber>HAWB0002</documentNumber>
        <type>N703</type></transportDocumentHouseLevel>
    </consignmentHouseLevel>
    <transportDocumentMasterLevel><documentNumber>020-12345675</documentNumber>
      <type>N741</type></transportDocumentMasterLevel>
    <placeOfUnloading><UNLOCODE>DEFRA</UNLOCODE></placeOfUnloading>
  </consignmentMasterLevel>
  <declarant>
    <name>Lufthansa Cargo AG</name>
    <identificationNumber>DE1234567</identificationNumber>
    <address>
      <city>Frankfurt</city><country>DE</country><street>Flughafen</street>
      <postCode>60549</postCode><number>1</number>
    </address>
    <communication><identifier>ops@example.com</identifier><type>EM</type></communication>
  </declarant>
  <customsOfficeOfFirstEntry><referenceNumber>DE004851</referenceNumber></customsOfficeOfFirstEntry>
</IE3F20>
"""

# An arrival notification (IE3N06) for an air flight that passes every rule.
N06 = f"""<?xml version="1.0" encoding="UTF-8"?>
<IE3N06 xmlns="{NS}">
  <LRN>ARR-2024-0001</LRN>
  <documentIssueDate><DateTime>2024-04-13T07:00:00Z</DateTime></documentIssueDate>
  <activeBorderTransportMeans>
    <ModeOfTransport>4</ModeOfTransport>
    <actualDateAndTimeOfArrival>
      <DateTime>2024-04-13T06:10:00Z</DateTime></actualDateAndTimeOfArrival>
    <estimatedDateAndTimeOfArrival>
      <DateTime>2024-04-13T06:00:00Z</DateTime></estimatedDateAndTimeOfArrival>
    <conveyanceReferenceNumber>LH8401</conveyanceReferenceNumber>
  </activeBorderTransportMeans>
  <relatedMRN><identification>24DE12345678901AB1</identification></relatedMRN>
  <personNotifyingTheArrival>
    <identificationNumber>DE1234567</identificationNumber>
    <communication><identifier>+49 69 6960</identifier><type>TE</type></communication>
  </personNotifyingTheArrival>
  <actualCustomsOfficeOfFirstEntry>
    <referenceNumber>DE004851</referenceNumber></actualCustomsOfficeOfFirstEntry>
</IE3N06>
"""

# A house filing with fiscal data (IE3F32 shape) that passes every rule.
F32 = f"""<?xml version="1.0" encoding="UTF-8"?>
<IE3F32 xmlns="{NS}">
  <LRN>TEST-F32-0001</LRN>
  <consignmentMasterLevel>
    <consignmentHouseLevel>
      <additionalInformation><code>10900</code></additionalInformation>
      <additionsAndDeductions><amount><value>5.00</value>
        <currency>EUR</currency></amount></additionsAndDeductions>
      <totalAmountInvoiced><value>120.00</value><currency>EUR</currency></totalAmountInvoiced>
      <goodsItem>
        <goodsItemNumber>1</goodsItemNumber>
        <typeOfGoods>1</typeOfGoods>
        <commodity><descriptionOfGoods>plush toys</descriptionOfGoods></commodity>
      </goodsItem>
      <transportDocumentHouseLevel><documentNumber>HAWB0032</documentNumber>
        <type>N703</type></transportDocumentHouseLevel>
    </consignmentHouseLevel>
  </consignmentMasterLevel>
  <declarant>
    <name>Express Courier BV</name>
    <identificationNumber>NL004495445</identificationNumber>
    <address>
      <city>Hoofddorp</city><country>NL</country><poBox>123</poBox><postCode>2132AB</postCode>
    </address>
  </declarant>
</IE3F32>
"""


def parse(text: str) -> Any:
    return etree.fromstring(text.encode("utf-8"))


def sample_f26() -> Any:
    return etree.parse(str(SAMPLE_F26)).getroot()


def _steps(path: str) -> str:
    return "/".join(f"i:{step}" for step in path.split("/"))


def at(root: Any, path: str) -> Any:
    """The element at a relative path such as ``consignmentMasterLevel/goodsItem[2]``."""
    found = root.find(_steps(path), namespaces={"i": NS})
    assert found is not None, path
    return found


def remove(root: Any, path: str) -> None:
    el = at(root, path)
    el.getparent().remove(el)


def set_text(root: Any, path: str, value: str) -> None:
    at(root, path).text = value


def add(root: Any, parent_path: str, name: str, value: str | None = None) -> Any:
    """Append ``<name>value</name>`` under the element at ``parent_path`` ('' = root)."""
    parent = root if not parent_path else at(root, parent_path)
    el = etree.SubElement(parent, f"{{{NS}}}{name}")
    el.text = value
    return el

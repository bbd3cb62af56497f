"""Golden test: the IE3F26 template, given the values of the real IE3F26 sample, writes the sample
(same elements, order and text; whitespace aside)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from ensgate.render import Renderer

SAMPLE = Path(__file__).parents[1] / "data" / "ics2" / "IE3F26-phase4-base-example.xml"


def _address(city: str, country: str, postcode: str) -> dict[str, str]:
    return {"city": city, "country": country, "street": "Bratwurstgasse 13",
            "postcode": postcode, "number": "Bratwurstgasse 13"}


def _item(number: str, description: str, mass: str, marks: str) -> dict[str, str]:
    return {"number": number, "description": description, "hs6": "950300", "gross_mass": mass,
            "shipping_marks": marks, "package_count": "3", "package_type": "PK"}


SAMPLE_VALUES: dict[str, Any] = {
    "declaration": {"lrn": "C-ICS00000022", "issue_date": "2024-04-12T11:13:57.099Z",
                    "specific_circumstance": "F26", "addressed_member_state": "DE"},
    "transport": {"mode": "4"},
    "carrier": {"identification": "DE2000326"},
    "master": {"document_number": "020-00000007", "document_type": "N741"},
    "declarant": {
        "name": "CB Customs Broker GmbH", "identification": "DE6373283",
        "address": {"city": "Kelsterbach", "country": "DE", "street": "Fasanenweg 4",
                    "postcode": "65451", "number": "Fasanenweg 4"},
        "communications": [{"identifier": "ics2.dl@customs-broker.de", "type": "EM"}]},
    "houses": [{
        "document_number": "100000000005", "document_type": "N703",
        "master_document_number": "020-00000007",
        "container_indicator": "0", "total_gross_mass": "8.3",
        "place_of_acceptance": {"unlocode": "TRIST"},
        "place_of_delivery": {"unlocode": "TRIST"},
        "consignee": {"name": "Bratwurstversand GmbH", "type_of_person": "1",
                      "address": _address("Rodes Town", "CH", "55552")},
        "consignor": {"name": "Bratwurstversand GmbH", "type_of_person": "2",
                      "address": _address("Fake City", "DE", "12332")},
        "method_of_payment": "D",
        "routing_countries": ["TR", "DE"],
        "goods_items": [
            _item("1", "Uhu", "0.87", "UPCR000001"),
            _item("2", "Ein Schuh", "0.87", "UPCR000001"),
            _item("3", "Egal egal", "6.55", "UPCR000002"),
            _item("4", "Toni Tellerlift Spezialmodell", "0.00", "UPCR000000"),
        ],
    }],
}


def _canonical(xml: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(xml, parser), method="c14n")


def test_template_reproduces_the_real_sample(
        renderer: Renderer, make_dataset: Callable[[dict[str, Any]], dict[str, Any]],
        schema: Callable[[str], etree.XMLSchema]) -> None:
    rendered = renderer.render("IE3F26", make_dataset(SAMPLE_VALUES)).encode("utf-8")
    assert _canonical(rendered) == _canonical(SAMPLE.read_bytes())
    assert schema("IE3F26").validate(etree.fromstring(rendered).getroottree())

"""The Cargo-XML mapping specs and the two transforms they added (``measure_kg``,
``iso_datetime_utc``), on the public examples and the samples."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ensgate.mapping._engine import run_spec
from ensgate.mapping._spec import builtin_specs
from ensgate.mapping._transforms import TRANSFORMS, Notes, TransformFailed
from ensgate.readers.cargoxml import read_cargoxml

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "cargo-xml"
EXAMPLES = ROOT / "tests" / "data" / "cargoxml"  # copies of ../shared/reference/cargo-xml/examples
S3 = SAMPLES / "s3-xfwb-direct-180-88351270-icn-vie-security.xml"


def t(name: str, value: Any, **kw: Any) -> Any:
    return TRANSFORMS[name].func(value, Notes(), **kw)


def mapped(data: bytes) -> dict[str, Any]:
    msg = read_cargoxml(data, file="m.xml")[0]
    spec = next(s for s in builtin_specs() if s.matches(msg.format, msg.kind, msg.version))
    frags = run_spec(spec, msg, today="2026-11-20")
    assert len(frags) == 1
    data: dict[str, Any] = frags[0].data
    return data


def test_measure_kg_units() -> None:
    assert t("measure_kg", "212.4", unit="KGM") == "212.4"
    expected = (Decimal("1874") * Decimal("0.45359237")).quantize(Decimal("0.001"))
    assert Decimal(t("measure_kg", "1874", unit="LBR")) == expected
    assert t("measure_kg", "1874", unit="L") == t("measure_kg", "1874", unit="LBR")
    notes = Notes()
    assert TRANSFORMS["measure_kg"].func("5", notes) == "5" and notes.items  # no unit: warning
    with pytest.raises(TransformFailed):
        t("measure_kg", "5", unit="OZA")


def test_iso_datetime_utc_offsets_and_local_times() -> None:
    assert t("iso_datetime_utc", "2026-11-18T12:55:00+09:00") == "2026-11-18T03:55:00Z"
    assert t("iso_datetime_utc", "2026-11-18T12:55:00", tz="Asia/Seoul") == \
        "2026-11-18T03:55:00Z"
    assert t("iso_datetime_utc", "2026-11-18T18:30:00Z", tz="Europe/Vienna") == \
        "2026-11-18T18:30:00Z"
    notes = Notes()
    assert TRANSFORMS["iso_datetime_utc"].func("2026-11-18", notes) == "2026-11-18T00:00:00Z"
    assert notes.items
    with pytest.raises(TransformFailed):
        t("iso_datetime_utc", "18NOV1255")


def test_xfwb_in_pounds_is_converted() -> None:
    text = S3.read_text("utf-8")
    pounds = text.replace('unitCode="KGM">212.4<', 'unitCode="LBR">468.3<')
    assert pounds != text
    data = mapped(pounds.encode())
    expected = (Decimal("468.3") * Decimal("0.45359237")).quantize(Decimal("0.001"))
    assert Decimal(data["master"]["total_gross_mass"]) == expected
    assert Decimal(data["master"]["goods_items"][0]["gross_mass"]) == expected


def test_xfwb_alone_gives_the_booked_flight() -> None:
    data = mapped(S3.read_bytes())
    t_ = data["transport"]
    assert t_["conveyance_reference"] == "KE0933"
    assert t_["departure_airport"] == "ICN" and t_["arrival_airport"] == "VIE"
    # the booked date at 00:00 local time in Seoul (no XFFM in this batch)
    assert t_["estimated_departure"] == "2026-11-17T15:00:00Z"
    m = data["master"]
    assert m["consignee"]["identification"] == "ATEOS1000058314"
    assert m["consignee"]["contact_name"] == "ELISABETH BRANDSTAETTER"
    assert [g["hs6"] for g in m["goods_items"]] == ["902780", "382219"]
    assert m["method_of_payment"] == "Y"
    assert Decimal(m["customs_value"]) == Decimal("31820.00")
    assert m["customs_value_currency"] == "USD"


def test_public_xfzb_example_maps_its_house() -> None:
    data = mapped((EXAMPLES / "SEL22222222_XFZB.xml").read_bytes())
    (house,) = data["houses"]
    assert house["document_number"] == "SEL22222222"
    assert house["master_document_number"] == "888-11111111"
    assert house["consignee"]["identification"] == "DE3056777000"
    assert house["consignor"]["contact_name"] == "KIM QUAN KWUN"
    assert house["consignee"]["address"]["city"] == "FRIEDRICHSHAFEN"
    (item,) = house["goods_items"]
    assert item["hs6"] == "113355"
    assert item["description"].startswith("SPARE PARTS F345732-D")
    assert item["gross_mass"] == "133.7" and item["package_count"] == "100"


def test_public_xfwb_example_contact_person_from_customs_note() -> None:
    data = mapped((EXAMPLES / "888-11111111_XFWB.xml").read_bytes())
    m = data["master"]
    assert m["consignor"]["contact_name"] == "HILDA HILARIOUS"
    assert m["consignee"]["name"] == ("FORWARDER COMPANY SHANGHAI LTD "
                                      "ROOM 123 SPECIAL BUILDING. NR 987")
    assert m["document_type"] == "N741"
    assert m["goods_items"][0]["description"].startswith("CONSOLIDATION AS PER ATTACHED")


def test_house_without_destination_takes_the_masters() -> None:
    text = (EXAMPLES / "SEL22222222_XFZB.xml").read_text("utf-8")
    house_dest = """<FinalDestinationLocation>
                <ID>FDH</ID>
            </FinalDestinationLocation>"""
    assert house_dest in text
    (house,) = mapped(text.replace(house_dest, "").encode())["houses"]
    assert house["place_of_delivery"]["airport"] == "FRA"  # MasterConsignment's destination
    assert house["place_of_delivery"]["country"] == "DE"
    (house,) = mapped(text.encode())["houses"]
    assert house["place_of_delivery"]["airport"] == "FDH"


def test_xfzb_house_number_from_business_header_when_the_house_has_none() -> None:
    text = (EXAMPLES / "SEL22222222_XFZB.xml").read_text("utf-8")
    house_id = "<IncludedHouseConsignment>\n            <ID>SEL22222222</ID>"
    assert house_id in text
    (house,) = mapped(text.replace(house_id, "<IncludedHouseConsignment>").encode())["houses"]
    assert house["document_number"] == "SEL22222222"  # BusinessHeaderDocument/ID


def test_items_with_different_goods_keep_their_own_descriptions() -> None:
    # A house of stoneware plates (6912) and glass stemware (7013) whose summary covers both:
    # each item's NatureIdentificationTransportCargo names its goods; the summary cannot.
    data = mapped((EXAMPLES / "xfzb-two-items-different-goods-SOF2611180377.xml").read_bytes())
    (house,) = data["houses"]
    assert [(i["hs6"], i["description"]) for i in house["goods_items"]] == [
        ("691200", "HAND PAINTED CELADON STONEWARE TABLEWARE PLATES AND BOWLS"),
        ("701328", "MOUTH BLOWN SODA LIME GLASS STEMWARE WINE GLASSES")]

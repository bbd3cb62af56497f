"""The dataset field -> ENS XPath table, derived by rendering markers through the templates."""

from __future__ import annotations

import pytest

from ensgate.authoring import element_table, field_xpaths, mandatory_fields, marker_xpaths
from ensgate.mapping import dataset_model, dataset_skeleton, new_group
from ensgate.render import FILINGS


@pytest.mark.parametrize("filing", sorted(FILINGS))
def test_every_xpath_of_the_templates_is_in_the_filing_schema(filing: str) -> None:
    table = field_xpaths(filing)
    assert table, filing
    schema = element_table(filing)
    for fld, xps in table.items():
        assert fld in dataset_model().fields, fld
        for xp in xps:
            assert xp.split("/@")[0] in schema, (fld, xp)


def test_known_places_of_fields() -> None:
    f26 = field_xpaths("IE3F26")
    assert f26["houses[].consignee.name"] == (
        "/IE3F26/consignmentMasterLevel/consignmentHouseLevel/consignee/name",)
    # the master's document type is written inside every house of an IE3F26
    assert f26["master.document_type"] == (
        "/IE3F26/consignmentMasterLevel/consignmentHouseLevel/transportDocumentMasterLevel/type",)
    assert "master.consignee.name" not in f26  # IE3F26 has no master-level parties
    f20 = field_xpaths("IE3F20")
    assert f20["master.goods_items[].hs6"] == (
        "/IE3F20/consignmentMasterLevel/goodsItem/commodity/commodityCode/"
        "harmonizedSystemSubHeadingCode",)


def test_mandatory_follows_the_schema_cardinalities() -> None:
    m = mandatory_fields("IE3F26")
    assert "declaration.lrn" in m and "houses[].consignee.name" in m
    assert "representative.name" not in m  # representative is 0..1
    assert "houses[].consignee.address.postcode" not in m  # optional element


def test_concrete_positions_follow_the_dataset() -> None:
    data = dataset_skeleton()
    for n in range(3):
        house = new_group("consignment")
        house["document_number"] = f"H{n}"
        house["goods_items"] = [new_group("goods_item") for _ in range(2)]
        house["goods_items"][1]["description"] = f"D{n}"
        data["houses"].append(house)
    data["master"]["document_type"] = "N741"
    got = marker_xpaths("IE3F26", data)
    base = "/IE3F26/consignmentMasterLevel/consignmentHouseLevel"
    assert got["houses[3].goods_items[2].description"] == (
        f"{base}[3]/goodsItem[2]/commodity/descriptionOfGoods",)
    assert got["master.document_type"] == tuple(
        f"{base}[{i}]/transportDocumentMasterLevel/type" for i in (1, 2, 3))

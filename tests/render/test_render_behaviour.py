"""How rendering treats awkward data: escaping, absent optional parts, missing mandatory values,
broken templates and repeat runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from ensgate.render import Renderer, RenderError

NS = "urn:wco:datamodel:eu:ics2:2"
Q = f"{{{NS}}}"


def parse(text: str) -> etree._Element:
    return etree.fromstring(text.encode("utf-8"))


def test_xml_special_characters_are_escaped(renderer: Renderer, consol: dict[str, Any]) -> None:
    name = 'SMITH & SONS <EXPORT> "QUOTED" O\'NEIL'
    consol["houses"][0]["consignee"]["name"] = name
    consol["houses"][0]["goods_items"][0]["description"] = "NUTS & BOLTS > 5 MM"
    text = renderer.render("IE3F26", consol)
    assert "SMITH &amp; SONS &lt;EXPORT&gt;" in text
    assert "<EXPORT>" not in text
    root = parse(text)
    assert root.findtext(f".//{Q}consignmentHouseLevel/{Q}consignee/{Q}name") == name
    assert root.findtext(f".//{Q}descriptionOfGoods") == "NUTS & BOLTS > 5 MM"


def test_absent_optional_parts_give_no_elements(
        renderer: Renderer, consol: dict[str, Any],
        make_dataset: Callable[[dict[str, Any]], dict[str, Any]],
        schema: Callable[[str], etree.XMLSchema]) -> None:
    empty = make_dataset({})
    consol["representative"] = empty["representative"]
    consol["master"]["notify"] = empty["master"]["notify"]
    consol["master"]["supply_chain_actors"] = []
    for house in consol["houses"]:
        house["notify"] = empty["master"]["notify"]
        house["ucr"] = None
        house["supply_chain_actors"] = []
        for item in house["goods_items"]:
            item["cn2"] = None
    consol["houses"][1]["consignee"]["address"]["postcode"] = None
    consol["houses"][1]["consignee"]["communications"] = []
    root = parse(renderer.render("IE3F20", consol))
    for absent in ("representative", "notifyParty", "referenceNumberUCR",
                   "additionalSupplyChainActor", "combinedNomenclatureCode"):
        assert root.find(f".//{Q}{absent}") is None, absent
    second = root.findall(f".//{Q}consignmentHouseLevel")[1]
    assert second.find(f"{Q}consignee/{Q}address/{Q}postCode") is None
    assert second.find(f"{Q}consignee/{Q}communication") is None
    assert schema("IE3F20").validate(etree.ElementTree(root))


@pytest.mark.parametrize(("path", "empty", "missing"), [
    (("declaration", "lrn"), "", "LRN"),
    (("declarant", "name"), None, "name"),
    (("houses", 1, "goods_items", 0, "description"), None, "descriptionOfGoods"),
    (("houses", 0, "document_number"), None, "documentNumber"),
])
def test_missing_mandatory_value_is_left_to_the_schema(
        renderer: Renderer, consol: dict[str, Any],
        schema: Callable[[str], etree.XMLSchema],
        path: tuple[str | int, ...], empty: str | None, missing: str) -> None:
    node: Any = consol
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = empty
    text = renderer.render("IE3F26", consol)
    assert ">None<" not in text and "></" not in text
    root = parse(text)
    xsd = schema("IE3F26")
    assert not xsd.validate(etree.ElementTree(root))
    assert [e.message.rsplit("Expected is ", 1)[-1] for e in xsd.error_log] == [
        f"( {Q}{missing} )."]


def test_same_dataset_gives_identical_bytes(consol: dict[str, Any]) -> None:
    first = Renderer().render("IE3F20", consol)
    again = Renderer().render("IE3F20", consol)
    assert first.encode("utf-8") == again.encode("utf-8")
    assert Renderer().render("F20", consol) == first


def test_missing_dataset_key_is_rnd002(renderer: Renderer, consol: dict[str, Any]) -> None:
    del consol["carrier"]
    with pytest.raises(RenderError) as info:
        renderer.render("IE3F20", consol)
    assert info.value.diagnostic.code == "RND002"
    assert "carrier" in info.value.diagnostic.message


def test_extra_template_folder_is_searched_first(
        tmp_path: Path, consol: dict[str, Any]) -> None:
    (tmp_path / "IE3F25.xml.j2").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<IE3F25 xmlns="urn:wco:datamodel:eu:ics2:2">'
        "<LRN>{{ declaration.lrn }}</LRN></IE3F25>\n", "utf-8")
    custom = Renderer(template_dir=tmp_path)
    assert parse(custom.render("F25", consol)).findtext(Q + "LRN") == "PDL2603140001"
    assert len(parse(custom.render("F25", consol))) == 1
    # the packaged templates (and macros) still serve the other filings
    assert parse(custom.render("F26", consol)).find(Q + "consignmentMasterLevel") is not None


def test_broken_template_is_rnd002(tmp_path: Path, consol: dict[str, Any]) -> None:
    (tmp_path / "IE3F25.xml.j2").write_text("{% if %}", "utf-8")
    with pytest.raises(RenderError) as info:
        Renderer(template_dir=tmp_path).render("IE3F25", consol)
    assert info.value.diagnostic.code == "RND002"
    assert "IE3F25.xml.j2" in info.value.diagnostic.message


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(_keys(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_keys(v) for v in node))
    return set()


def test_dataset_keys_do_not_shadow_dict_methods(consol: dict[str, Any]) -> None:
    # the renderer's environment reads ``a.b`` as a key lookup first on dicts
    assert not _keys(consol) & set(dir(dict))


@pytest.mark.parametrize("code", ["IE3F20", "IE3F26", "IE3N06"])
def test_pretty_and_compact_output_carry_the_same_xml(consol: dict[str, Any], code: str) -> None:
    pretty = Renderer(pretty=True).render(code, consol)
    compact = Renderer().render(code, consol)
    assert pretty != compact
    parser = etree.XMLParser(remove_blank_text=True)
    assert etree.tostring(etree.fromstring(pretty.encode(), parser), method="c14n") == (
        etree.tostring(etree.fromstring(compact.encode(), parser), method="c14n"))


def test_pretty_output_indents_by_depth(consol: dict[str, Any]) -> None:
    text = Renderer(pretty=True).render("IE3F20", consol)
    depth = 0
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" ")
        if stripped.startswith("</"):
            depth -= 1
        assert len(line) - len(stripped) == 4 * depth, line
        if not stripped.startswith("</") and "</" not in stripped:
            depth += 1
    assert depth == 0


def test_place_without_unlocode_gives_location_and_address(
        renderer: Renderer, consol: dict[str, Any],
        schema: Callable[[str], etree.XMLSchema]) -> None:
    consol["houses"][0]["place_of_acceptance"] = {
        "unlocode": None, "airport": None, "location": "CHANG AN TOWN", "country": "CN"}
    root = parse(renderer.render("IE3F26", consol))
    place = root.find(f".//{Q}consignmentHouseLevel/{Q}placeOfAcceptance")
    assert place is not None
    assert [etree.QName(c).localname for c in place] == ["location", "address"]
    assert place.findtext(f"{Q}address/{Q}country") == "CN"
    assert schema("IE3F26").validate(root.getroottree())

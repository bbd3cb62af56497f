"""Schema stage: the provisional ICS2 XSDs, check_schema and the hardened ENS XML parser.

Real data: the IE3F26 sample (copy in tests/data/ics2, see SOURCES.md there) and mutations of
it; the generated XSDs are also compiled by an independent XSD 1.0 implementation (xmlschema).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import xmlschema
from hostile_xml import billion_laughs
from lxml import etree

from ensgate.diagnostics import ConfigError, Diagnostic
from ensgate.validate import SchemaSet, check_schema, parse_ens_xml

REPO = Path(__file__).parents[2]
SAMPLE = REPO / "tests" / "data" / "ics2" / "IE3F26-phase4-base-example.xml"
SCHEMAS = REPO / "engine" / "validate" / "schemas" / "ics2"
SHARED_DICTIONARY = REPO / ".." / "shared" / "reference" / "ics2" / "dictionary"
NS = "{urn:wco:datamodel:eu:ics2:2}"
HOUSE = "/IE3F26/consignmentMasterLevel/consignmentHouseLevel"


def _sample_root() -> Any:
    tree, diagnostics = parse_ens_xml(SAMPLE.read_bytes(), source_name=SAMPLE.name)
    assert diagnostics == []
    return tree.getroot()


def _mutated(mutate: Callable[[Any], None]) -> list[Diagnostic]:
    root = _sample_root()
    mutate(root)
    return check_schema(root.getroottree(), source_name="mutated.xml")


def _one(root: Any, path: str) -> Any:
    found = root.findall(path.replace("{}", NS))
    assert len(found) == 1, path
    return found[0]


def _only(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, [str(d) for d in diagnostics]
    return diagnostics[0]


# -- the sample ---------------------------------------------------------------------------------


def test_sample_validates_against_ie3f26_xsd() -> None:
    tree, diagnostics = parse_ens_xml(SAMPLE.read_bytes(), source_name=SAMPLE.name)
    assert diagnostics == []
    assert check_schema(tree, source_name=SAMPLE.name) == []
    assert check_schema(tree.getroot()) == []  # an element is accepted too


def test_sample_validates_in_xmlschema_too() -> None:
    schema = xmlschema.XMLSchema10(str(SCHEMAS / "IE3F26.xsd"))
    assert schema.is_valid(str(SAMPLE))


# -- mutations ------------------------------------------------------------------------------------


def test_missing_mandatory_last_child() -> None:
    def drop_type(root: Any) -> None:
        doc_type = _one(root, ".//{}transportDocumentHouseLevel/{}type")
        doc_type.getparent().remove(doc_type)

    d = _only(_mutated(drop_type))
    assert d.code == "XSD002"
    assert d.xpath == f"{HOUSE}/transportDocumentHouseLevel"
    assert d.expected == "type"
    assert d.found == "end of transportDocumentHouseLevel"
    assert d.source is not None and d.source.file == "mutated.xml"
    assert d.source.line == 132  # the line of <transportDocumentHouseLevel> in the sample


def test_missing_mandatory_first_element() -> None:
    def drop_lrn(root: Any) -> None:
        root.remove(_one(root, "{}LRN"))

    d = _only(_mutated(drop_lrn))
    assert (d.code, d.xpath, d.expected, d.found) == (
        "XSD002", "/IE3F26/documentIssueDate", "LRN", "documentIssueDate")


def test_element_out_of_order() -> None:
    def swap_city_and_country(root: Any) -> None:
        address = _one(root, "{}declarant/{}address")
        city = _one(address, "{}city")
        address.remove(city)
        address.insert(1, city)

    d = _only(_mutated(swap_city_and_country))
    assert d.code == "XSD002"
    assert d.xpath == "/IE3F26/declarant/address/country"
    assert (d.expected, d.found) == ("city", "country")
    assert d.source is not None and d.source.line == 143


def test_element_out_of_order_with_several_choices() -> None:
    def street_after_post_code(root: Any) -> None:
        address = _one(root, "{}declarant/{}address")
        street = _one(address, "{}street")
        address.remove(street)
        address.insert(3, street)  # city, country, postCode, street, number

    d = _only(_mutated(street_after_post_code))
    assert d.xpath == "/IE3F26/declarant/address/street"
    assert d.expected == "one of streetAdditionalLine, number, poBox"
    assert d.found == "street"


def test_too_long_text() -> None:
    def long_name(root: Any) -> None:
        _one(root, "{}declarant/{}name").text = "N" * 71

    d = _only(_mutated(long_name))
    assert d.code == "XSD002"
    assert d.xpath == "/IE3F26/declarant/name"
    assert d.expected == "at most 70 characters"
    assert d.found == repr("N" * 71) + " (71 characters)"
    assert d.source is not None and d.source.line == 139


def test_empty_text_is_refused() -> None:
    def empty_lrn(root: Any) -> None:
        _one(root, "{}LRN").text = ""

    d = _only(_mutated(empty_lrn))
    assert (d.xpath, d.expected, d.found) == ("/IE3F26/LRN", "at least 1 character",
                                              "'' (0 characters)")


def test_bad_decimal_in_a_repeated_group() -> None:
    def comma_decimal(root: Any) -> None:
        root.findall(f".//{NS}goodsItem/{NS}weight/{NS}grossMass")[2].text = "6,55"

    d = _only(_mutated(comma_decimal))
    assert d.code == "XSD002"
    assert d.xpath == f"{HOUSE}/goodsItem[3]/weight/grossMass"
    assert d.expected == "n..16,6 (Decimal_16_6)"
    assert d.found == "'6,55'"
    assert d.source is not None and d.source.line == 82


def test_too_many_decimals() -> None:
    def seven_decimals(root: Any) -> None:
        _one(root, "{}consignmentMasterLevel/{}consignmentHouseLevel/{}totalGrossMass").text = (
            "8.3000001")

    found = _mutated(seven_decimals)
    assert {d.code for d in found} == {"XSD002"}
    assert {d.xpath for d in found} == {f"{HOUSE}/totalGrossMass"}
    assert "at most 6 decimals" in {d.expected for d in found}
    assert {d.found for d in found} == {"'8.3000001'"}


def test_numeric_and_alphabetic_formats() -> None:
    def bad_formats(root: Any) -> None:
        root.findall(f".//{NS}goodsItemNumber")[1].text = "2a"
        _one(root, "{}addressedMemberState/{}country").text = "D1"

    found = {d.xpath: d for d in _mutated(bad_formats)}
    assert found[f"{HOUSE}/goodsItem[2]/goodsItemNumber"].expected == "pattern [0-9]{1,5}"
    assert found["/IE3F26/addressedMemberState/country"].expected == "pattern [A-Za-z]{2}"
    assert found["/IE3F26/addressedMemberState/country"].found == "'D1'"


@pytest.mark.parametrize(("value", "valid"), [
    ("2024-04-12T11:13:57.099Z", True),
    ("2024-04-12T11:13:57Z", True),
    ("2024-04-12T11:13:57+02:00", True),
    ("2024-04-12T11:13:57", False),  # no time zone
    ("2024-13-12T11:13:57Z", False),  # month 13
    ("2024-04-12 11:13:57Z", False),
])
def test_date_time_wrapper(value: str, valid: bool) -> None:
    def set_date(root: Any) -> None:
        _one(root, "{}documentIssueDate/{}DateTime").text = value

    found = _mutated(set_date)
    assert (found == []) is valid
    assert all(d.xpath == "/IE3F26/documentIssueDate/DateTime" for d in found)


def test_flat_date_time_without_wrapper_is_refused() -> None:
    def flatten(root: Any) -> None:
        issue = _one(root, "{}documentIssueDate")
        issue.remove(issue[0])
        issue.text = "2024-04-12T11:13:57Z"

    found = _mutated(flatten)
    assert found and {d.xpath for d in found} == {"/IE3F26/documentIssueDate"}
    assert "child elements only" in {d.expected for d in found}


def test_unknown_element() -> None:
    def add_unknown(root: Any) -> None:
        etree.SubElement(_one(root, "{}declarant"), NS + "nickname").text = "CB"

    d = _only(_mutated(add_unknown))
    assert d.code == "XSD002"
    assert d.xpath == "/IE3F26/declarant/nickname"
    assert (d.expected, d.found) == ("no further element here", "nickname")


def test_element_in_a_foreign_namespace() -> None:
    def add_foreign(root: Any) -> None:
        _one(root, "{}declarant").insert(0, etree.Element("{urn:other}name"))

    d = _only(_mutated(add_foreign))
    assert d.xpath == "/IE3F26/declarant/name"
    assert (d.expected, d.found) == ("name", "{urn:other}name")


def test_several_errors_each_reported() -> None:
    def two_faults(root: Any) -> None:
        _one(root, "{}LRN").text = "L" * 23
        _one(root, "{}declarant/{}name").text = "N" * 71

    found = _mutated(two_faults)
    assert [d.xpath for d in found] == ["/IE3F26/LRN", "/IE3F26/declarant/name"]
    assert [d.expected for d in found] == ["at most 22 characters", "at most 70 characters"]


def test_prefixed_document_gets_the_same_xpath() -> None:
    data = SAMPLE.read_bytes().decode("utf-8")
    data = re.sub(r"<(/?)(?=[A-Za-z])", r"<\1e:", data).replace(
        'xmlns="urn:wco:datamodel:eu:ics2:2"', 'xmlns:e="urn:wco:datamodel:eu:ics2:2"')
    data = data.replace("<e:city>Kelsterbach</e:city>", "")
    tree, diagnostics = parse_ens_xml(data.encode("utf-8"))
    assert diagnostics == []
    d = _only(check_schema(tree))
    assert (d.xpath, d.expected, d.found) == ("/IE3F26/declarant/address/country", "city",
                                              "country")


# -- root element ---------------------------------------------------------------------------------


def test_unknown_root_is_xsd003() -> None:
    tree, _ = parse_ens_xml(b'<IE3F99 xmlns="urn:wco:datamodel:eu:ics2:2"><LRN>X</LRN></IE3F99>')
    d = _only(check_schema(tree, source_name="x.xml"))
    assert d.code == "XSD003"
    assert d.found == "IE3F99"
    assert d.expected is not None and "IE3F26" in d.expected


def test_root_without_namespace_is_xsd003() -> None:
    data = SAMPLE.read_bytes().replace(b' xmlns="urn:wco:datamodel:eu:ics2:2"', b"")
    tree, _ = parse_ens_xml(data)
    d = _only(check_schema(tree))
    assert (d.code, d.found) == ("XSD003", "IE3F26 (in no namespace)")


def test_wrong_root_in_a_schema_file_is_xsd003(tmp_path: Path) -> None:
    # a schema file named after the root but declaring another root element
    shutil.copy(SCHEMAS / "ics2_types.xsd", tmp_path)
    text = (SCHEMAS / "IE3F26.xsd").read_text(encoding="utf-8")
    (tmp_path / "IE3F26.xsd").write_text(text.replace('name="IE3F26"', 'name="IE3F27"'),
                                         encoding="utf-8")
    tree, _ = parse_ens_xml(SAMPLE.read_bytes())
    d = _only(check_schema(tree, schemas=SchemaSet(tmp_path)))
    assert d.code == "XSD003"
    assert "does not declare" in d.message


# -- the hardened parser --------------------------------------------------------------------------

_BILLION_LAUGHS = billion_laughs(
    '<IE3F26 xmlns="urn:wco:datamodel:eu:ics2:2"><LRN>{payload}</LRN></IE3F26>\n', "IE3F26",
    "{enc}")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_is_refused_without_expansion(encoding: str) -> None:
    data = _BILLION_LAUGHS.replace("{enc}", encoding).encode(encoding)
    started = time.perf_counter()
    tree, diagnostics = parse_ens_xml(data, source_name="bomb.xml")
    assert time.perf_counter() - started < 1.0  # 10^9 "lol"s would take far longer
    assert tree is None
    d = _only(diagnostics)
    assert d.code == "XML001"
    assert d.source is not None and d.source.file == "bomb.xml"


def test_xxe_is_refused_and_the_file_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    data = (f'<?xml version="1.0"?>\n<!-- leading comment -->\n'
            f'<!DOCTYPE IE3F26 [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
            '<IE3F26 xmlns="urn:wco:datamodel:eu:ics2:2"><LRN>&xxe;</LRN></IE3F26>')
    tree, diagnostics = parse_ens_xml(data.encode("utf-8"))
    assert tree is None
    assert _only(diagnostics).code == "XML001"
    assert "TOP-SECRET-VALUE" not in repr(diagnostics)


def test_external_dtd_reference_is_refused() -> None:
    data = (b'<!DOCTYPE IE3F26 SYSTEM "http://127.0.0.1:9/ens.dtd">'
            b'<IE3F26 xmlns="urn:wco:datamodel:eu:ics2:2"/>')
    tree, diagnostics = parse_ens_xml(data)
    assert tree is None and _only(diagnostics).code == "XML001"


def test_undeclared_entity_is_not_well_formed() -> None:
    tree, diagnostics = parse_ens_xml(b'<IE3F26 xmlns="urn:wco:datamodel:eu:ics2:2">&x;</IE3F26>')
    d = _only(diagnostics)
    assert tree is None and d.code == "XSD001"
    assert d.found == "Entity 'x' not defined"


def test_not_well_formed_has_line_and_column() -> None:
    data = SAMPLE.read_bytes().replace(b"</LRN>", b"</LRX>")
    tree, diagnostics = parse_ens_xml(data, source_name="broken.xml")
    d = _only(diagnostics)
    assert tree is None and d.code == "XSD001"
    assert d.source is not None and (d.source.file, d.source.line) == ("broken.xml", 3)
    assert d.source.column is not None and d.found is not None and "LRN" in d.found


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02", b"<a", "<a>é</a>".encode("utf-16-le")])
def test_garbage_never_raises(data: bytes) -> None:
    tree, diagnostics = parse_ens_xml(data)
    assert tree is None
    assert [d.code for d in diagnostics] == ["XSD001"]


def test_size_limit() -> None:
    data = SAMPLE.read_bytes()
    tree, diagnostics = parse_ens_xml(data, max_bytes=len(data) - 1)
    d = _only(diagnostics)
    assert tree is None and d.code == "SRC002"
    assert d.found == f"{len(data)} bytes"
    assert parse_ens_xml(data, max_bytes=len(data))[1] == []


# -- the schema set -----------------------------------------------------------------------------


def test_packaged_schema_set_lists_every_message() -> None:
    schemas = SchemaSet()
    assert schemas.folder.parts[-2:] == ("schemas", "ics2")
    names = schemas.root_names()
    assert "IE3F26" in names and "IE3N06" in names and "ics2_types" not in names
    assert schemas.get("IE3F26") is schemas.get("IE3F26")  # compiled once, cached
    assert schemas.get("IE3F99") is None
    assert schemas.get("../IE3F26") is None


def test_explicit_folder_is_used(tmp_path: Path) -> None:
    for name in ("IE3F26.xsd", "ics2_types.xsd"):
        shutil.copy(SCHEMAS / name, tmp_path)
    schemas = SchemaSet(tmp_path)
    assert schemas.root_names() == ("IE3F26",)
    tree, _ = parse_ens_xml(SAMPLE.read_bytes())
    assert check_schema(tree, schemas=schemas) == []
    other, _ = parse_ens_xml(b'<IE3N06 xmlns="urn:wco:datamodel:eu:ics2:2"/>')
    assert _only(check_schema(other, schemas=schemas)).code == "XSD003"


def test_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        SchemaSet(tmp_path / "nowhere")


@pytest.mark.parametrize("location", [
    "http://127.0.0.1:9/ics2_types.xsd",  # network: refused before any connection
    "../outside.xsd",  # outside the folder
])
def test_schema_includes_outside_the_folder_are_refused(tmp_path: Path, location: str) -> None:
    folder = tmp_path / "schemas"
    folder.mkdir()
    (tmp_path / "outside.xsd").write_text(
        (SCHEMAS / "ics2_types.xsd").read_text(encoding="utf-8"), encoding="utf-8")
    text = (SCHEMAS / "IE3F26.xsd").read_text(encoding="utf-8")
    (folder / "IE3F26.xsd").write_text(
        text.replace('schemaLocation="ics2_types.xsd"', f'schemaLocation="{location}"'),
        encoding="utf-8")
    with pytest.raises(ConfigError, match="does not compile"):
        SchemaSet(folder).get("IE3F26")


def test_public_names() -> None:
    # sys.modules: ``ensgate.validate`` as an attribute is the validate() function
    package = sys.modules["ensgate.validate"]
    assert {"SchemaSet", "check_schema", "parse_ens_xml", "MAX_ENS_XML_BYTES"} <= set(
        package.__all__)


# -- the generated XSD set ------------------------------------------------------------------------

MESSAGE_XSDS = sorted(p.name for p in SCHEMAS.glob("IE*.xsd"))


def test_the_set_is_complete() -> None:
    filings = [f"IE3F{n}" for n in (20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 32)]
    # every filing but IE3F25 has an amendment (ICD v3.30 Annex 1 lists no IE3A25)
    amendments = [f.replace("F", "A") for f in filings if f != "IE3F25"]
    answers = ["IE3R01", "IE3R04", "IE3R07", "IE3R08", "IE3N01", "IE3N02", "IE3N03", "IE3N04",
               "IE3N05", "IE3N07", "IE3N08", "IE3N09", "IE3N10", "IE3N11", "IE3N99", "IE3Q01",
               "IE3Q02", "IE3Q03"]
    trader = ["IE3N06", "IE3Q04", "IE3Q05", "IE3R02", "IE3R03"]
    assert sorted(f"{m}.xsd" for m in filings + amendments + answers + trader) == MESSAGE_XSDS
    assert (SCHEMAS / "ics2_types.xsd").is_file() and (SCHEMAS / "README.md").is_file()


@pytest.mark.parametrize("name", MESSAGE_XSDS)
def test_every_xsd_compiles_in_lxml_and_xmlschema(name: str) -> None:
    root_name = name.removesuffix(".xsd")
    assert SchemaSet().get(root_name) is not None
    schema = xmlschema.XMLSchema10(str(SCHEMAS / name))
    assert [e.local_name for e in schema.elements.values()] == [root_name]
    assert schema.target_namespace == "urn:wco:datamodel:eu:ics2:2"


def test_both_implementations_agree_on_a_mutation() -> None:
    data = SAMPLE.read_bytes().replace(b"C-ICS00000022", b"9" * 23)
    tree, _ = parse_ens_xml(data)
    assert [d.xpath for d in check_schema(tree)] == ["/IE3F26/LRN"]
    errors = list(xmlschema.XMLSchema10(str(SCHEMAS / "IE3F26.xsd")).iter_errors(data.decode()))
    assert [e.path for e in errors] == ["/IE3F26/LRN"]


def _generator() -> ModuleType:
    """tools/gen_xsd.py is a dev script, not a package module: load it from its file."""
    name = "_ensgate_tools_gen_xsd"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / "gen_xsd.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SHARED_DICTIONARY.is_dir(), reason="../shared (the dictionary) not present")
def test_committed_xsds_equal_a_fresh_generation() -> None:
    generated: dict[str, str] = _generator().generate(SHARED_DICTIONARY)
    committed = {p.name for p in SCHEMAS.iterdir() if p.is_file()}
    assert committed == set(generated)
    for name, text in generated.items():
        assert (SCHEMAS / name).read_text(encoding="utf-8") == text, name
    assert _generator().generate(SHARED_DICTIONARY) == generated  # deterministic run to run


@pytest.mark.skipif(not SHARED_DICTIONARY.is_dir(), reason="../shared (the dictionary) not present")
def test_header_counts_uncertain_elements_of_the_dictionary() -> None:
    import yaml

    data = yaml.safe_load((SHARED_DICTIONARY / "IE3F26.yaml").read_text(encoding="utf-8"))

    def count(rows: list[dict[str, Any]]) -> tuple[int, int]:
        total = uncertain = 0
        for row in rows:
            sub_total, sub_uncertain = count(row.get("children") or [])
            total += 1 + sub_total
            uncertain += bool(row.get("uncertain")) + sub_uncertain
        return total, uncertain

    total, uncertain = count(data["elements"])
    header = (SCHEMAS / "IE3F26.xsd").read_text(encoding="utf-8").split("-->")[0]
    assert f"Uncertain per the dictionary: {uncertain} of {total} elements" in header
    assert "reference/ics2/dictionary/IE3F26.yaml" in header

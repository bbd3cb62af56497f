"""Amendments (IE3Axx) from a corrected source message of a registered filing: a permitted
change gives a valid IE3Axx with the full new dataset; a change R3024 forbids is refused with
the diagnostic (XPath, registered vs new value)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from ensgate import TranslateOptions, translate
from ensgate.amendments import AMENDMENT_OF, amendment_locks, build_amendment
from ensgate.validate import SchemaSet, check_schema, parse_ens_xml

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "cargo-imp"
NS = {"i": "urn:wco:datamodel:eu:ics2:2"}
MRN = "26BE4RT8W2H1X0SSF7"
WHEN = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FWB = "s3-fwb17-direct-180-88351270-icn-vie-security.txt"
FFM = "s3-ffm8-KE0933-icn-vie-first-arrival-at.txt"


def _filing(tmp_path: Path, edits: dict[str, str] | None = None) -> bytes:
    """The IE3F28 the pipeline makes from the sample FWB + FFM, after text edits of both
    (corrected source messages)."""
    folder = tmp_path / ("corrected" if edits else "registered")
    folder.mkdir()
    texts = {name: (SAMPLES / name).read_text(encoding="utf-8") for name in (FWB, FFM)}
    for old, new in (edits or {}).items():
        assert any(old in t for t in texts.values()), old
        texts = {n: t.replace(old, new) for n, t in texts.items()}
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = translate([str(folder)], TranslateOptions(today="2026-11-20", issued=WHEN))
    (filing,) = result.filings
    assert filing.filing == "IE3F28"
    return filing.xml


def _valid(xml: bytes) -> etree._Element:
    tree, problems = parse_ens_xml(xml)
    assert tree is not None, problems
    assert [str(d) for d in check_schema(tree, schemas=SchemaSet())] == []
    return tree.getroot()


def _leaves(root: etree._Element) -> list[tuple[str, str]]:
    """(local path, text) of every leaf, in document order."""
    out = []
    for el in root.iter():
        if isinstance(el.tag, str) and len(el) == 0:
            steps = [etree.QName(a).localname for a in reversed(list(el.iterancestors()))]
            out.append(("/".join([*steps[1:], etree.QName(el).localname]), el.text or ""))
    return out


def test_a_permitted_change_gives_a_valid_amendment_with_the_full_dataset(tmp_path: Path) -> None:
    registered = _filing(tmp_path)
    corrected = _filing(tmp_path, {"ADR/BRUNNER STRASSE 59": "ADR/BRUNNER STRASSE 61"})
    got = build_amendment(registered, corrected, MRN, issued=WHEN)
    assert not got.refused, [str(d) for d in got.diagnostics]
    assert got.message_type == "IE3A28"
    # the mapping splits "BRUNNER STRASSE 59" into street and number
    assert [(c.before, c.after, c.locked) for c in got.changes] == [("59", "61", False)]
    assert got.changes[0].xpath == (
        "/IE3A28/consignmentMasterLevel/consignmentHouseLevel/consignee/address/number")
    root = _valid(got.xml)
    assert etree.QName(root).localname == "IE3A28"
    assert root.findtext("i:MRN", namespaces=NS) == MRN
    assert root.find("i:LRN", NS) is None
    assert root.findtext("i:documentIssueDate/i:DateTime", namespaces=NS) == "2026-11-20T12:00:00Z"
    # the full new dataset: every leaf of the corrected filing but LRN and the issue date
    filing_leaves = [x for x in _leaves(etree.fromstring(corrected))
                     if x[0] not in ("LRN", "documentIssueDate/DateTime")]
    amendment_leaves = [x for x in _leaves(root)
                        if x[0] not in ("MRN", "documentIssueDate/DateTime")]
    assert amendment_leaves == filing_leaves


@pytest.mark.parametrize(("old", "new", "xpath"), [
    # the flight number is the conveyance reference: R3024 read in the IE3A28 table
    ("KE0933", "KE0935", "/IE3A28/activeBorderTransportMeans/conveyanceReferenceNumber"),
    # the master air waybill (check digit kept valid): R3024 read in the IE3A28 table
    ("180-88351270", "180-88351281",
     "/IE3A28/consignmentMasterLevel/transportDocumentMasterLevel/documentNumber"),
])
def test_a_change_r3024_forbids_is_refused(tmp_path: Path, old: str, new: str,
                                           xpath: str) -> None:
    registered = _filing(tmp_path)
    corrected = _filing(tmp_path, {old: new})
    got = build_amendment(registered, corrected, MRN, issued=WHEN)
    assert got.refused and got.xml is None
    refusals = [d for d in got.diagnostics if d.code == "AMD004"]
    assert xpath in [d.xpath for d in refusals]
    d = next(d for d in refusals if d.xpath == xpath)
    assert d.expected is not None and d.found is not None
    assert old.replace("-", "") in d.expected.replace("-", "")
    assert new.replace("-", "") in d.found.replace("-", "")
    assert d.ics2_rule == "R3024" and ("lock", "read") in d.context
    assert d.is_error


def test_an_inferred_lock_says_so(tmp_path: Path) -> None:
    assert amendment_locks("IE3A28")["/declarant/identificationNumber"] == "read"
    assert amendment_locks("IE3A20")["/declarant/identificationNumber"] == "inferred"
    registered = _filing(tmp_path)
    # any IE3F28 turned into an IE3F20 twin is not needed: edit the XML of the declarant
    root = etree.fromstring(registered)
    declarant = root.find("i:declarant/i:identificationNumber", NS)
    assert declarant is not None
    declarant.text = "AT0000000000001"
    got = build_amendment(registered, etree.tostring(root), MRN, issued=WHEN)
    (d,) = [d for d in got.diagnostics if d.code == "AMD004"]
    assert d.xpath == "/IE3A28/declarant/identificationNumber"
    assert ("lock", "read") in d.context


def test_what_cannot_be_amended(tmp_path: Path) -> None:
    registered = _filing(tmp_path)
    same = build_amendment(registered, registered, MRN, issued=WHEN)
    assert [d.code for d in same.diagnostics] == ["AMD005"] and not same.refused
    bad_mrn = build_amendment(registered, registered, "not-an-mrn")
    assert [d.code for d in bad_mrn.diagnostics] == ["AMD003"] and bad_mrn.refused
    root = etree.fromstring(registered)
    root.tag = "{urn:wco:datamodel:eu:ics2:2}IE3F25"
    other = build_amendment(registered, etree.tostring(root), MRN)
    assert sorted(d.code for d in other.diagnostics) == ["AMD001", "AMD002"]
    broken = build_amendment(registered, b"<not-xml", MRN)
    assert broken.refused and broken.diagnostics[0].code == "AMD006"
    dataset = build_amendment(registered, {"declaration": {}}, MRN)  # a dataset needs filing=
    assert dataset.refused and [d.code for d in dataset.diagnostics] == ["AMD006"]
    assert "IE3F25" not in AMENDMENT_OF


def test_the_tables_and_locks_are_up_to_date() -> None:
    shared = ROOT / ".." / "shared" / "reference" / "ics2" / "dictionary"
    if not shared.is_dir():
        pytest.skip("../shared not present")
    spec = importlib.util.spec_from_file_location("_gen_amend", ROOT / "tools" /
                                                  "gen_amendment_tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_gen_amend"] = module
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


def _real_filings() -> list[tuple[str, bytes]]:
    """Every filing the pipeline makes from the samples (also as F22 and F26), and the
    shared real-world IE3F26."""
    out = [(f.filing, f.xml) for f in translate([str(SAMPLES)],
                                                 TranslateOptions(today="2026-11-20")).filings]
    for code in ("F22", "F26"):
        out += [(f.filing, f.xml) for f in translate(
            [str(SAMPLES)], TranslateOptions(today="2026-11-20", filing=code)).filings[:1]]
    sample = ROOT.parent / "shared" / "reference" / "ics2" / "samples" / \
        "IE3F26-phase4-base-example.xml"
    if sample.is_file():
        out.append(("IE3F26 (shared sample)", sample.read_bytes()))
    return out


def test_every_filing_type_made_gives_a_valid_amendment() -> None:
    kinds = set()
    for name, xml in _real_filings():
        root = etree.fromstring(xml)
        desc = root.find(".//i:descriptionOfGoods", NS)
        assert desc is not None, name
        desc.text = (desc.text or "") + " (corrected)"
        got = build_amendment(xml, etree.tostring(root), MRN, issued=WHEN)
        assert not got.refused, (name, [str(d) for d in got.diagnostics])
        assert [c.after for c in got.changes] == [desc.text], name
        _valid(got.xml)
        kinds.add(got.message_type)
    assert {"IE3A20", "IE3A22", "IE3A26", "IE3A28"} <= kinds

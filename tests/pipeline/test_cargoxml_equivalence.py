"""The same shipment written as Cargo-IMP (FWB/FHL/FZB/FFM) and as Cargo-XML
(XFWB/XFHL/XFZB/XFFM) gives the same ENS filing, byte for byte.

``samples/cargo-xml/`` holds the XML equivalents of the S1 (consolidation, three houses as one
XFHL), S3 (direct AWB; XFFM times written with UTC offsets) and S5 (XFZB house) Cargo-IMP
samples. Each XML file restates the data of its Cargo-IMP twin in Cargo-XML form (multi-line
names, ISO dates, ``unitCode`` weights, ``IncludedCustomsNote`` for OCI...), so any difference
in the filings is a difference in how the two readers and their mapping specs read the data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ensgate import BatchResult, TranslateOptions, translate
from ensgate.cli import main

ROOT = Path(__file__).resolve().parents[2]
IMP = ROOT / "samples" / "cargo-imp"
XML = ROOT / "samples" / "cargo-xml"

SHIPMENTS = {
    "s1": ("781-60482133", "IE3F20"),
    "s3": ("180-88351270", "IE3F28"),
    "s5": ("217-51290746", "IE3F20"),
}


def run(files: list[Path], options: TranslateOptions) -> BatchResult:
    assert files
    return translate(sorted(files), options)


@pytest.mark.parametrize("shipment", sorted(SHIPMENTS))
def test_same_filing_from_cargo_imp_and_cargo_xml(shipment: str,
                                                  options: TranslateOptions) -> None:
    imp = run(list(IMP.glob(f"{shipment}-*")), options)
    xml = run(list(XML.glob(f"{shipment}-*")), options)
    assert not imp.rejects and not xml.rejects, [r.reason for r in [*imp.rejects, *xml.rejects]]
    awb, filing = SHIPMENTS[shipment]
    assert [(f.shipment, f.filing) for f in xml.filings] == [(awb, filing)]
    assert [f.lrn for f in xml.filings] == [f.lrn for f in imp.filings]
    assert xml.filings[0].xml == imp.filings[0].xml
    # every Cargo-XML message of the shipment is behind the filing
    assert all(label.split("#")[0].endswith(".xml") for label in xml.filings[0].messages)
    assert len(xml.filings[0].messages) == len(list(XML.glob(f"{shipment}-*")))


def test_formats_join_across_syntaxes(options: TranslateOptions) -> None:
    """An XFWB master, Cargo-IMP FHL houses and an XFFM flight make one shipment: assembly
    joins by AWB number whatever the syntax of each message."""
    mixed = [*XML.glob("s1-xfwb-*"), *IMP.glob("s1-fhl5-*"), *XML.glob("s1-xffm-*")]
    imp = run(list(IMP.glob("s1-*")), options)
    got = run(mixed, options)
    assert not got.rejects
    assert [f.xml for f in got.filings] == [f.xml for f in imp.filings]


def test_lineage_points_into_the_xml_file(options: TranslateOptions) -> None:
    result = run(list(XML.glob("s3-*")), options)
    lin = result.filings[0].lineage
    doc = lin["master.document_number"]
    assert doc.rule is not None and doc.rule.spec.endswith("cargoxml-xfwb.yaml")
    value, pos = doc.sources[0]
    assert value == "180-88351270"
    assert pos.file.endswith("s3-xfwb-direct-180-88351270-icn-vie-security.xml")
    assert pos.xpath == "/Waybill/BusinessHeaderDocument/ID"
    text = Path(pos.file).read_text("utf-8")
    assert pos.line == text[:text.index(">180-88351270<")].count("\n") + 1
    arrival = lin["transport.estimated_arrival"]
    assert arrival.rule is not None and arrival.rule.spec.endswith("cargoxml-xffm.yaml")
    assert arrival.sources[0][1].xpath.endswith("ArrivalEvent/ArrivalOccurrenceDateTime")


def test_cli_translates_cargo_xml_detected_from_content(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for p in XML.glob("s3-*"):  # names that say nothing about the format
        (inputs / f"{p.stem[:3]}{len(list(inputs.iterdir()))}.dat").write_bytes(p.read_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["translate", str(inputs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["filings_written"] == 1 and summary["messages_rejected"] == 0
    assert (out / "EGF2818088351270.xml").is_file()


def test_hs_codes_in_one_item_or_in_two_give_the_same_filing(
        tmp_path: Path, options: TranslateOptions) -> None:
    """S3's two HS codes written as two TypeCode elements of one item (the RTD way) instead
    of two items: the same filing."""
    text = (XML / "s3-xfwb-direct-180-88351270-icn-vie-security.xml").read_text("utf-8")
    tag, close = "<ram:IncludedMasterConsignmentItem>", "</ram:IncludedMasterConsignmentItem>"
    second = text.index(tag, text.index(tag) + 1)
    one_item = text[:second] + text[text.index(close, second) + len(close):]
    one_item = one_item.replace("<ram:TypeCode>902780</ram:TypeCode>",
                                "<ram:TypeCode>902780</ram:TypeCode>"
                                "<ram:TypeCode>382219</ram:TypeCode>")
    assert one_item.count(tag) == 1
    (tmp_path / "xfwb.xml").write_text(one_item, "utf-8")
    ffm = next(XML.glob("s3-xffm-*"))
    (tmp_path / "xffm.xml").write_bytes(ffm.read_bytes())
    got = run([tmp_path / "xfwb.xml", tmp_path / "xffm.xml"], options)
    imp = run(list(IMP.glob("s3-*")), options)
    assert not got.rejects
    assert [f.xml for f in got.filings] == [f.xml for f in imp.filings]

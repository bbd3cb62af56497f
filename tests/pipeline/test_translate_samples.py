"""The bundled corpus through the whole pipeline: counts, filings, rejects, lineage."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from ensgate import TranslateOptions, translate, write_batch
from ensgate.validate import check_schema

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

NS = {"e": "urn:wco:datamodel:eu:ics2:2"}


def test_every_message_is_accounted_for(options: TranslateOptions) -> None:
    result = translate([SAMPLES], options)
    assert result.check() == []
    assert result.files_in == sum(1 for p in SAMPLES.rglob("*")
                                  if p.is_file() and not p.name.startswith(".")
                                  and p.suffix not in (".md", ".yaml", ".csv", ".ssim"))
    assert result.filings, "the clean corpus must give filings"
    for f in result.filings:
        root = etree.fromstring(f.xml)
        assert check_schema(root) == [], f.lrn
        assert not any(d.is_error for d in f.diagnostics)


def test_problem_files_are_rejected_with_their_codes(options: TranslateOptions) -> None:
    result = translate([SAMPLES / "problems"], options)
    assert not result.filings and not result.pending
    codes = {Path(r.message.file).name: {d.code for d in r.diagnostics}
             for r in (*result.rejects, *result.not_ens)}
    assert "IMP010" in codes[next(n for n in codes if n.startswith("missing-rtg"))]
    assert "IMP011" in codes[next(n for n in codes if n.startswith("malformed-awb"))]
    assert "IMP017" in codes[next(n for n in codes if n.startswith("fhl5-multi-house"))]
    assert "IMP016" in codes[next(n for n in codes if n.startswith("fhl5-part1"))]
    assert "IMP002" in codes[next(n for n in codes if n.startswith("fsu14"))]
    assert "IMP003" in codes[next(n for n in codes if n.startswith("ffr8"))]
    assert "IMP001" in codes[next(n for n in codes if n.startswith("unknown-identifier"))]
    assert "SRC003" in codes[next(n for n in codes if n.startswith("binary-junk"))]
    # no commodity code and no postcodes: errors no flight manifest can fix, so rejected
    # now rather than pending for the flight times it also lacks
    assert "ICS002" in codes[next(n for n in codes if n.startswith("eu-bound-no-ics2"))]
    problem_files = [p for p in (SAMPLES / "problems").iterdir() if p.suffix != ".md"
                     and not p.name.startswith(".")]
    assert set(codes) == {p.name for p in problem_files}
    # recognised messages that are no ENS input are routed, never rejected
    not_ens = {Path(r.message.file).name for r in result.not_ens}
    assert {n.split("-")[0] for n in not_ens} == {"fsu14", "fma", "ffr8"}
    assert not not_ens & {Path(r.message.file).name for r in result.rejects}
    assert result.check() == []


def test_consolidation_joins_master_houses_and_flight(options: TranslateOptions) -> None:
    cargo = SAMPLES / "cargo-imp"
    files = sorted(cargo.glob("s1-*"))
    result = translate(files, options)
    assert len(result.filings) == 1
    f = result.filings[0]
    assert f.filing == "IE3F20"
    root = etree.fromstring(f.xml)
    houses = root.findall(".//e:consignmentHouseLevel", NS)
    assert [h.findtext("e:transportDocumentHouseLevel/e:documentNumber", namespaces=NS)
            for h in houses] == ["HXSHA2611045", "HXSHA2611046", "HXSHA2611047"]
    abtm = root.find("e:activeBorderTransportMeans", NS)
    assert abtm is not None
    assert abtm.findtext("e:conveyanceReferenceNumber", namespaces=NS) == "MU0553"
    assert abtm.findtext("e:estimatedDateAndTimeOfArrival/e:DateTime", namespaces=NS)
    assert root.findtext("e:consignmentMasterLevel/e:transportDocumentMasterLevel/"
                         "e:documentNumber", namespaces=NS) == "781-60482133"
    # all five messages (FWB, 3 FHL, FFM) are behind the filing
    assert len(f.messages) == 5


def test_lineage_points_at_source_lines(options: TranslateOptions) -> None:
    files = sorted((SAMPLES / "cargo-imp").glob("s1-*"))
    result = translate(files, options)
    lin = result.filings[0].lineage
    doc = lin["master.document_number"]
    assert doc.rule is not None and doc.rule.spec.endswith("cargoimp-fwb.yaml")
    assert doc.sources[0][0] == "781-60482133"
    pos = doc.sources[0][1]
    assert pos.line == 2 and pos.column == 1 and pos.file.endswith(".txt")
    desc = lin["houses[1].goods_items[1].description"]
    assert len(desc.sources) >= 1
    assert all(p.file.endswith("HXSHA2611045-bicycle-parts-be.txt") for _, p in desc.sources)


def test_write_batch_layout(tmp_path: Path, options: TranslateOptions) -> None:
    result = translate([SAMPLES], options)
    summary = write_batch(result, tmp_path, lineage=True)
    for f in result.filings:
        assert (tmp_path / f"{f.lrn}.xml").read_bytes() == f.xml
        assert json.loads((tmp_path / f"{f.lrn}.lineage.json").read_text())
    assert not list(tmp_path.rglob("*.diagnostics.jsonl"))  # one file for the run
    lines = [json.loads(line) for line in
             (tmp_path / "diagnostics.jsonl").read_text().splitlines()]
    items = {d["item"] for d in lines}
    rejected = {i for i in items if i.startswith("rejects/")}
    assert len(rejected) == len(result.rejects) + len(result.shipment_rejects)
    assert all((tmp_path / i).is_file() for i in items)
    routed = {i for i in items if i.startswith("not-ens/")}
    assert len(routed) == len(result.not_ens) > 0
    assert summary["messages_in"] == result.messages_in
    assert all({"item", "code", "severity", "message"} <= set(d) for d in lines)
    # every diagnostic of every filing and reject, in the pipeline's order per item
    expected = sum(len(f.diagnostics) for f in result.filings) + sum(
        len(r.diagnostics) for r in (*result.rejects, *result.shipment_rejects,
                                     *result.earlier_rejects, *result.not_ens))
    assert len(lines) == expected


def test_reader_warnings_travel_with_the_filing(options: TranslateOptions) -> None:
    """A bad AWB check digit is a warning, never a drop: the filing is made and carries it,
    with the position in each message that holds the number (the FWB and its FFM)."""
    noisy = SAMPLES / "noisy"
    result = translate([noisy / "bad-check-digit-fwb17-105-33188403-del-hel.txt",
                        noisy / "ffm8-flights-for-noisy-direct-awbs.txt"], options)
    (filing,) = [f for f in result.filings if f.shipment == "105-33188403"]
    checks = [d for d in filing.diagnostics if d.code == "IMP014"]
    assert {Path(d.source.file).name for d in checks if d.source} == {
        "bad-check-digit-fwb17-105-33188403-del-hel.txt",
        "ffm8-flights-for-noisy-direct-awbs.txt"}
    assert all(d.source and d.source.line for d in checks)

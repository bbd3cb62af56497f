"""``ensgate map trace`` and ``explain``: each ENS value back to its rule and source text,
with the exact line and column, also for continuation lines and multi-part messages; the
step-by-step explanation reproduces the engine's value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _authoring_helpers import ROOT, SAMPLES
from click.testing import CliRunner
from lxml import etree

from ensgate.authoring import explain, run_files, trace_rows
from ensgate.authoring._run import Run
from ensgate.cli import main

FWB = ROOT / "mappings" / "cargoimp-fwb.yaml"
TWO_PARTS = SAMPLES / "noisy" / "fwb17-two-parts-235-66273815-ist-waw.txt"
TWO_PART_FFM = SAMPLES / "noisy" / "ffm8-two-parts-reversed-TK6389-ist-waw.txt"
S1_FWB = SAMPLES / "cargo-imp" / "s1-fwb17-master-781-60482133-pvg-bru.txt"
S1_FHL = sorted((SAMPLES / "cargo-imp").glob("s1-fhl5-*.txt"))


def _where_in_file(path: Path, text: str, before: str = "") -> tuple[int, int]:
    """Line and column of ``text`` (after ``before`` on its line) found by reading the file,
    independently of the reader."""
    lines = path.read_bytes().decode("latin-1").splitlines()
    needle = before + text
    hits = [(i, ln.index(needle) + len(before)) for i, ln in enumerate(lines, start=1)
            if needle in ln]
    assert len(hits) == 1, f"{needle!r} is not unique in {path}"
    return hits[0][0], hits[0][1] + 1


@pytest.fixture(scope="module")
def two_parts() -> Run:
    return run_files(FWB, [TWO_PARTS, TWO_PART_FFM])


@pytest.fixture(scope="module")
def consolidation() -> Run:
    return run_files(FWB, [S1_FWB, *S1_FHL])


def _row(run: Run, xpath: str):  # type: ignore[no-untyped-def]
    rows = [r for r in trace_rows(run) if r.xpath == xpath]
    assert len(rows) == 1, [r.xpath for r in trace_rows(run) if "consignee" in r.xpath][:5]
    return rows[0]


def test_value_from_the_second_part_of_a_multipart_message(two_parts: Run) -> None:
    row = _row(two_parts, "/IE3F28/consignmentMasterLevel/consignmentHouseLevel/consignee/"
                          "identificationNumber")
    assert row.value == "PL700044122200000"
    (text, pos), = row.sources
    assert (pos.line, pos.column) == _where_in_file(TWO_PARTS, "PL700044122200000")
    assert pos.file == str(TWO_PARTS) and text == "PL700044122200000"
    line = 1 + FWB.read_text().split("\n").index(
        '  master.consignee.identification: {from: "$.oci[info=CNE,control=T].text", '
        'transform: [first, eori]}')
    assert row.rule is not None and row.rule.spec == str(FWB) and row.rule.line == line


def test_value_joined_from_continuation_lines(two_parts: Run) -> None:
    row = _row(two_parts, "/IE3F28/consignmentMasterLevel/consignmentHouseLevel/goodsItem[1]/"
                          "commodity/descriptionOfGoods")
    assert row.value == "TERRY TOWELLING BATH TOWELS AND BATHROBES OF COTTON"
    got = [(p.line, p.column, t) for t, p in row.sources]
    want = [(*_where_in_file(TWO_PARTS, t), t)
            for t in ("TERRY TOWELLING BATH", " TOWELS AND BATHROBE", "S OF COTTON")]
    assert got == want


def test_name_continuation_line_in_a_consolidation(consolidation: Run) -> None:
    row = _row(consolidation, "/IE3F20/consignmentMasterLevel/consignor/name")
    assert [(p.line, p.column) for _, p in row.sources] == [
        _where_in_file(S1_FWB, "HUAXIN GLOBAL LOGISTICS", "NAM/"),
        _where_in_file(S1_FWB, "SHANGHAI CO LTD", "/")]


def test_every_traced_value_is_the_value_in_the_xml(consolidation: Run) -> None:
    ns = {"e": "urn:wco:datamodel:eu:ics2:2"}
    rows = trace_rows(consolidation)
    (ship,) = [s for s in consolidation.shipments if s.filing]
    root = etree.fromstring(ship.xml.encode())
    assert len(rows) > 100
    for r in rows:
        steps = r.xpath.strip("/").split("/")[1:]
        found = root.xpath("/e:" + root.tag.split("}")[1] + "".join(
            "/e:" + s for s in steps), namespaces=ns)
        assert found and r.value in [f.text for f in found], r.xpath


def test_explain_matches_the_engine_for_every_spec_value(consolidation: Run) -> None:
    checked = 0
    rows = trace_rows(consolidation)
    for row in rows:
        if row.origin != "spec":
            continue
        ex = explain(consolidation, row.xpath, rows=rows)
        assert ex is not None and not ex.message, row.xpath
        if row.field.startswith("master.goods_items["):
            # the assembler renumbers the houses' goods items into the master's (C3048):
            # the rule's own value is the house item number, and explain says so
            assert ex.result is not None
            continue
        assert ex.matches_dataset, (row.xpath, row.value, ex.result)
        checked += 1
    assert checked > 80


def test_explain_chain_shows_selectors_transforms_and_lookup(two_parts: Run) -> None:
    ex = explain(two_parts, "/IE3F28/consignmentMasterLevel/consignmentHouseLevel/"
                            "consignee/communication/identifier")
    assert ex is not None
    kinds = [s.kind for s in ex.steps]
    assert kinds[0] == "scope" and "transform" in kinds and "path" in kinds
    assert ex.result == "+48 22 643 79 12"
    pay = explain(two_parts, "/IE3F28/consignmentMasterLevel/consignmentHouseLevel/"
                             "transportCharges/methodOfPayment")
    assert pay is not None
    assert any(s.kind == "lookup" and "'PP' -> 'Y'" in s.text for s in pay.steps)


def test_explain_cli_and_unknown_xpath(in_root: Path) -> None:
    runner = CliRunner()
    args = ["map", "explain", "cargoimp-fwb", str(TWO_PARTS), str(TWO_PART_FFM), "--xpath"]
    res = runner.invoke(main, [*args, "/IE3F28/consignmentMasterLevel/consignmentHouseLevel/"
                               "goodsItem/commodity/descriptionOfGoods"])
    assert res.exit_code == 0, res.output
    line, col = _where_in_file(TWO_PARTS, "S OF COTTON")
    assert f"line {line} col {col}: 'S OF COTTON'" in res.output
    spec_lines = FWB.read_text().split("\n")
    ng = next(i for i, text in enumerate(spec_lines)
              if "description[kind=NG].text" in text and "concat" in text)
    rule_line = 1 + max(i for i in range(ng) if spec_lines[i].strip() == "description:")
    assert f"mappings/cargoimp-fwb.yaml:{rule_line}" in res.output
    assert "concat(width=20)" in res.output
    bad = runner.invoke(main, [*args, "/IE3F28/consignmentMasterLevel/consigne/name"])
    assert bad.exit_code == 1


def test_trace_cli_formats(in_root: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["map", "trace", "cargoimp-fwb", str(TWO_PARTS), str(TWO_PART_FFM)]
    js = runner.invoke(main, [*base, "--format", "json"])
    assert js.exit_code == 0, js.output
    rows = json.loads(js.output)
    ids = [r for r in rows if r["xpath"].endswith("consignee/identificationNumber")]
    assert ids[0]["sources"][0]["line"] == _where_in_file(TWO_PARTS, "PL700044122200000")[0]
    xml = runner.invoke(main, [*base, "--format", "xml"])
    root = etree.fromstring(xml.output.encode())
    comments = [c.text for c in root.iter(etree.Comment)]
    line = 1 + FWB.read_text().split("\n").index(
        '  master.consignee.identification: {from: "$.oci[info=CNE,control=T].text", '
        'transform: [first, eori]}')
    assert any(f"mappings/cargoimp-fwb.yaml:{line}" in c and "PL700044122200000" in c
               for c in comments)
    out = tmp_path / "trace.txt"
    table = runner.invoke(main, [*base, "--out", str(out)])
    assert table.exit_code == 0 and "consignee/identificationNumber" in out.read_text()


def test_trace_of_a_case_file_uses_its_companions_and_filing(in_root: Path) -> None:
    case = ROOT / "tests" / "mappings" / "cargoimp-fhl" / "s1-house-alone.yaml"
    res = CliRunner().invoke(main, ["map", "trace", "cargoimp-fhl", str(case), "--format",
                                    "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)[0]["filing"] == "IE3F26"


def test_annotated_xml_of_several_filings_is_one_document(in_root: Path) -> None:
    res = CliRunner().invoke(main, ["map", "trace", "cargoimp-fwb", "samples/cargo-imp",
                                    "--format", "xml"])
    assert res.exit_code == 0, res.output
    root = etree.fromstring(res.output.encode())
    run = run_files(FWB, [SAMPLES / "cargo-imp"])
    assert len(root) == len([s for s in run.shipments if s.filing]) > 1

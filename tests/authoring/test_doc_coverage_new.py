"""``ensgate map doc``, ``coverage`` and ``new``."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from _authoring_helpers import ROOT, SAMPLES
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from ensgate.authoring import coverage, lint_spec, message_types, new_spec, render_doc
from ensgate.authoring._specinfo import spec_info
from ensgate.cli import main
from ensgate.mapping import dataset_model
from ensgate.mapping._spec import compile_spec, load_spec

FWB = ROOT / "mappings" / "cargoimp-fwb.yaml"


def _rules(spec_path: Path) -> int:
    info = spec_info(load_spec(spec_path))
    return len([s for s in info.sites if not s.target.startswith("let.") and s.target != "key"])


def test_doc_formats_list_every_rule_with_its_xpath() -> None:
    spec = load_spec(FWB)
    sample = SAMPLES / "cargo-imp" / "s3-fwb17-direct-180-88351270-icn-vie-security.txt"
    md = render_doc(spec, "md", samples=[sample])
    row = next(x for x in md.splitlines() if "| master.document_number |" in x)
    assert "/IE3F20/consignmentMasterLevel/transportDocumentMasterLevel/documentNumber" in row
    assert "F20 1..1 M" in row and "awb.number" in row and "180-88351270" in row
    rows = list(csv.reader(io.StringIO(render_doc(spec, "csv"))))
    assert len(rows) == 1 + _rules(FWB)
    by_field = {r[2]: r for r in rows[1:]}
    assert by_field["master.method_of_payment"][8].startswith("payment (cvd-payment")
    assert by_field["master.customs_value"][7].startswith("path('cvd.customs_value')")
    assert "kg(unit=<awb.weight_unit>)" in by_field["master.total_gross_mass"][6]
    assert by_field["transport.estimated_arrival"][9].startswith("not mapped: FWB carries")
    assert by_field["master.consignee.address.country"][4] == ""
    assert by_field["master.document_type"][4] == "CL754"


def test_doc_html_is_self_contained(tmp_path: Path, in_root: Path) -> None:
    out = tmp_path / "fwb.html"
    res = CliRunner().invoke(main, ["map", "doc", "cargoimp-fwb", "--format", "html", "--out",
                                    str(out)])
    assert res.exit_code == 0, res.output
    page = lxml_html.fromstring(out.read_bytes())
    assert not page.xpath("//script[@src] | //link[@href] | //img[@src]")  # nothing external
    assert len(page.xpath("//table[1]/tbody/tr")) == _rules(FWB)
    # the spec's test cases give the examples by default
    assert "PL700044122200000" in out.read_text("utf-8")


@pytest.mark.parametrize("fmt", ["md", "csv", "html"])
def test_doc_to_stdout(fmt: str, in_root: Path) -> None:
    res = CliRunner().invoke(main, ["map", "doc", "cargoimp-ffm", "--format", fmt])
    assert res.exit_code == 0 and "transport.estimated_arrival" in res.output


def test_coverage_lists_unread_fields_unproduced_fields_and_silent_rules(tmp_path: Path) -> None:
    text = FWB.read_text("utf-8").replace(
        "  master.container_indicator:",
        "  master.ucr: {from: ssr.text, transform: join}\n  master.container_indicator:")
    spec_file = tmp_path / "fwb-ucr.yaml"
    spec_file.write_text(text, "utf-8")
    cov = coverage(load_spec(spec_file), [SAMPLES / "cargo-imp"])
    assert cov.messages == 6  # the FWBs of cargo-imp/
    unread = dict(cov.unread)
    assert unread["agent.name"] == 6 and "awb.number" not in unread
    assert "oci.info" not in unread  # read through a selector
    fired = {t for t, _ in cov.never_fired}
    assert "master.ucr" in fired and "master.document_number" not in fired
    assert "master.ucr" in cov.never_produced
    assert "master.consignee.name" not in cov.never_produced


def test_coverage_cli_json(in_root: Path) -> None:
    res = CliRunner().invoke(main, ["map", "coverage", "cargoimp-fwb", "samples/cargo-imp",
                                    "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["messages"] == 6 and data["unread_source_fields"]
    text = CliRunner().invoke(main, ["map", "coverage", "cargoimp-fwb", "samples/cargo-imp"])
    assert "source fields seen but never read" in text.output


@pytest.mark.parametrize("kind", sorted({k for _, k in message_types()}))
def test_new_spec_loads_and_lists_the_fields(kind: str) -> None:
    text = new_spec(kind, spec_id="my-spec")
    spec = compile_spec(text, file="new.yaml")
    assert spec.message == kind
    domain = {"master": "master.", "houses": "houses[].", "transport": "transport."}
    prefix = domain[spec.produces]
    leaves = [f for f in dataset_model().fields if f.startswith(prefix)]
    for f in leaves:
        name = f.rsplit("[].", 1)[-1]
        assert re.search(rf"#\s+{re.escape(name)}:", text), f
    assert "MANDATORY in" in text


def test_new_spec_then_lint_lists_the_work_to_do(tmp_path: Path) -> None:
    out = tmp_path / "my-fwb.yaml"
    runner = CliRunner()
    res = runner.invoke(main, ["map", "new", "--source", "FWB", "--out", str(out)])
    assert res.exit_code == 0, res.output
    report = lint_spec(out, filings=("F28",))
    assert report.spec is not None and report.spec.id == "my-fwb"
    todo = {d.rule.rule_id for d in report.diagnostics if d.code == "LNT004"}
    assert {"master.document_number", "master.consignee.name"} <= todo
    again = runner.invoke(main, ["map", "new", "--source", "FWB", "--out", str(out)])
    assert again.exit_code == 2  # no silent overwrite
    bad = runner.invoke(main, ["map", "new", "--source", "NOPE"])
    assert bad.exit_code == 2 and "FWB" in bad.output


def test_new_spec_xpaths_are_those_of_the_templates() -> None:
    text = new_spec("FHL")
    assert ("/IE3F26/consignmentMasterLevel/consignmentHouseLevel/consignee/name"
            in text)
    etree.fromstring(b"<x/>")  # lxml available for the doc tests above
